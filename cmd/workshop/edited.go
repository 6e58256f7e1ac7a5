package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/internal/board"
)

// markEdited sets, for each step of b, when the learner last changed one of
// its Go files: the newest modification time among the files git reports as
// changed. The board's Next then follows the learner. Without git, nothing
// is marked and the board goes by the tests alone.
func markEdited(ctx context.Context, root string, b []*board.Step) {
	out, err := gitOutput(ctx, root, "-c", "core.quotepath=off", "status", "--porcelain", "--untracked-files=all", "--", "*.go")
	if err != nil {
		return
	}
	byName := map[string]*board.Step{}
	for _, s := range b {
		byName[s.Name] = s
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) < 4 {
			continue
		}
		path := strings.TrimSpace(line[3:])
		if _, renamed, ok := strings.Cut(path, " -> "); ok {
			path = renamed
		}
		stepName, _, _ := strings.Cut(path, "/")
		s := byName[stepName]
		if s == nil || strings.HasSuffix(path, "_test.go") {
			continue
		}
		if info, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); err == nil && info.ModTime().After(s.Edited) {
			s.Edited = info.ModTime()
		}
	}
}
