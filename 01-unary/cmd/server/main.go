// Command server runs step 01's Greeter on localhost:50051 (see -h).
package main

import (
	"google.golang.org/grpc"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	serve.Main(func(s *grpc.Server) {
		greeterpb.RegisterGreeterServer(s, &unary.Server{})
	})
}
