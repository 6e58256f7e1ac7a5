package board

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

// newWorkshop writes a fixture workshop of the given steps and discovers
// them, as the workshop command does.
func newWorkshop(t *testing.T, fixture ...workshoptest.Step) (root string, all []steps.Step) {
	t.Helper()
	root = workshoptest.New(t, fixture...)
	all, err := steps.Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	return root, all
}

// load builds a two-step fixture workshop whose first step's learner file
// is sumGo, and returns the board for it.
func load(t *testing.T, sumGo string) []*Step {
	t.Helper()
	first := workshoptest.Sum("01-sum")
	first.Files["sum.go"] = sumGo
	root, all := newWorkshop(t, first, workshoptest.Sum("02-sum"))
	start := time.Now()
	b, err := Load(context.Background(), root, all, Options{Timeout: 2 * time.Second, BinDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("board for %d fixture steps in %v", len(all), time.Since(start))
	if len(b) != 2 {
		t.Fatalf("board has %d steps, want 2", len(b))
	}
	return b
}

func states(s *Step) []TaskState {
	var got []TaskState
	for _, t := range s.Tasks {
		got = append(got, t.State)
	}
	return got
}

func wantStates(t *testing.T, s *Step, want ...TaskState) {
	t.Helper()
	got := states(s)
	if len(got) != len(want) {
		t.Fatalf("%s has tasks %v, want %v", s.Name, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s task states = %v, want %v", s.Name, got, want)
		}
	}
}

func render(b []*Step) string {
	var out strings.Builder
	RenderBoard(&out, b, Style{Command: "workshop"})
	return out.String()
}

func TestSkeletonIsNotStarted(t *testing.T) {
	b := load(t, workshoptest.SumSkeleton)
	s := b[0]
	wantStates(t, s, NotStarted, NotStarted)
	if s.Started() || s.Done() {
		t.Errorf("skeleton: Started=%v Done=%v, want false, false", s.Started(), s.Done())
	}
	next := s.Next()
	if next == nil || next.N != 1 || next.File != "sum.go" || next.Title != "add two numbers" {
		t.Fatalf("Next() = %+v, want task 1 in sum.go titled from the README", next)
	}
	if next.Failure == nil || next.Failure.Test != "TestTask1_Adds" || !strings.Contains(strings.Join(next.Failure.Message, "\n"), "sum_test.go:") {
		t.Errorf("Failure = %+v, want TestTask1_Adds with its file:line message", next.Failure)
	}
	out := render(b)
	for _, want := range []string{"01-sum", "not started", "Next: 01-sum, task 1 — add two numbers", "open 01-sum/sum.go", "workshop hint 01 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("board does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("board without colours has escape codes:\n%q", out)
	}
}

func TestPassingAndNotStartedTasks(t *testing.T) {
	s := load(t, workshoptest.SumTask1Done)[0]
	wantStates(t, s, Passing, NotStarted)
	if f := s.Tasks[0].File; f != "sum.go" {
		t.Errorf("task 1, its TODO gone, has File %q; want sum.go from the README's task table", f)
	}
	if !s.Started() || s.Passed() != 1 || s.Next().N != 2 {
		t.Errorf("Started=%v Passed=%d Next=%d, want true, 1, 2", s.Started(), s.Passed(), s.Next().N)
	}
}

func TestFailingTask(t *testing.T) {
	s := load(t, workshoptest.SumTask1Wrong)[0]
	wantStates(t, s, Failing, NotStarted)
	msg := strings.Join(s.Tasks[0].Failure.Message, "\n")
	if !strings.Contains(msg, "Add(1, 2) = -1, want 3") {
		t.Errorf("task 1 failure message = %q, want the test's got/want", msg)
	}
	if got := (Style{}).Summary(s); got != "0/2 tasks" {
		t.Errorf("Summary = %q, want 0/2 tasks", got)
	}
}

func TestDoneStep(t *testing.T) {
	b := load(t, workshoptest.SumSolved)
	wantStates(t, b[0], Passing, Passing)
	if !b[0].Done() {
		t.Error("solved step is not Done")
	}
	if out := render(b); !strings.Contains(out, "Next: 02-sum, task 1") {
		t.Errorf("with 01 done the board should point at 02:\n%s", out)
	}
}

func TestCompileErrorDoesNotHideOtherSteps(t *testing.T) {
	b := load(t, workshoptest.SumNoCompile)
	s := b[0]
	if s.Compiles() {
		t.Fatal("step with an undefined name compiles")
	}
	if !strings.Contains(strings.Join(s.BuildErrors, "\n"), "sum.go:3:") && !strings.Contains(strings.Join(s.BuildErrors, "\n"), "sum.go:") {
		t.Errorf("BuildErrors = %q, want the file and line", s.BuildErrors)
	}
	wantStates(t, s, Unknown, Unknown)
	wantStates(t, b[1], NotStarted, NotStarted) // the other step still has results
	out := render(b)
	for _, want := range []string{"does not compile", "undefined: c", "01-sum" + "/sum.go:"} {
		if !strings.Contains(out, want) {
			t.Errorf("board does not say %q:\n%s", want, out)
		}
	}
}

func TestHangIsNamed(t *testing.T) {
	b := load(t, workshoptest.SumTask2Hangs)
	s := b[0]
	if s.Hung != "TestTask2_Waits" || s.TimedOut != "2s" {
		t.Fatalf("Hung, TimedOut = %q, %q; want TestTask2_Waits, 2s", s.Hung, s.TimedOut)
	}
	if !strings.HasPrefix(s.StuckAt, "01-sum/sum.go:") {
		t.Errorf("StuckAt = %q, want the line in 01-sum/sum.go", s.StuckAt)
	}
	wantStates(t, s, Passing, Failing)
	wantStates(t, b[1], NotStarted, NotStarted)
	out := render(b)
	for _, want := range []string{"TestTask2_Waits hung", "did not finish within 2s", "waiting at 01-sum/sum.go:"} {
		if !strings.Contains(out, want) {
			t.Errorf("board does not say %q:\n%s", want, out)
		}
	}
}

// loadTelling runs Load with opt and returns the board and what Progress was
// told, as "phase step" lines ("compile " once if the tests were compiled,
// "test 01-sum" for each step whose tests ran), in no particular order.
func loadTelling(t *testing.T, root string, all []steps.Step, opt Options) ([]*Step, []string) {
	t.Helper()
	var mu sync.Mutex // Progress is called from each step's goroutine
	var told []string
	opt.Progress = func(phase, step string) {
		mu.Lock()
		told = append(told, phase+" "+step)
		mu.Unlock()
	}
	b, err := Load(context.Background(), root, all, opt)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b, told
}

// stepsRun lists the steps whose tests ran, from what Progress was told.
func stepsRun(told []string) []string {
	var steps []string
	for _, l := range told {
		if step, ok := strings.CutPrefix(l, "test "); ok {
			steps = append(steps, step)
		}
	}
	return steps
}

// TestUnchangedTestsAreNotBuiltAgain: a second board over the same files
// reuses the test binaries without asking the go command; a saved file
// makes it build again, and the verdict follows the file.
func TestUnchangedTestsAreNotBuiltAgain(t *testing.T) {
	root, all := newWorkshop(t, workshoptest.Sum("01-sum"))
	bin := t.TempDir()
	compiled := func() (bool, []*Step) {
		t.Helper()
		b, told := loadTelling(t, root, all, Options{BinDir: bin})
		return slices.Contains(told, "compile "), b
	}
	if did, _ := compiled(); !did {
		t.Fatal("the first board did not compile the tests")
	}
	if did, b := compiled(); did || b[0].Passed() != 0 {
		t.Errorf("an unchanged workshop: compiled again = %v (want false), %d tasks passing (want 0)", did, b[0].Passed())
	}
	workshoptest.SaveByRename(t, root, "01-sum/sum.go", workshoptest.SumTask1Done)
	if did, b := compiled(); !did || b[0].Passed() != 1 {
		t.Errorf("after a save: compiled again = %v (want true), %d tasks passing (want 1)", did, b[0].Passed())
	}
}

// TestAnUnchangedBinaryKeepsItsVerdict: with ReuseResults, a step whose test
// binary did not change is not run again and keeps its verdict; a save that
// changes one step's binary runs that step alone, and its verdict follows.
func TestAnUnchangedBinaryKeepsItsVerdict(t *testing.T) {
	root, all := newWorkshop(t, workshoptest.Sum("01-sum"), workshoptest.Sum("02-sum"))
	bin := t.TempDir()
	board := func() ([]string, []*Step) {
		t.Helper()
		b, told := loadTelling(t, root, all, Options{BinDir: bin, ReuseResults: true})
		return stepsRun(told), b
	}
	if ran, _ := board(); len(ran) != 2 {
		t.Fatalf("the first board ran the tests of %v, want both steps", ran)
	}
	if ran, b := board(); len(ran) != 0 || b[0].Passed() != 0 {
		t.Errorf("nothing changed: the board ran %v again (want none) and shows %d tasks passing in 01-sum (want 0)", ran, b[0].Passed())
	}
	workshoptest.SaveByRename(t, root, "01-sum/sum.go", workshoptest.SumTask1Done)
	if ran, b := board(); len(ran) != 1 || ran[0] != "01-sum" || b[0].Passed() != 1 {
		t.Errorf("after a save in 01-sum: the board ran %v (want [01-sum]) and shows %d tasks passing there (want 1)", ran, b[0].Passed())
	}
}

// TestTheLearnersStepComesFirstOnAFreshClone: when the tests must be
// compiled, the step named EarlyStep is compiled, run and handed to Early
// before the others; when nothing needs compiling, there is no early step.
func TestTheLearnersStepComesFirstOnAFreshClone(t *testing.T) {
	root, all := newWorkshop(t, workshoptest.Sum("01-sum"), workshoptest.Sum("02-sum"))
	bin := t.TempDir()
	var early []string
	opt := Options{BinDir: bin, EarlyStep: "02-sum", Early: func(s *Step) { early = append(early, s.Name) }}
	if _, err := Load(context.Background(), root, all, opt); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(early) != 1 || early[0] != "02-sum" {
		t.Fatalf("a fresh board showed %v first, want [02-sum]", early)
	}
	early = nil
	if _, err := Load(context.Background(), root, all, opt); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(early) != 0 {
		t.Errorf("with nothing to compile the board still showed %v first, want no early step", early)
	}
}

func TestAVetFindingFailsItsTask(t *testing.T) {
	// Task 2 done, its TODO kept, and a context whose cancel function is
	// dropped: the tests pass, go vet's lostcancel check does not.
	leaky := strings.Replace(workshoptest.SumTask1Done, `return errors.New("TODO(task 2): wait in sum.go")`,
		"ctx, _ := context.WithCancel(context.Background())\n\t<-done\n\treturn ctx.Err()", 1)
	leaky = strings.Replace(leaky, `import "errors"`, "import \"context\"", 1)
	b := load(t, leaky)
	wantStates(t, b[0], Passing, Failing)
	f := b[0].Tasks[1].Failure
	if f == nil || !strings.Contains(strings.Join(f.Message, "\n"), "go vet (lostcancel): 01-sum/sum.go:") {
		t.Errorf("task 2's failure is %+v, want go vet's lostcancel finding in 01-sum/sum.go", f)
	}
}
