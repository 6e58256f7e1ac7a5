package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	// packageDir is this package's folder, where go test starts (before any
	// test moves into a fixture).
	packageDir, _ = os.Getwd()

	buildOnce sync.Once
	builtBin  string
	gocache   []byte
	buildErr  error
)

// workshop runs this command, built once per test run, in the current
// folder with a cache folder of the test's own (the go command keeps its
// build cache), and returns what it printed (stdout and stderr together)
// and its error.
func workshop(t *testing.T, cache string, args ...string) (string, error) {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "workshop-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "workshop")
		build := exec.Command("go", "build", "-o", builtBin, ".")
		build.Dir = packageDir
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		gocache, buildErr = exec.Command("go", "env", "GOCACHE").Output()
	})
	if buildErr != nil {
		t.Fatalf("building the workshop command: %v", buildErr)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(builtBin, args...)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "GOCACHE="+strings.TrimSpace(string(gocache)), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAStepsNameShowsThatStep: `workshop 02` shows step 02 alone, its tasks
// and what to do next; a name that is neither a command nor a step says so
// in one line, with what would work.
func TestAStepsNameShowsThatStep(t *testing.T) {
	gitFixture(t)
	cache := t.TempDir()
	out, err := workshop(t, cache, "02")
	if err != nil {
		t.Fatalf("workshop 02: %v\n%s", err, out)
	}
	for _, want := range []string{"02-sum", "Next: 02-sum, task 1", "open 02-sum/sum.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("workshop 02 does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "01-sum") {
		t.Errorf("workshop 02 shows step 01 too:\n%s", out)
	}
	out, err = workshop(t, cache, "07")
	if err == nil || !strings.Contains(out, `unknown command "07"`) || strings.Count(out, "\n") > 2 {
		t.Errorf("workshop 07: %v, want a short error naming the command:\n%s", err, out)
	}
}

// TestTheFirstRunIsToldOnce: the words about the first build are for the
// first board of a clone; every later one goes without.
func TestTheFirstRunIsToldOnce(t *testing.T) {
	root := gitFixture(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // where firstRun looks, on Linux
	if !firstRun(root) {
		t.Fatal("a clone never built counts as built: the first board would not explain its wait")
	}
	banner := func(first bool) string {
		t.Helper()
		f, err := os.CreateTemp(t.TempDir(), "progress")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p := startProgress(f, 1, first)
		p.show() // what the board prints once a run has taken a while
		p.stop()
		data, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if out := banner(firstRun(root)); !strings.Contains(out, "The first run compiles") {
		t.Errorf("the first board's progress does not explain the wait:\n%s", out)
	}
	if _, err := workshop(t, cache); err != nil {
		t.Fatalf("the board: %v", err)
	}
	if firstRun(root) {
		t.Fatal("after a board, the clone still counts as never built")
	}
	if out := banner(firstRun(root)); strings.Contains(out, "The first run") {
		t.Errorf("a later board explains the first run again:\n%s", out)
	}
}
