// Command server runs step 02's Factorizer on localhost:50051 (see -h).
package main

import (
	"google.golang.org/grpc"

	serverstream "github.com/grpc-streaming-workshop/workshop/02-server-stream"
	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	serve.Main(func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &serverstream.Server{})
	})
}
