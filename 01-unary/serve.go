package unary

import (
	"context"
	"errors"
	"net"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// Serve runs greeter on lis, with the health and reflection services beside
// it, until ctx is done; then it stops gracefully and returns nil.
func Serve(ctx context.Context, lis net.Listener, greeter greeterpb.GreeterServer) error {
	// TODO(task 6): serve greeter, health (SERVING) and reflection on lis until
	// ctx is done (grpc.NewServer). TestTask6_…
	// TODO(task 7): when ctx is done, calls in flight finish and only then does
	// Serve return. TestTask7_StopLetsTheCallInFlightFinish.
	return errors.New("TODO(task 6): serve on lis in 01-unary/serve.go — see 01-unary/README.md")
}
