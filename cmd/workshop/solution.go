package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

func runSolution(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: solution <step>, e.g. solution 01")
	}
	root, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	if _, err := os.Stat(step.SolutionDir()); err != nil {
		return fmt.Errorf("there is no %s/%s folder here (deleted so as not to peek?): git checkout HEAD -- %s/%s brings it back",
			steps.SolutionsDir, step.Name, steps.SolutionsDir, step.Name)
	}
	b, err := loadBoard(ctx, root, []steps.Step{step}, board.DefaultTimeout, false)
	if err != nil {
		return err
	}
	st := style()
	if s := b[0]; !s.Done() {
		fmt.Printf("%s is not finished yet (%s). Reading the solution now gives away what the\n"+
			"tests are there to teach; a hint may be all you need: %s hint %s\n",
			step.Name, st.Summary(s), selfCommand, board.ShortName(step.Name))
		if !confirm("Show the solution anyway?") {
			return nil
		}
	}
	diffs, err := solutionDiff(step)
	if err != nil {
		return err
	}
	if diffs == "" {
		fmt.Printf("Your files in %s are the same as the solution.\n", step.Name)
		return nil
	}
	fmt.Printf("How the solution (+) differs from your files (-):\n\n")
	printDiff(diffs, st)
	return nil
}

// solutionDiff is a unified diff from each learner file of the step to the
// solution's version of it. go-udiff is the Myers diff of the Go tools
// (golang.org/x/tools/internal/diff) made importable, with no dependencies.
func solutionDiff(step steps.Step) (string, error) {
	files, err := step.LearnerFiles()
	if err != nil {
		return "", err
	}
	var all strings.Builder
	for _, f := range files {
		mine, err := os.ReadFile(filepath.Join(step.Dir(), f))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		theirs, err := os.ReadFile(filepath.Join(step.SolutionDir(), f))
		if err != nil {
			return "", err
		}
		slashed := filepath.ToSlash(f)
		all.WriteString(udiff.Unified(step.Name+"/"+slashed, steps.SolutionsDir+"/"+step.Name+"/"+slashed, string(mine), string(theirs)))
	}
	return all.String(), nil
}

func printDiff(diff string, st board.Style) {
	for _, l := range strings.SplitAfter(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			fmt.Print(st.Bold(strings.TrimSuffix(l, "\n")) + "\n")
		case strings.HasPrefix(l, "+"):
			fmt.Print(st.Green(strings.TrimSuffix(l, "\n")) + "\n")
		case strings.HasPrefix(l, "-"):
			fmt.Print(st.Red(strings.TrimSuffix(l, "\n")) + "\n")
		case strings.HasPrefix(l, "@@"):
			fmt.Print(st.Dim(strings.TrimSuffix(l, "\n")) + "\n")
		default:
			fmt.Print(l)
		}
	}
}
