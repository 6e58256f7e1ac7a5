// Command workshop is the workshop's companion; run it with no arguments for help.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

// command is one subcommand of the workshop tool.
type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string) error
}

var commands = []command{
	{"bench", "<step>", "run the step's benchmarks on the reference solution (your files stay as they are)", runBench},
	{"verify", "", "for maintainers and CI: gofmt, vet, generated code, and for every step its task\n\ttests fail on the skeleton and pass on the solution", runVerify},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		return
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "workshop "+c.name+":", err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "workshop: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(2)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./cmd/workshop <command> [arguments]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %s %s\n\t%s\n", c.name, c.args, c.help)
	}
}
