package unary

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

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
	name := req.GetName()
	if err := validateName(name); err != nil {
		return nil, err
	}
	return &greeterpb.HelloReply{Message: "Hello, " + name + "!"}, nil
}

// validateName returns an InvalidArgument status error saying what is wrong
// with name, or nil if it can be greeted. The client sees the code and the
// message exactly as written here.
func validateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return status.Error(codes.InvalidArgument, "name must not be empty")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return status.Error(codes.InvalidArgument, fmt.Sprintf("name is %d characters long, at most %d are allowed", n, maxNameLen))
	}
	return nil
}
