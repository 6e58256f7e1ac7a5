package mistakes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grpc-streaming-workshop/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/internal/steps"
)

// Deadline is how long the step's tests may take to catch a mistake. A
// mistake that makes a test hang must be caught by that test's own deadline,
// which names the likely cause, well before this.
const Deadline = 30 * time.Second

// namesATask matches a failure that tells the learner where to look.
var namesATask = regexp.MustCompile(`\btasks? [0-9]`)

// Outcome is what the step's tests made of one mistake.
type Outcome struct {
	Mistake Mistake
	By      string        // the failing test that caught it, if any
	Cached  bool          // caught before, and nothing it depends on changed since
	Problem string        // why it counts as missed (empty if caught)
	Took    time.Duration // the go test run, build included
}

// Caught reports whether a test failed, naming a task, within the deadline.
func (o Outcome) Caught() bool { return o.Problem == "" }

// Check runs the tests of each mistake's step with the mistake laid over the
// solution (by `go test -overlay`: the tree is never touched), several at
// once, without -race (the race detector is for the solutions; a mistake
// only has to be caught). tmp holds the edited files. The outcomes come back
// in the order of all.
//
// With fresh set, every mistake is tried; otherwise one caught before, with
// nothing it depends on changed since, is not tried again (see cache).
func Check(ctx context.Context, root, tmp string, all []Mistake, fresh bool) []Outcome {
	out := make([]Outcome, len(all))
	remembered := openCache(root)
	work := make(chan int)
	var wg sync.WaitGroup
	// Twice as many at once as there are cores: a mistake caught by a
	// test's deadline spends seconds waiting, not computing, and the others
	// build meanwhile.
	for range 2 * max(1, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if by, ok := remembered.caught(all[i]); ok && !fresh {
					out[i] = Outcome{Mistake: all[i], By: by, Cached: true}
					continue
				}
				out[i] = check(ctx, root, filepath.Join(tmp, fmt.Sprint(i)), all[i])
				if out[i].Caught() && ctx.Err() == nil {
					remembered.remember(all[i], out[i].By)
				}
			}
		}()
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

func check(ctx context.Context, root, dir string, m Mistake) (o Outcome) {
	o.Mistake = m
	start := time.Now()
	defer func() { o.Took = time.Since(start) }()

	overlay, pkgs, err := writeOverlay(dir, m)
	if err != nil {
		o.Problem = err.Error()
		return o
	}
	// Speed matters here: -vet=off (the solutions are vetted once, whole),
	// and a link without debugger tables (a panic still names files and
	// lines); -failfast stops at the first test that catches the mistake.
	args := append([]string{"-overlay=" + overlay, "-count=1", "-failfast", "-vet=off", "-ldflags=-s -w", "-timeout=" + Deadline.String()}, pkgs...)
	report, err := gotest.Run(ctx, root, args...)
	if err != nil {
		o.Problem = err.Error()
		return o
	}
	o.By, o.Problem = verdict(report)
	return o
}

// verdict finds the test that caught the mistake, or says why none did.
func verdict(r *gotest.Report) (by, problem string) {
	var unnamed string
	for _, p := range r.Packages {
		if p.BuildFailed {
			return "", "the mistake does not compile, so it teaches nothing:\n" + strings.Join(p.BuildOutput, "\n")
		}
		if p.TimedOut != "" {
			return "", fmt.Sprintf("%s in %s: no test's own deadline caught the hang", p.TimedOut, strings.Join(p.Hung, ", "))
		}
		for _, t := range p.Tests {
			if t.Action != "fail" {
				continue
			}
			if _, ok := steps.TaskOfTest(t.Name); ok || namesATask.MatchString(strings.Join(t.Output, "\n")) {
				return t.Name, ""
			}
			unnamed = t.Name
		}
	}
	if unnamed != "" {
		return "", unnamed + " failed, but its message names no task"
	}
	for _, p := range r.Packages {
		if p.Action == "fail" {
			return "", "the test binary failed outside any test (a panic in a goroutine?):\n" + strings.Join(lastLines(p.Output, 10), "\n")
		}
	}
	return "", "every test passed"
}

// writeOverlay writes the step's solution files, with the mistake's edits, as
// an overlay for go test, and returns it with the packages to test: those
// that hold an edited file.
func writeOverlay(dir string, m Mistake) (overlay string, pkgs []string, err error) {
	edited, err := m.Files()
	if err != nil {
		return "", nil, err
	}
	learner, err := m.Step.LearnerFiles()
	if err != nil {
		return "", nil, err
	}
	replace := map[string]string{}
	for _, f := range learner {
		replace[filepath.Join(m.Step.Dir(), f)] = filepath.Join(m.Step.SolutionDir(), f)
	}
	for f, data := range edited {
		if !slices.Contains(learner, f) {
			return "", nil, fmt.Errorf("%s: %s is not one of the step's learner files %v", m.Name, f, learner)
		}
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", nil, err
		}
		replace[filepath.Join(m.Step.Dir(), f)] = path
		if pkg := "./" + filepath.ToSlash(filepath.Join(m.Step.Name, filepath.Dir(f))); !slices.Contains(pkgs, pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", nil, err
	}
	overlay = filepath.Join(dir, "overlay.json")
	return overlay, pkgs, os.WriteFile(overlay, data, 0o644)
}

func lastLines(lines []string, n int) []string {
	return lines[max(0, len(lines)-n):]
}
