// Command client is a member of step 08's room: it dials every replica
// given, says each line typed, and prints every event. When its replica
// stops it carries on on another, where it left off. /quit, the end of
// input or Ctrl-C leaves.
//
//	go run ./08-scale-out/cmd/client -name ada -addr localhost:50051,localhost:50052,localhost:50053
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	scaleout "github.com/grpc-streaming-workshop/workshop/08-scale-out"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/internal/render"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

// quit is the line that leaves the room (as does the end of input).
const quit = "/quit"

func main() {
	addrs := flag.String("addr", "localhost:50051,localhost:50052,localhost:50053", "the replicas' host:port, separated by commas")
	name := flag.String("name", "", "your name in the room")
	flag.Parse()

	conn, err := scaleout.Dial(strings.Split(*addrs, ","), cli.SessionKeepalive, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cli.Exit(err)
	}
	defer conn.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	says := make(chan string)
	go func() {
		defer close(says)
		lines := bufio.NewScanner(os.Stdin)
		for lines.Scan() {
			if lines.Text() == quit {
				return
			}
			select {
			case says <- lines.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	err = scaleout.Chat(ctx, conn, *name, says, func(ev *roompb.ServerEvent) { fmt.Println(render.Line(ev)) })
	if err != nil && ctx.Err() == nil { // Ctrl-C is a way to leave, not an error
		cli.Exit(err)
	}
}
