// Command client greets someone through step 01's Greeter:
//
//	go run ./01-unary/cmd/client -name Ada
//
// The connection is made and closed by unary.GreetAt (you write it in
// dial.go). Later steps connect through internal/cli, which does the same.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc/status"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "server address")
	name := flag.String("name", "world", "who to greet")
	timeout := flag.Duration("timeout", 5*time.Second, "how long the call may take")
	flag.Parse()

	greeting, err := unary.GreetAt(context.Background(), *addr, *name, *timeout)
	if err != nil {
		// A gRPC error prints as its code and message, e.g.
		// "InvalidArgument: name must not be empty".
		st := status.Convert(err)
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
		os.Exit(1)
	}
	fmt.Println(greeting)
}
