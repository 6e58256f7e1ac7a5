// Package gotest runs `go test -json` and gathers its event stream into a
// result per package and per test. The workshop command uses it both to
// verify the workshop and to show a learner where they stand.
package gotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Test is the outcome of one test or subtest.
type Test struct {
	Name    string   // e.g. "TestTask2_RejectsBadNames/an_empty_name"
	Action  string   // "pass", "fail", "skip", or "run" if it never finished (a hang)
	Output  []string // lines the test printed, including its t.Error messages
	Elapsed time.Duration
}

// Passed reports whether the test ran to the end and passed.
func (t *Test) Passed() bool { return t.Action == "pass" }

// TopLevel reports whether t is a test function rather than a subtest.
func (t *Test) TopLevel() bool { return !strings.Contains(t.Name, "/") }

// Package is the outcome of one package's tests.
type Package struct {
	ImportPath  string
	Action      string   // "pass", "fail", "skip" (no test files) or "" if it never finished
	BuildFailed bool     // the package or its tests did not compile
	BuildOutput []string // the compiler's messages, if BuildFailed
	Output      []string // package-level lines (a panic, a timeout report)
	Tests       []*Test  // in the order they started
	// TimedOut is set when the test binary hit its -timeout: it holds the
	// panic's first line ("test timed out after 30s"), and Hung the tests
	// that were still running then, the top-level test first.
	TimedOut string
	Hung     []string
	byName   map[string]*Test
}

// Test returns the named test, or nil if it did not run.
func (p *Package) Test(name string) *Test { return p.byName[name] }

// Report is the outcome of one `go test -json` run.
type Report struct {
	Packages []*Package // in the order go test reported them
	byPath   map[string]*Package
}

// Package returns the result for importPath, or nil if it was not tested.
func (r *Report) Package(importPath string) *Package { return r.byPath[importPath] }

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action      string
	Package     string
	ImportPath  string // set on build-output and build-fail events
	Test        string
	Output      string
	Elapsed     float64
	FailedBuild string
}

// Run runs `go test -json args...` in dir and parses what it prints. A test
// failure is not an error: it is in the Report. The error is for a go command
// that could not run or printed something that is not test2json.
func Run(ctx context.Context, dir string, args ...string) (*Report, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	report, parseErr := Parse(stdout)
	waitErr := cmd.Wait()
	if parseErr != nil {
		return nil, parseErr
	}
	// go test exits 1 when a test or a build fails; that is in the report.
	// Anything it could not even start (a bad flag, no go.mod) is not.
	if waitErr != nil && len(report.Packages) == 0 {
		return nil, fmt.Errorf("go test %s: %v\n%s", strings.Join(args, " "), waitErr, stderr.String())
	}
	if stderr.Len() > 0 {
		// Setup errors such as "no Go files" or a bad import arrive here.
		for _, p := range report.Packages {
			if p.BuildFailed && len(p.BuildOutput) == 0 {
				p.BuildOutput = strings.Split(strings.TrimSpace(stderr.String()), "\n")
			}
		}
	}
	return report, nil
}

// Parse reads a `go test -json` event stream.
func Parse(r io.Reader) (*Report, error) {
	report := &Report{byPath: map[string]*Package{}}
	pkg := func(path string) *Package {
		p, ok := report.byPath[path]
		if !ok {
			p = &Package{ImportPath: path, byName: map[string]*Test{}}
			report.byPath[path] = p
			report.Packages = append(report.Packages, p)
		}
		return p
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // e.g. a linker warning printed outside the JSON
		}
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("reading go test -json output: %v in %q", err, line)
		}
		switch ev.Action {
		case "build-output":
			p := pkg(ev.ImportPath)
			p.BuildOutput = append(p.BuildOutput, strings.TrimRight(ev.Output, "\n"))
			continue
		case "build-fail":
			pkg(ev.ImportPath).BuildFailed = true
			continue
		}
		if ev.Package == "" {
			continue
		}
		p := pkg(ev.Package)
		if ev.Test == "" {
			switch ev.Action {
			case "output":
				p.Output = append(p.Output, strings.TrimRight(ev.Output, "\n"))
			case "pass", "fail", "skip":
				p.Action = ev.Action
				if ev.FailedBuild != "" {
					p.BuildFailed = true
					// The compiler's messages were reported under the
					// name of the build that failed, e.g. "pkg [pkg.test]".
					if b := report.byPath[ev.FailedBuild]; b != nil && b != p && len(p.BuildOutput) == 0 {
						p.BuildOutput = b.BuildOutput
					}
				}
			}
			continue
		}
		t, ok := p.byName[ev.Test]
		if !ok {
			t = &Test{Name: ev.Test, Action: "run"}
			p.byName[ev.Test] = t
			p.Tests = append(p.Tests, t)
		}
		switch ev.Action {
		case "output":
			t.Output = append(t.Output, strings.TrimRight(ev.Output, "\n"))
		case "pass", "fail", "skip":
			t.Action = ev.Action
			t.Elapsed = time.Duration(ev.Elapsed * float64(time.Second))
		}
	}
	for _, p := range report.Packages {
		p.findTimeout()
	}
	return report, sc.Err()
}
