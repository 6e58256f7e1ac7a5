// Command server runs step 03's Stats service on localhost:50051 (see -h).
package main

import (
	"google.golang.org/grpc"

	clientstream "github.com/grpc-streaming-workshop/workshop/03-client-stream"
	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	serve.Main(func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &clientstream.Server{})
	})
}
