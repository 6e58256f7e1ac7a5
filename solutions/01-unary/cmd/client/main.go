// Command client greets someone through step 01's Greeter:
//
//	go run ./01-unary/cmd/client -name Ada
//
// This is the whole program around a gRPC call, written out: connect, call,
// close. Later steps connect through internal/cli, which does the same.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "server address")
	name := flag.String("name", "world", "who to greet")
	timeout := flag.Duration("timeout", 5*time.Second, "how long the call may take")
	flag.Parse()

	greeting, err := greet(context.Background(), *addr, *name, *timeout)
	if err != nil {
		// A gRPC error prints as its code and message, e.g.
		// "InvalidArgument: name must not be empty".
		st := status.Convert(err)
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
		os.Exit(1)
	}
	fmt.Println(greeting)
}

// greet connects to the Greeter at addr, greets name with unary.Greet, and
// closes the connection before it returns.
//
// grpc.NewClient does not connect yet: the first call does, so a server that
// is not there shows up as that call's Unavailable error, not here. A
// ClientConn is meant to live long and carry many calls; a program that
// makes one call closes it when done, which ends its goroutines and the TCP
// connection.
func greet(ctx context.Context, addr, name string, timeout time.Duration) (string, error) {
	// Plaintext is fine on loopback; anything that crosses a network
	// deserves TLS (credentials.NewTLS).
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", err // a malformed address: nothing was dialled yet
	}
	defer conn.Close()
	return unary.Greet(ctx, greeterpb.NewGreeterClient(conn), name, timeout)
}
