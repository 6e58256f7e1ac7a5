// Command client streams the numbers on its standard input to step 03's Stats
// service and prints their summary:
//
//	seq 1 1000000 | go run ./03-client-stream/cmd/client
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	clientstream "github.com/grpc-streaming-workshop/workshop/03-client-stream"
	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	timeout := flag.Duration("timeout", 30*time.Second, "how long the whole call, input included, may take")
	flag.Parse()

	conn := cli.Dial(*addr)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	summary, err := clientstream.Summarize(ctx, statspb.NewStatsClient(conn), os.Stdin)
	if err != nil {
		cli.Exit(err)
	}
	// %.15g prints up to 15 significant digits without an exponent below
	// 10¹⁵, so 1000000 stays 1000000 rather than 1e+06.
	fmt.Printf("count %d\nsum   %.15g\nmean  %.15g\nmin   %.15g\nmax   %.15g\n",
		summary.GetCount(), summary.GetSum(), summary.GetMean(), summary.GetMin(), summary.GetMax())
}
