// Command server runs step 01's Greeter:
//
//	go run ./01-unary/cmd/server [-addr localhost:50051]
//
// This is the whole program around a gRPC service, written out: listen on an
// address, create a server, register the services, serve, and stop
// gracefully on Ctrl-C. Later steps do the same through internal/serve,
// which adds logging and a bound on how long the stop may take.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "host:port to listen on (loopback only by default)")
	flag.Parse()

	// ctx is done at the first Ctrl-C or SIGTERM; a second one, once stop
	// has run, ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()

	// Listening first means a bad address fails here, before anything runs.
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("Greeter listening on %s (Ctrl-C stops it)", lis.Addr())
	if err := serve(ctx, lis, &unary.Server{}); err != nil {
		log.Fatal(err)
	}
	log.Print("stopped")
}

// serve runs greeter on lis, with the health and reflection services beside
// it, until ctx is done; then it stops gracefully and returns nil.
func serve(ctx context.Context, lis net.Listener, greeter greeterpb.GreeterServer) error {
	// TODO(task 6): serve greeter, health (SERVING) and reflection on lis until
	// ctx is done (grpc.NewServer). TestTask6_…
	// TODO(task 7): when ctx is done, calls in flight finish and only then does
	// serve return. TestTask7_StopLetsTheCallInFlightFinish.
	return errors.New("TODO(task 6): serve on lis in 01-unary/cmd/server/main.go — see 01-unary/README.md")
}
