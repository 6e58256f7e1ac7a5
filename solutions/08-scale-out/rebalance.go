package scaleout

import (
	"time"

	"google.golang.org/grpc/keepalive"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// Rebalance is a replica's keepalive: pings as every workshop server sends
// them (internal/serve), and connections that last about age. Then the
// server sends GOAWAY (no new streams on this connection) and, age/4 later,
// closes it: a room stream never ends by itself, so the grace only delays
// the cut. Its client reconnects, and round_robin spreads the new streams
// over every replica, a replica started since included.
func Rebalance(age time.Duration) keepalive.ServerParameters {
	return keepalive.ServerParameters{
		Time:                  serve.KeepaliveTime,
		Timeout:               serve.KeepaliveTimeout,
		MaxConnectionAge:      age,
		MaxConnectionAgeGrace: age / 4,
	}
}
