package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/hints"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

func runHint(ctx context.Context, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: hint <step> [task], e.g. hint 01 2")
	}
	root, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	all, err := hints.Load(step.Dir())
	if err != nil {
		return err
	}
	var n int
	if len(args) == 2 {
		if n, err = strconv.Atoi(args[1]); err != nil {
			return fmt.Errorf("task %q: want a task number such as 2", args[1])
		}
	} else {
		// No task given: the step's next one, from its tests.
		b, err := loadBoard(ctx, root, []steps.Step{step}, board.DefaultTimeout, false)
		if err != nil {
			return err
		}
		next := b[0].Next()
		if next == nil {
			fmt.Printf("Every task of %s passes: no hint needed. Compare with the solution: %s solution %s\n", step.Name, selfCommand, args[0])
			return nil
		}
		n = next.N
	}
	task, err := hints.Find(all, n)
	if err != nil {
		return err
	}

	seenFile := ""
	if dir, err := cacheDir(root); err == nil {
		seenFile = filepath.Join(dir, "hints.json")
	}
	seen, err := hints.OpenSeen(seenFile)
	if err != nil {
		return err
	}
	shown, err := seen.Next(step.Name, n, len(task.Hints))
	if err != nil {
		fmt.Println("(could not remember this hint:", err, ")")
	}
	printHints(step, task, shown)
	return nil
}

// printHints prints the hints shown so far, the newest last, each wrapped to
// the terminal with its code shown as code; the earlier ones dimmed.
func printHints(step steps.Step, task hints.Task, shown int) {
	st := style()
	width := terminalWidth()
	fmt.Printf("%s, task %d — %s\n\n", step.Name, task.N, task.Title)
	for i := 0; i < shown; i++ {
		heading := fmt.Sprintf("Hint %d of %d", i+1, len(task.Hints))
		code, text := st.Code, st.Bold
		if i < shown-1 {
			code, text = st.Dim, st.Dim
		}
		fmt.Println(text(heading))
		for _, line := range strings.Split(hints.Render(task.Hints[i], width-2, code), "\n") {
			fmt.Println(strings.TrimRight("  "+line, " "))
		}
		fmt.Println()
	}
	if shown < len(task.Hints) {
		fmt.Printf("Still stuck? Run it again for the next hint: %s hint %s %d\n", selfCommand, board.ShortName(step.Name), task.N)
	} else {
		fmt.Printf("That was the last hint. The finished code: %s solution %s\n", selfCommand, board.ShortName(step.Name))
	}
}

// terminalWidth is the width of the terminal on stdout, or 80.
func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		return min(w, 100)
	}
	return 80
}
