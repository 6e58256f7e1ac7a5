package verify

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// goCommand runs `go args...` in dir and returns its output as the error if it fails.
func goCommand(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// skipDir reports whether a walk of the tree should leave out dir: the go
// command ignores folders whose names start with "." or "_", and so do we.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// walkFiles calls fn for each regular file under root, outside skipped folders.
func walkFiles(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return fn(path)
	})
}

// checkGofmt lists the .go files that gofmt would change.
func checkGofmt(root string) error {
	var bad []string
	err := walkFiles(root, func(path string) error {
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		formatted, err := format.Source(src)
		if err != nil || !bytes.Equal(src, formatted) {
			rel, _ := filepath.Rel(root, path)
			bad = append(bad, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("run gofmt -w on: %s", strings.Join(bad, ", "))
	}
	return nil
}

// isGenerated reports whether path is protobuf output, which go generate owns.
func isGenerated(path string) bool {
	return strings.HasSuffix(path, ".pb.go")
}

// checkGenerated runs `go generate ./...` in a copy of the tree from which
// all generated files were removed, and compares the result with the tree:
// a stale, hand-edited, missing or orphaned generated file is a failure. The
// tree itself is never written to.
func checkGenerated(ctx context.Context, root string) error {
	tmp, err := os.MkdirTemp("", "workshop-generate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(root, tmp); err != nil {
		return err
	}
	if err := goCommand(ctx, tmp, "generate", "./..."); err != nil {
		return err
	}

	want, err := generatedFiles(tmp)
	if err != nil {
		return err
	}
	have, err := generatedFiles(root)
	if err != nil {
		return err
	}
	var problems []string
	for _, rel := range sortedKeys(want) {
		got, ok := have[rel]
		switch {
		case !ok:
			problems = append(problems, rel+": missing (run go generate ./... and commit it)")
		case !bytes.Equal(got, want[rel]):
			problems = append(problems, rel+": out of date (run go generate ./... and commit it)")
		}
	}
	for _, rel := range sortedKeys(have) {
		if _, ok := want[rel]; !ok {
			problems = append(problems, rel+": no .proto generates it any more (delete it)")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// copyTree copies the files under src to dst, leaving out skipped folders
// and generated files (so that go generate must recreate every one).
func copyTree(src, dst string) error {
	return walkFiles(src, func(path string) error {
		if isGenerated(path) {
			return nil
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// generatedFiles maps each generated file under root, by relative path, to its content.
func generatedFiles(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := walkFiles(root, func(path string) error {
		if !isGenerated(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	return files, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkTooling runs the tests of the code that is not a step: the shared
// plumbing under internal/, the workshop command itself, and the claims
// under docs/ (what the prose says of grpc-go, as example tests).
func checkTooling(ctx context.Context, root string) error {
	var patterns []string
	for _, dir := range []string{"internal", "cmd", "docs"} {
		if _, err := os.Stat(filepath.Join(root, dir)); err == nil {
			patterns = append(patterns, "./"+dir+"/...")
		}
	}
	if len(patterns) == 0 {
		return nil
	}
	return goCommand(ctx, root, append([]string{"test", "-race", "-count=1"}, patterns...)...)
}
