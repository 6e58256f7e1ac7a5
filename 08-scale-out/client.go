package scaleout

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// Dial returns one client connection to every replica at addrs, which
// spreads new streams across them; opts add to that (credentials, say).
// Like grpc.NewClient it does not connect yet.
func Dial(addrs []string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	// TODO(task 3): one connection to every replica; each new stream goes to
	// the next ready replica (round_robin). TestTask3_….
	return nil, status.Error(codes.Unimplemented, "TODO(task 3): Dial in 08-scale-out/client.go — see 08-scale-out/README.md")
}

// Chat is one member's stay in the room, across replicas: it joins as name
// through conn, says each text from says, and passes every event to show
// (from one goroutine, in order). It returns nil once says is closed and
// what was on its way has been shown, the stream's status if the room
// refused the member, or ctx's status when ctx ends.
func Chat(ctx context.Context, conn *grpc.ClientConn, name string, says <-chan string, show func(*roompb.ServerEvent)) error {
	// TODO(task 4): a stream that ends with Unavailable is followed by
	// another, resuming after the last event shown. TestTask4_….
	return status.Error(codes.Unimplemented, "TODO(task 4): Chat in 08-scale-out/client.go — see 08-scale-out/README.md")
}
