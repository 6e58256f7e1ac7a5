package unary

import (
	"context"
	"time"
	"unicode/utf8"

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
	// Protobuf refuses to marshal a string that is not UTF-8; saying so here
	// is clearer than the Internal "error while marshaling" gRPC would report.
	if !utf8.ValidString(name) {
		return "", status.Error(codes.InvalidArgument, "name is not valid UTF-8")
	}

	// The deadline travels with the request: the server's ctx ends with it too.
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	reply, err := client.SayHello(ctx, &greeterpb.HelloRequest{Name: name})
	if err != nil {
		return "", err
	}
	return reply.GetMessage(), nil
}
