package unary

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// Greet asks the Greeter behind client to greet name and returns the
// greeting. The call may take at most timeout; ctx can end it sooner.
//
// A failed call returns the gRPC error unchanged, so that the caller can read
// its code with status.Code(err) (InvalidArgument, DeadlineExceeded, …).
func Greet(ctx context.Context, client greeterpb.GreeterClient, name string, timeout time.Duration) (string, error) {
	// TODO(task 5): a proto3 string must be valid UTF-8. Check the name with
	// utf8.ValidString before calling and, if it is not, return
	// status.Error(codes.InvalidArgument, "…") saying so: otherwise the
	// request fails to marshal and you get a puzzling Internal error.

	// TODO(task 4): give the call a deadline: derive a context with
	// context.WithTimeout(ctx, timeout), defer its cancel, and make the call
	// with it. gRPC sends the deadline to the server with the request.

	// TODO(task 3): call client.SayHello with a HelloRequest and return the
	// reply's GetMessage(). On error, return err itself, not wrapped.
	return "", status.Error(codes.Unimplemented, "TODO(task 3): call SayHello in 01-unary/client.go — see 01-unary/README.md")
}
