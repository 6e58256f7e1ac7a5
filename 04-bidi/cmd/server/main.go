// Command server runs step 04's Factorizer on localhost:50051 (see -h).
package main

import (
	"google.golang.org/grpc"

	bidi "github.com/grpc-streaming-workshop/workshop/04-bidi"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	serve.Main(func(s *grpc.Server) {
		factorpb.RegisterFactorizerServer(s, &bidi.Server{})
	})
}
