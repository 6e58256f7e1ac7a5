// Command client greets someone through step 01's Greeter:
//
//	go run ./01-unary/cmd/client -name Ada
package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	unary "github.com/grpc-streaming-workshop/workshop/01-unary"
	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	name := flag.String("name", "world", "who to greet")
	timeout := flag.Duration("timeout", 5*time.Second, "how long the call may take")
	flag.Parse()

	conn := cli.Dial(*addr)
	defer conn.Close()
	greeting, err := unary.Greet(context.Background(), greeterpb.NewGreeterClient(conn), *name, *timeout)
	if err != nil {
		cli.Exit(err)
	}
	fmt.Println(greeting)
}
