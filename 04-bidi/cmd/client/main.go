// Command client factors the numbers you type, one per line, through step
// 04's Factorizer, printing each answer as soon as it arrives. Ctrl-D ends
// the input (the client then waits for the last answers); Ctrl-C gives up.
//
//	go run ./04-bidi/cmd/client
//	printf '12\n97\nfoo\n1\n' | go run ./04-bidi/cmd/client
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	bidi "github.com/grpc-streaming-workshop/workshop/04-bidi"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	timeout := flag.Duration("timeout", 0, "how long the whole session may take (0: no limit)")
	flag.Parse()

	ctx := cli.Interrupted() // a second Ctrl-C ends the program at once
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintln(os.Stderr, "Type numbers, one per line. Ctrl-D to finish, Ctrl-C to give up.")
	}

	conn := cli.Dial(*addr)
	defer conn.Close()
	if err := bidi.Factorize(ctx, factorpb.NewFactorizerClient(conn), os.Stdin, os.Stdout); err != nil {
		cli.Exit(err)
	}
}
