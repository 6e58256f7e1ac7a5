// Package board works out where a learner stands in the workshop: for every
// step, whether it compiles, which tasks pass, which fail and which are not
// started yet, and what to do next. It runs the steps' tests (see runTests)
// and reads the rest from the step folders: the TestTaskN_ tests, the
// TODO(task N) markers and the README's hint titles.
package board

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// TaskState is how far a task has come.
type TaskState int

const (
	NotStarted TaskState = iota // its tests still meet the skeleton's TODO(task N) error
	Failing                     // work has begun but a test fails
	Passing                     // every TestTaskN_ test passes
	Unknown                     // no result: the step does not compile or stopped early
)

// Task is one task of a step.
type Task struct {
	N     int
	Title string   // from the README's hints, e.g. "greet by name"
	File  string   // the file to open: its TODO(task N)'s, or the first its README row names
	Files []string // every learner file the README's task table names for it, relative to the step
	Tests []string // its TestTaskN_ tests, as found in the test files
	State TaskState
	// Failure is the first failing test of the task and what it said.
	Failure *Failure
}

// Failure is a failing test and its message, without the test runner's chatter.
type Failure struct {
	Test    string
	Message []string
}

// Step is one step of the workshop and how far the learner has come in it.
type Step struct {
	steps.Step
	Tasks []*Task
	// BuildErrors holds the compiler's messages ("01-unary/server.go:12:2: …")
	// when the step or its tests do not compile.
	BuildErrors []string
	// Hung names the test that was still running when the step's time ran
	// out, TimedOut says how long that was, and StuckAt is the first line of
	// the learner's code in the hung goroutines, if any.
	Hung, TimedOut, StuckAt string
	// Others are failing tests that belong to no task (e.g. the bad-input
	// list, which needs every task done).
	Others []*Failure
	// Missing is set when a step produced no result at all (cancelled run).
	Missing bool
	// Edited is when the learner last changed one of the step's files (zero
	// if none differs from git): the board follows the learner there.
	Edited time.Time
}

// Compiles reports whether the step and its tests compile.
func (s *Step) Compiles() bool { return len(s.BuildErrors) == 0 }

// Done reports whether every test of the step passes.
func (s *Step) Done() bool {
	if !s.Compiles() || s.Hung != "" || s.Missing || len(s.Others) > 0 {
		return false
	}
	for _, t := range s.Tasks {
		if t.State != Passing {
			return false
		}
	}
	return true
}

// Passed counts the passing tasks.
func (s *Step) Passed() int {
	n := 0
	for _, t := range s.Tasks {
		if t.State == Passing {
			n++
		}
	}
	return n
}

// Started reports whether the learner has begun the step.
func (s *Step) Started() bool {
	if !s.Compiles() || s.Hung != "" {
		return true
	}
	for _, t := range s.Tasks {
		if t.State != NotStarted {
			return true
		}
	}
	return false
}

// Next returns the first task not yet passing, or nil.
func (s *Step) Next() *Task {
	for _, t := range s.Tasks {
		if t.State != Passing {
			return t
		}
	}
	return nil
}

// Load runs the tests of the given steps of the workshop at root and returns
// where each stands. A step that does not compile or hangs does not hide
// the others.
func Load(ctx context.Context, root string, all []steps.Step, opt Options) ([]*Step, error) {
	if opt.Early != nil && len(all) > 1 && mustBuild(root, all, opt) {
		// The step the learner is on is compiled and shown first, on its
		// own, while the others wait for their turn.
		for _, s := range all {
			if s.Name == opt.EarlyStep {
				first := opt
				first.Early, first.noVet = nil, true
				if early, err := Load(ctx, root, []steps.Step{s}, first); err == nil {
					opt.Early(early[0])
				}
			}
		}
	}
	report, vetted, err := runTests(ctx, root, all, opt)
	if err != nil {
		return nil, err
	}
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var skipped *regexp.Regexp
	if opt.Skip != "" {
		if skipped, err = regexp.Compile(opt.Skip); err != nil {
			return nil, err
		}
	}
	var board []*Step
	for _, s := range all {
		step, err := fromReport(s, report.Package(module+"/"+s.Name), skipped)
		if err != nil {
			return nil, err
		}
		if step.Compiles() {
			addVetFindings(step, vetted)
		}
		board = append(board, step)
	}
	return board, nil
}

// fromReport fills in a step from its package's test results. Tests whose
// names match skipped were left out of the run on purpose: a task is judged
// by its other tests.
func fromReport(s steps.Step, p *gotest.Package, skipped *regexp.Regexp) (*Step, error) {
	tasks, err := findTasks(s)
	if err != nil {
		return nil, err
	}
	if skipped != nil {
		for _, t := range tasks {
			t.Tests = slices.DeleteFunc(t.Tests, skipped.MatchString)
		}
	}
	step := &Step{Step: s, Tasks: tasks}
	switch {
	case p == nil:
		step.Missing = true
	case p.BuildFailed:
		step.BuildErrors = compilerLines(p.BuildOutput)
		if len(step.BuildErrors) == 0 {
			step.BuildErrors = []string{s.Name + " does not compile"}
		}
	case p.TimedOut != "":
		step.TimedOut = strings.TrimPrefix(p.TimedOut, "test timed out after ")
		if len(p.Hung) > 0 {
			step.Hung = p.Hung[len(p.Hung)-1] // the innermost: the subtest that hung
		} else {
			step.Hung = "a test"
		}
		step.StuckAt = stuckAt(s, p)
	}
	for _, t := range step.Tasks {
		t.State = taskState(t, p)
		if f := fileNamedBy(t); f != "" {
			t.File = f
		}
	}
	if p != nil && !p.BuildFailed {
		for _, t := range p.Tests {
			if !t.TopLevel() || isTaskTest(t.Name) || t.Passed() || t.Action == "skip" {
				continue
			}
			step.Others = append(step.Others, failureOf(p, t.Name))
		}
	}
	return step, nil
}

// taskFile finds "task N in file.go" in a test's message.
var taskFile = regexp.MustCompile(`task (\d+) in ([\w./-]+\.go)`)

// fileNamedBy returns the file that task t's first failing test names as
// the place to fix ("task 4 in client.go"), or "": that is where the learner
// should look, even when the task's TODO was in another file.
func fileNamedBy(t *Task) string {
	if t.Failure == nil {
		return ""
	}
	for _, l := range t.Failure.Message {
		for _, m := range taskFile.FindAllStringSubmatch(l, -1) {
			if m[1] == strconv.Itoa(t.N) {
				return m[2]
			}
		}
	}
	return ""
}

// taskState works out a task's state from its tests' results.
func taskState(t *Task, p *gotest.Package) TaskState {
	if p == nil || p.BuildFailed {
		return Unknown
	}
	passed, failed, todo := 0, 0, 0
	for _, name := range t.Tests {
		test := p.Test(name)
		switch {
		case test == nil:
			continue // it never started: an earlier test hung or crashed
		case test.Passed() || test.Action == "skip":
			passed++
			continue
		}
		failed++
		if t.Failure == nil {
			t.Failure = failureOf(p, name)
		}
		if test.Action != "run" && MentionsTODO(p, name) {
			todo++
		}
	}
	switch {
	case failed == 0 && passed > 0 && passed == len(t.Tests):
		return Passing
	case failed == 0:
		return Unknown
	case passed == 0 && todo == failed:
		return NotStarted
	}
	return Failing
}

// MentionsTODO reports whether a test, or one of its subtests, failed on the
// skeleton's own "TODO(task N)" error: the code it needs was not written yet.
func MentionsTODO(p *gotest.Package, name string) bool {
	for _, t := range p.Tests {
		if t.Name == name || strings.HasPrefix(t.Name, name+"/") {
			for _, l := range t.Output {
				if strings.Contains(l, "TODO(task ") {
					return true
				}
			}
		}
	}
	return false
}

// failureOf returns the first message of a failing test: its own, or that of
// its first failing subtest.
func failureOf(p *gotest.Package, name string) *Failure {
	for _, t := range p.Tests {
		if (t.Name != name && !strings.HasPrefix(t.Name, name+"/")) || t.Passed() || t.Action == "skip" {
			continue
		}
		if msg := message(t.Output); len(msg) > 0 {
			return &Failure{Test: t.Name, Message: msg}
		}
	}
	return &Failure{Test: name}
}

var runnerChatter = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (FAIL|PASS|SKIP):)`)

// message keeps what a test said, without the runner's lines and, for a
// timeout, without the goroutine dump.
func message(output []string) []string {
	var msg []string
	for _, l := range output {
		if strings.HasPrefix(l, timeoutPanicLine) {
			break
		}
		if runnerChatter.MatchString(l) || strings.TrimSpace(l) == "" {
			continue
		}
		msg = append(msg, strings.TrimSpace(l))
	}
	return msg
}

const timeoutPanicLine = "panic: test timed out"

// compilerLines drops the "# package" headers of a compiler report.
func compilerLines(out []string) []string {
	var lines []string
	for _, l := range out {
		if strings.HasPrefix(l, "# ") || strings.TrimSpace(l) == "" {
			continue
		}
		lines = append(lines, l)
	}
	return slices.Clip(lines)
}

func isTaskTest(name string) bool {
	_, ok := tasks.TaskOfTest(name)
	return ok
}
