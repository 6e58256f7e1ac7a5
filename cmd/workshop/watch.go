package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/watch"
)

func runWatch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	timeout := fs.Duration("timeout", board.DefaultTimeout, "how long the step's tests may run before they count as hung")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := findRoot()
	if err != nil {
		return err
	}
	var step steps.Step
	switch fs.NArg() {
	case 0:
		if step, err = currentStep(ctx, root, *timeout); err != nil {
			return err
		}
	case 1:
		if step, err = steps.Find(root, fs.Arg(0)); err != nil {
			return err
		}
	default:
		return errors.New("usage: watch [step]")
	}

	ctx, quit := context.WithCancel(ctx)
	defer quit()
	manual := make(chan struct{})
	go func() {
		for {
			line, err := stdin.ReadString('\n')
			if err != nil {
				return // no input (not a terminal, or closed): events only
			}
			if strings.TrimSpace(line) == "q" {
				quit()
				return
			}
			select {
			case manual <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()

	st := style()
	st.Watching = true
	following := followingStep(root, step)
	return watch.Run(ctx, watch.Config{
		Dirs:   []string{step.Dir()},
		Manual: manual,
		Warn: func(err error) {
			fmt.Fprintf(os.Stderr, "watch: %v (saves may go unnoticed here: press Enter to re-run)\n", err)
		},
		Changed: func(path string) {
			rel, err := filepath.Rel(step.Dir(), path)
			if err != nil {
				rel = path
			}
			fmt.Println(st.Yellow(fmt.Sprintf("… %s saved: running %s's tests", filepath.ToSlash(rel), step.Name)))
		},
		Run: func(ctx context.Context) {
			show := watchRun(ctx, root, step, following, *timeout, st)
			if ctx.Err() == nil {
				show()
			}
		},
	})
}

// watchRun runs a step's tests and returns how to print the verdict; the
// caller prints it only if no newer save has made it stale.
func watchRun(ctx context.Context, root string, step steps.Step, following string, timeout time.Duration, st board.Style) func() {
	start := time.Now()
	b, err := loadBoard(ctx, root, []steps.Step{step}, timeout, true)
	took := time.Since(start)
	return func() {
		if board.Terminal(os.Stdout) {
			fmt.Print("\x1b[H\x1b[2J") // a fresh screen for each verdict
		}
		if err != nil {
			fmt.Fprintln(os.Stdout, "watch:", err)
		} else {
			board.RenderStep(os.Stdout, b[0], st)
			if b[0].Done() && following != "" {
				fmt.Printf("On to the next step: %s watch %s\n", selfCommand, board.ShortName(following))
			}
		}
		fmt.Println(st.Dim(fmt.Sprintf("\n%s · tests took %.1fs · watching %s: save a file, or press Enter to re-run · Ctrl-C stops",
			time.Now().Format("15:04:05"), took.Seconds(), step.Name)))
	}
}

// currentStep is the first step whose tests do not all pass yet.
func currentStep(ctx context.Context, root string, timeout time.Duration) (steps.Step, error) {
	all, err := steps.Discover(root)
	if err != nil {
		return steps.Step{}, err
	}
	if len(all) == 0 {
		return steps.Step{}, fmt.Errorf("no steps in %s", root)
	}
	// Run from inside a step's folder, watch that step.
	if wd, err := os.Getwd(); err == nil {
		for _, s := range all {
			if rel, err := filepath.Rel(s.Dir(), wd); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return s, nil
			}
		}
	}
	b, err := loadBoard(ctx, root, all, timeout, false)
	if err != nil {
		return steps.Step{}, err
	}
	if next := board.NextStep(b); next != nil {
		return next.Step, nil
	}
	return all[len(all)-1], nil
}

// followingStep is the name of the step after step, or "".
func followingStep(root string, step steps.Step) string {
	all, _ := steps.Discover(root)
	for i, s := range all {
		if s.Name == step.Name && i+1 < len(all) {
			return all[i+1].Name
		}
	}
	return ""
}
