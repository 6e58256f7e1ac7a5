// Command client prints the prime factors of a number through step 02's
// Factorizer, one line per factor, as each arrives:
//
//	go run ./02-server-stream/cmd/client -n 600851475143
//
// Ctrl-C cancels the call, and the server stops searching.
package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	serverstream "github.com/grpc-streaming-workshop/workshop/02-server-stream"
	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	number := flag.Int64("n", 600851475143, "the number to factor, at least 2")
	first := flag.Int("first", 0, "stop after this many factors (0: all of them)")
	timeout := flag.Duration("timeout", 10*time.Second, "how long the call may take")
	flag.Parse()

	ctx := cli.Interrupted() // a second Ctrl-C ends the program at once
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	conn := cli.Dial(*addr)
	defer conn.Close()
	err := serverstream.Factorize(ctx, factorspb.NewFactorizerClient(conn), *number, *first, func(prime int64) {
		fmt.Println(prime)
	})
	if err != nil {
		cli.Exit(err)
	}
}
