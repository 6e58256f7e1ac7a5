package board

import (
	"strings"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// edited marks s as edited at second n.
func edited(s *Step, n int) *Step {
	s.Edited = time.Unix(int64(n), 0)
	return s
}

func TestNextStepFollowsTheLearner(t *testing.T) {
	step := func(name string, states ...TaskState) *Step {
		s := &Step{Step: steps.Step{Name: name}}
		for i, st := range states {
			s.Tasks = append(s.Tasks, &Task{N: i + 1, State: st})
		}
		return s
	}
	for _, tc := range []struct {
		what  string
		board []*Step
		want  string
	}{
		{"a fresh clone starts at the first step",
			[]*Step{step("01-a", NotStarted), step("02-b", NotStarted)}, "01-a"},
		{"a finished step is passed over",
			[]*Step{step("01-a", Passing), step("02-b", NotStarted)}, "02-b"},
		{"a learner who skipped ahead is followed",
			[]*Step{step("01-a", NotStarted), step("02-b", Passing, Failing)}, "02-b"},
		{"the first step begun comes first",
			[]*Step{step("01-a", Failing), step("02-b", Failing)}, "01-a"},
		{"a learner who jumped in and finished a step goes on from there",
			[]*Step{step("01-a", NotStarted), step("02-b", Passing), step("03-c", NotStarted)}, "03-c"},
		{"the step last edited comes first",
			[]*Step{step("01-a", Failing), edited(step("02-b", NotStarted), 2), edited(step("03-c", Failing), 1)}, "02-b"},
		{"a finished step last edited is passed over",
			[]*Step{step("01-a", Failing), edited(step("02-b", Passing), 2)}, "01-a"},
	} {
		got := NextStep(tc.board)
		if got == nil || got.Name != tc.want {
			t.Errorf("%s: next step = %v, want %s", tc.what, got, tc.want)
		}
	}
	if got := NextStep([]*Step{step("01-a", Passing)}); got != nil {
		t.Errorf("with every step done, next step = %s, want none", got.Name)
	}
}

// TestNextOpensTheFileTheFailingTestNames: a task whose TODO is in one file
// but whose failing test says "task 4 in client.go" sends the learner to
// client.go, where the test says the fault is; another task's file named in
// the same message does not count.
func TestNextOpensTheFileTheFailingTestNames(t *testing.T) {
	task := &Task{N: 4, File: "server.go", State: Failing, Failure: &Failure{
		Test:    "TestTask4_StopsOnTime",
		Message: []string{"client_test.go:80: Run returned after 5s (task 2 in server.go is done) — task 4 in client.go: cancel the call when you return"},
	}}
	if f := fileNamedBy(task); f != "client.go" {
		t.Errorf("the board would send the learner to %q, want client.go, which the failing test names", f)
	}
	task.Failure.Message = []string{"server_test.go:12: got 3, want 4"}
	if f := fileNamedBy(task); f != "" {
		t.Errorf("a message naming no file gave %q, want \"\" (the TODO's file stays)", f)
	}
}

// TestWatchDoesNotAdviseWatch: while watch runs, Next does not tell the
// learner to start it.
func TestWatchDoesNotAdviseWatch(t *testing.T) {
	step := &Step{Step: steps.Step{Name: "01-sum"}, Tasks: []*Task{{N: 1, File: "sum.go", State: Failing}}}
	var out strings.Builder
	RenderNext(&out, step, Style{Command: "workshop", Watching: true})
	if strings.Contains(out.String(), "watch") || !strings.Contains(out.String(), "workshop hint 01 1") {
		t.Errorf("Next while watching:\n%s\nwant the hint advice and no advice to start watch", out.String())
	}
}
