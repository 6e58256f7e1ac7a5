package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

func runReset(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: reset <step>, e.g. reset 01")
	}
	root, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	changed, err := changedLearnerFiles(ctx, root, step)
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		fmt.Printf("Your files in %s are as they were at the start: nothing to reset.\n", step.Name)
		return nil
	}
	fmt.Printf("This puts back, as they were in git, and loses your changes to:\n  %s\n", strings.Join(changed, "\n  "))
	if !confirm("Reset them?") {
		fmt.Println("Nothing changed.")
		return nil
	}
	if err := git(ctx, root, append([]string{"checkout", "HEAD", "--"}, changed...)...); err != nil {
		return err
	}
	fmt.Printf("Reset %d file(s) of %s.\n", len(changed), step.Name)
	return nil
}

// changedLearnerFiles lists the step's learner-edited files (those its
// solution folder holds) that differ from the last commit, as paths relative
// to root with forward slashes, as git wants them.
func changedLearnerFiles(ctx context.Context, root string, step steps.Step) ([]string, error) {
	files, err := step.EditableFiles()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, path.Join(step.Name, strings.ReplaceAll(f, `\`, "/")))
	}
	out, err := gitOutput(ctx, root, append([]string{"-c", "core.quotepath=off", "diff", "--name-only", "--relative", "HEAD", "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			changed = append(changed, l)
		}
	}
	return changed, nil
}

// errNoGit explains what reset needs.
var errNoGit = errors.New("reset restores files from git, and git is not installed (or not on PATH); " +
	"install git, or copy the files back from a fresh download of the workshop")

func git(ctx context.Context, dir string, args ...string) error {
	_, err := gitOutput(ctx, dir, args...)
	return err
}

func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", errNoGit
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
