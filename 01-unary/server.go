package unary

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// maxNameLen is the longest name SayHello accepts, in characters (runes).
const maxNameLen = 100

// Server implements the Greeter service of greeter.proto.
//
// It embeds greeterpb.UnimplementedGreeterServer by value: grpc-go requires it,
// so that an rpc added to the proto later answers Unimplemented instead of
// breaking the build. You override the methods you implement.
type Server struct {
	greeterpb.UnimplementedGreeterServer
}

// SayHello is a unary rpc: one request in, one reply (or one status error)
// out. gRPC calls it on its own goroutine for every incoming call; ctx is the
// call's context and is done when the client cancels or its deadline passes.
func (s *Server) SayHello(ctx context.Context, req *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	// TODO(task 2): a blank name, or one over maxNameLen characters, is refused
	// with InvalidArgument and a message saying why. TestTask2_RejectsBadNames.

	// TODO(task 1): the reply greets the caller by name: "Hello, Ada!".
	// TestTask1_GreetsByName.
	return nil, status.Error(codes.Unimplemented, "TODO(task 1): greet by name in 01-unary/server.go — see 01-unary/README.md")
}
