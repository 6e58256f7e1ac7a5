// Command client greets someone through step 01's Greeter:
//
//	go run ./01-unary/cmd/client -name Ada
//
// This is the whole program around a gRPC call, written out: connect, call,
// close. Later steps connect through internal/cli, which does the same.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc/status"
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
func greet(ctx context.Context, addr, name string, timeout time.Duration) (string, error) {
	// TODO(task 8): connect to addr in plaintext (loopback only: no TLS) with
	// grpc.NewClient, greet through it, and close it. TestTask8_… watch the server.
	return "", errors.New("TODO(task 8): connect in 01-unary/cmd/client/main.go — see 01-unary/README.md")
}
