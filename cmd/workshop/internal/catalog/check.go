package catalog

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

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// Deadline is how long the step's tests may take over one entry. A mistake
// that makes a test hang must be caught by that test's own deadline, which
// names the likely cause, well before this.
const Deadline = 30 * time.Second

// namesATask matches a failure that tells the learner where to look.
var namesATask = regexp.MustCompile(`\btasks? [0-9]`)

// Outcome is what the step's tests made of one entry.
type Outcome struct {
	Variant Variant
	By      string        // a mistake: the failing test that caught it
	Cached  bool          // judged before, and nothing it depends on changed since
	Problem string        // why the entry is not as its kind wants (empty if it is)
	Took    time.Duration // the go test run, build included
}

// OK reports whether the tests judged the entry as its kind wants: a mistake
// caught by a test that names a task, an alternative passed by every test,
// within the deadline.
func (o Outcome) OK() bool { return o.Problem == "" }

// Check runs the tests of each entry's step with the entry laid over the
// solution (by `go test -overlay`: the tree is never touched), several at
// once, without -race (the race detector is for the solutions; here only
// the verdict counts). tmp holds the edited files. The outcomes come back in
// the order of all.
//
// With fresh set, every entry is tried; otherwise one judged as its kind
// wants before, with nothing it depends on changed since, is not tried
// again (see cache).
func Check(ctx context.Context, root, tmp string, all []Variant, fresh bool) []Outcome {
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
				if by, ok := remembered.judged(all[i]); ok && !fresh {
					out[i] = Outcome{Variant: all[i], By: by, Cached: true}
					continue
				}
				out[i] = check(ctx, root, filepath.Join(tmp, fmt.Sprint(i)), all[i])
				if out[i].OK() && ctx.Err() == nil {
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

func check(ctx context.Context, root, dir string, v Variant) (o Outcome) {
	o.Variant = v
	start := time.Now()
	defer func() { o.Took = time.Since(start) }()

	overlay, pkgs, err := writeOverlay(dir, v)
	if err != nil {
		o.Problem = err.Error()
		return o
	}
	// Speed matters here: -vet=off (the solutions are vetted once, whole),
	// and a link without debugger tables (a panic still names files and
	// lines). A mistake stops at the first test that catches it
	// (-failfast); an alternative runs every test.
	args := []string{"-overlay=" + overlay, "-count=1", "-vet=off", "-ldflags=-s -w", "-timeout=" + Deadline.String()}
	if v.Kind == Mistakes {
		args = append(args, "-failfast")
	}
	report, err := gotest.Run(ctx, root, append(args, pkgs...)...)
	if err != nil {
		o.Problem = err.Error()
		return o
	}
	// go vet runs every check (go test runs a few): the board shows its
	// findings as failures of the task, so a mistake it finds is caught,
	// and an alternative it finds something in is no correct solution.
	switch {
	case v.Kind == Alternatives:
		if o.Problem = passedAll(report); o.Problem == "" {
			if found := vetLearnerFiles(ctx, root, overlay, v, pkgs); len(found) > 0 {
				o.Problem = "go vet finds, in what should be a correct solution:\n" + strings.Join(found, "\n")
			}
		}
	default:
		if o.By, o.Problem = caught(report); o.Problem == "every test passed" {
			if found := vetLearnerFiles(ctx, root, overlay, v, pkgs); len(found) > 0 {
				o.By, o.Problem = found[0], ""
			}
		}
	}
	return o
}

// vetLearnerFiles runs go vet on pkgs with the overlay and returns what it
// finds in the step's learner files (not in its tests), as the board says it.
// With -overlay, vet names the file that stands in (the solution's, or the
// edited copy), so each finding is mapped back to the file it replaces.
func vetLearnerFiles(ctx context.Context, root, overlay string, v Variant, pkgs []string) []string {
	data, err := os.ReadFile(overlay)
	if err != nil {
		return nil
	}
	var o struct{ Replace map[string]string }
	if json.Unmarshal(data, &o) != nil {
		return nil
	}
	original := map[string]string{}
	for orig, stand := range o.Replace {
		original[stand] = orig
	}
	var found []string
	for _, f := range gotest.ParseVet(gotest.RunVet(ctx, root, append([]string{"-overlay=" + overlay}, pkgs...)...)) {
		if orig, ok := original[f.File]; ok {
			f.File = orig
		}
		if strings.HasPrefix(f.File, v.Step.Dir()+string(filepath.Separator)) && !strings.HasSuffix(f.File, "_test.go") {
			found = append(found, f.String(root))
		}
	}
	return found
}

// caught finds the test that caught a mistake, or says why none did.
func caught(r *gotest.Report) (by, problem string) {
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
			if _, ok := tasks.TaskOfTest(t.Name); ok || namesATask.MatchString(strings.Join(t.Output, "\n")) {
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

// passedAll says why an alternative did not pass every test ("" if it did).
func passedAll(r *gotest.Report) (problem string) {
	var failed []string
	for _, p := range r.Packages {
		switch {
		case p.BuildFailed:
			return "the alternative does not compile:\n" + strings.Join(p.BuildOutput, "\n")
		case p.TimedOut != "":
			return fmt.Sprintf("%s in %s", p.TimedOut, strings.Join(p.Hung, ", "))
		}
		for _, t := range p.Tests {
			if t.Action == "fail" && t.TopLevel() {
				failed = append(failed, t.Name+":\n  "+strings.Join(lastLines(t.Output, 12), "\n  "))
			}
		}
		if p.Action == "fail" && len(failed) == 0 {
			return "the test binary failed outside any test (a panic in a goroutine?):\n" + strings.Join(lastLines(p.Output, 10), "\n")
		}
	}
	if len(failed) > 0 {
		return "a correct solution fails:\n" + strings.Join(failed, "\n")
	}
	return ""
}

// writeOverlay writes the step's solution files, with the entry's edits, as
// an overlay for go test, and returns it with the packages to test: those
// that hold an edited file.
func writeOverlay(dir string, m Variant) (overlay string, pkgs []string, err error) {
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
