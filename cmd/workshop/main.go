// Command workshop is the workshop's companion.
//
//	go run ./cmd/workshop verify   prove every step: skeletons fail, solutions pass
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/grpc-streaming-workshop/workshop/internal/verify"
)

const usage = `usage: go run ./cmd/workshop <command>

commands:
  verify   for maintainers and CI: gofmt, vet, generated code, and for every
           step, its task tests fail on the skeleton and pass on the solution
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "verify":
		if err := verify.Run(ctx, ".", os.Stdout, verify.Options{}); err != nil {
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
