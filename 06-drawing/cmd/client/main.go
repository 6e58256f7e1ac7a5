// Command client serves the drawing page on localhost:8080 and bridges every
// open page to step 06's Drawing server over one Mirror stream:
//
//	go run ./06-drawing/cmd/client
//
// then open the URL it prints. Ctrl-C stops it: every page's bridge is told
// to end, and a second Ctrl-C ends the program at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"

	drawing "github.com/grpc-streaming-workshop/workshop/06-drawing"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/web"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "gRPC server address")
	listen := flag.String("listen", web.DefaultAddr, "host:port to serve the drawing page on")
	flag.Parse()

	conn := cli.Dial(*addr, cli.SessionKeepalive)
	defer conn.Close()
	client := drawingpb.NewDrawingClient(conn)

	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		cli.Exit(err)
	}
	fmt.Printf("Draw at %s (mirrored by the server at %s; Ctrl-C to stop)\n", web.URL(*listen, lis), *addr)

	ctx := cli.Interrupted()
	host, _, _ := net.SplitHostPort(*listen)
	err = web.Serve(ctx, lis, func(ctx context.Context, page web.Page) error {
		return drawing.Bridge(ctx, page, client)
	}, slog.Default(), host)
	if err != nil {
		cli.Exit(err)
	}
}
