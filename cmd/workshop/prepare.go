package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// runPrepare downloads and builds, ahead of time, everything a workshop day
// needs, so that nothing later compiles in silence and the day works
// offline: the modules, the steps' tests (plain, for the board and watch,
// and with the race detector), grpcurl, and the finished servers and
// clients that demo runs. Each stage says what it does and how long it took.
func runPrepare(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return errors.New("prepare takes no arguments")
	}
	root, err := findRoot()
	if err != nil {
		return err
	}
	all, err := steps.Discover(root)
	if err != nil {
		return err
	}
	var patterns []string
	for _, s := range all {
		patterns = append(patterns, s.Pattern())
	}
	tmp, err := os.MkdirTemp("", "workshop-prepare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	stages := []struct {
		what  string
		quiet bool // it shows its own progress
		run   func() error
	}{
		{"downloading the modules (gRPC, protobuf, the tools)", false, func() error {
			return goCmd(ctx, root, "mod", "download")
		}},
		{"compiling the steps' tests for the board and watch", true, func() error {
			_, err := loadBoard(ctx, root, all, board.DefaultTimeout, false)
			return err
		}},
		{"compiling the steps' tests with the race detector (go test -race)", false, func() error {
			return goCmd(ctx, root, append([]string{"test", "-race", "-count=1", "-run=^$"}, patterns...)...)
		}},
		{"building grpcurl (go tool grpcurl)", false, func() error {
			return goCmd(ctx, root, "tool", "grpcurl", "-version")
		}},
		{"building the finished servers, clients and demos for demo", false, func() error {
			for _, s := range all {
				if _, _, err := buildDemo(ctx, root, filepath.Join(tmp, s.Name), s, ownDemo(s)...); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	start := time.Now()
	for i, stage := range stages {
		fmt.Printf("[%d/%d] %s…\n", i+1, len(stages), stage.what)
		began := time.Now()
		stop := func() {}
		if !stage.quiet {
			stop = ticker(fmt.Sprintf("      still %s", stage.what))
		}
		err := stage.run()
		stop()
		if err != nil {
			return fmt.Errorf("%s: %w", stage.what, err)
		}
		fmt.Printf("      done in %s\n", time.Since(began).Round(time.Second))
	}
	markBuilt(root)
	fmt.Printf("Ready in %s: the workshop now works offline. Start with %s\n", time.Since(start).Round(time.Second), selfCommand)
	return nil
}

// goCmd runs the go command in root, its messages (downloads, errors) shown.
func goCmd(ctx context.Context, root string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	return cmd.Run()
}

// ticker prints what every 10 s until stopped, so that a long stage is
// never silent.
func ticker(what string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		began := time.Now()
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Printf("%s (%ds)\n", what, int(time.Since(began).Seconds()))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// builtMarker is the file, in the clone's cache folder, that says the
// steps were compiled once already: the first-run banner is not shown again.
func builtMarker(root string) string {
	dir, err := cacheDir(root)
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "built")
}

func markBuilt(root string) {
	if path := builtMarker(root); path != "" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, nil, 0o644)
	}
}

// firstRun reports whether the steps were never compiled for this clone.
func firstRun(root string) bool {
	path := builtMarker(root)
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return err != nil
}
