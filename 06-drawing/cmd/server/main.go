// Command server runs step 06's Drawing service on localhost:50051 (see -h).
package main

import (
	"google.golang.org/grpc"

	drawing "github.com/grpc-streaming-workshop/workshop/06-drawing"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	serve.Main(func(s *grpc.Server) {
		drawingpb.RegisterDrawingServer(s, &drawing.Server{})
	})
}
