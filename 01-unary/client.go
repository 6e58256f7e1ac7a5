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
	// TODO(task 5): a name that is not valid UTF-8 fails here with InvalidArgument,
	// not as a puzzling Internal from gRPC. TestTask5_GreetRefusesInvalidUTF8.

	// TODO(task 4): the call takes at most timeout, and the server knows its
	// deadline. TestTask4_GreetGivesUpAtItsTimeout.

	// TODO(task 3): return the server's greeting, or its error exactly as gRPC
	// gave it (the caller reads the code). TestTask3_Greet…
	return "", status.Error(codes.Unimplemented, "TODO(task 3): call SayHello in 01-unary/client.go — see 01-unary/README.md")
}
