package main

import (
	"context"
	"errors"
	"os"
	"os/exec"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// runBench runs a step's benchmarks with the solution laid over the skeleton
// (go's -overlay): benchmarks measure the reference code, not a half-done task.
func runBench(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: bench <step>, e.g. bench 04")
	}
	_, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "workshop-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	overlay, err := steps.WriteOverlay(tmp, step)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-overlay="+overlay, "-run=^$", "-bench=.", "-benchmem", "./"+step.Name+"/")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
