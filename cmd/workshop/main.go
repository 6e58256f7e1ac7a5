// Command workshop is the learner's companion through the workshop: run it
// with no arguments to see where you stand, or with -h for every command.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// command is one subcommand of the workshop tool.
type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string) error
}

var commands = []command{
	{"board", "[-timeout 60s]", "(the default) every step and task: ✓ passing, ✗ failing, · not started;\n\tthen the next task, the file to open and what its first failing test says", runBoard},
	{"watch", "[-timeout 60s] [step]", "re-run a step's tests on every save and show the verdict (default: the\n\tstep you are on); press Enter to re-run by hand", runWatch},
	{"hint", "<step> [task]", "the next hint for a task (default: the next task of the step), gentlest first", runHint},
	{"solution", "<step>", "show how your files differ from the step's solution (asks first while the\n\tstep's tests still fail)", runSolution},
	{"reset", "<step>", "put the step's files you edit back as they were (uses git; asks first)", runReset},
	{"demo", "<step> [client flags]", "run the finished step: its server and its client (or the step's own cmd/demo),\n\tbuilt from the solution (your files are not touched); input you type goes to the client", runDemo},
	{"bench", "<step>", "run the step's benchmarks on the reference solution (your files stay as they are)", runBench},
	{"prepare", "", "the evening before a workshop: download and build everything the day needs\n\t(tests, race builds, grpcurl, demo binaries), so that it then works offline", runPrepare},
	{"verify", "[-fresh] [step...]", "for maintainers and CI: gofmt, vet, generated code, and for every step: its task\n\ttests fail on the skeleton, pass on the solution, and catch every mistake in\n\tits catalog of mistakes and pass every alternative of its catalog of\n\tcorrect solutions (solutions/NN-step/testdata), remembering verdicts\n\tuntil something changes (-fresh tries them all again); given steps, only their checks", runVerify},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if root, err := findRoot(); err == nil {
		selfCommand = commandFrom(root)
	}
	args := os.Args[1:]
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		usage(os.Stdout)
		return
	}
	name := "board"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			if err := c.run(ctx, args); err != nil {
				fmt.Fprintln(os.Stderr, "workshop "+c.name+":", err)
				os.Exit(1)
			}
			return
		}
	}
	// A step's name shows that step: `workshop 04`.
	if root, err := findRoot(); err == nil {
		if _, err := steps.Find(root, name); err == nil {
			if err := runStep(ctx, append([]string{name}, args...)); err != nil {
				fmt.Fprintln(os.Stderr, "workshop:", err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "workshop: unknown command %q: run `%s help` for the commands, or name a step (`%s 01`)\n", name, selfCommand, selfCommand)
	os.Exit(2)
}

func usage(w *os.File) {
	fmt.Fprintln(w, `usage: go run ./cmd/workshop [command] [arguments]

A step is named by its number or its folder: "01" or "01-unary"; a step's
name alone (go run ./cmd/workshop 04) shows that step and its next task.

commands:`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n\t%s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
	fmt.Fprintln(w, `
-timeout bounds one step's test run; a test still running then is reported as
hung (its deadline never fired). Colours are used on a terminal unless NO_COLOR
is set. Everything works offline once the modules are downloaded and needs only
Go, except reset, which restores files with git.`)
}
