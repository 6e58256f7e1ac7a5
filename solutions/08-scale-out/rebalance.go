package scaleout

import (
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// Rebalance is a replica's keepalive: pings as every workshop server sends
// them (internal/serve), and connections that last about age. Then the
// server sends GOAWAY (no new streams on this connection) and, age/4 later,
// closes it: a room stream never ends by itself, so the grace only delays
// the cut. Its client reconnects, and round_robin spreads the new streams
// over every replica, a replica started since included. An age under a
// millisecond is an error: zero is keepalive's "forever", the opposite of
// what was asked, and under 10 ns grpc-go's jitter on the age panics.
func Rebalance(age time.Duration) (keepalive.ServerParameters, error) {
	if age < time.Millisecond {
		return keepalive.ServerParameters{}, status.Errorf(codes.InvalidArgument, "a connection age must be positive, not %v", age)
	}
	return keepalive.ServerParameters{
		Time:                  serve.KeepaliveTime,
		Timeout:               serve.KeepaliveTimeout,
		MaxConnectionAge:      age,
		MaxConnectionAgeGrace: age / 4,
	}, nil
}
