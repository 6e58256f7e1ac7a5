package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// markEdited sets, for each step of b, when the learner last changed one of
// its files (editedTimes). The board's Next then follows the learner.
func markEdited(ctx context.Context, root string, b []*board.Step) {
	edited := editedTimes(ctx, root)
	for _, s := range b {
		s.Edited = edited[s.Name]
	}
}

// editedTimes returns, for each step folder, when the learner last changed
// one of its Go files: the newest modification time among the files git
// reports as changed (tests aside). Without git it returns nothing, and
// the board goes by the tests alone.
func editedTimes(ctx context.Context, root string) map[string]time.Time {
	out, err := gitOutput(ctx, root, "-c", "core.quotepath=off", "status", "--porcelain", "--untracked-files=all", "--", "*.go")
	if err != nil {
		return nil
	}
	edited := map[string]time.Time{}
	for _, line := range strings.Split(out, "\n") {
		if len(line) < 4 {
			continue
		}
		path := strings.TrimSpace(line[3:])
		if _, renamed, ok := strings.Cut(path, " -> "); ok {
			path = renamed
		}
		stepName, _, _ := strings.Cut(path, "/")
		if strings.HasSuffix(path, "_test.go") || !strings.Contains(path, "/") {
			continue
		}
		if info, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); err == nil && info.ModTime().After(edited[stepName]) {
			edited[stepName] = info.ModTime()
		}
	}
	return edited
}

// lastEdited is the step of all whose files the learner changed last, by
// edited (editedTimes), or else the first step: where a fresh board looks
// first.
func lastEdited(edited map[string]time.Time, all []steps.Step) steps.Step {
	last := all[0]
	for _, s := range all {
		if edited[s.Name].After(edited[last.Name]) {
			last = s
		}
	}
	return last
}
