// Command server runs step 01's Greeter:
//
//	go run ./01-unary/cmd/server [-addr localhost:50051]
//
// It is the whole program around a gRPC service: listen on an address, then
// unary.Serve (which you write in serve.go) until the first Ctrl-C or
// SIGTERM. Later steps do the same through internal/serve, which adds
// logging and a bound on how long a stop may take.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "host:port to listen on (loopback only by default)")
	flag.Parse()

	// ctx is done at the first Ctrl-C or SIGTERM. stop then restores the
	// default handling, so that a second Ctrl-C ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()

	// Listening first means a bad or busy address fails here, at once.
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("Greeter listening on %s (Ctrl-C stops it)", lis.Addr())
	if err := unary.Serve(ctx, lis, &unary.Server{}); err != nil {
		log.Fatal(err)
	}
	log.Print("stopped")
}
