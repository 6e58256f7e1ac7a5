package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

// run verifies a fixture workshop with one step and returns verify's output.
func run(t *testing.T, step workshoptest.Step) (string, error) {
	t.Helper()
	root := workshoptest.New(t, step)
	var out strings.Builder
	err := Run(context.Background(), root, &out, Options{Fresh: true})
	return out.String(), err
}

func TestFixtureStepPasses(t *testing.T) {
	out, err := run(t, workshoptest.Sum("01-sum"))
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("verify of a correct step: %v\n%s", err, out)
	}
}

func TestWrongSolutionFails(t *testing.T) {
	step := withoutCatalog(workshoptest.Sum("01-sum"))
	step.Solution["sum.go"] = workshoptest.SumWrong
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed with a solution that fails TestTask1_Adds:\n%s", out)
	}
	if !strings.Contains(out, "✗ 01-sum: solution passes its tests") || !strings.Contains(out, "Add(1, 2) = -1, want 3") {
		t.Errorf("verify does not say the solution fails, and why:\n%s", out)
	}
}

func TestTaskTestPassingOnSkeletonFails(t *testing.T) {
	step := withoutCatalog(workshoptest.Sum("01-sum"))
	step.Files["sum.go"] = workshoptest.SumAlreadyDone
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed although TestTask1_Adds passes on the skeleton:\n%s", out)
	}
	if !strings.Contains(out, "✗ 01-sum: TestTask1_Adds fails on the skeleton") {
		t.Errorf("verify does not name the task test that passes on the skeleton:\n%s", out)
	}
}

func TestAnAlternativeThatFailsIsReported(t *testing.T) {
	step := workshoptest.Sum("01-sum")
	step.Solution[workshoptest.SumAlternative(0)] = "Claims to add, but subtracts.\n-- sum.go --\nreturn a + b, nil\n-- becomes --\nreturn a - b, nil\n"
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed with an alternative that fails TestTask1_Adds:\n%s", out)
	}
	for _, want := range []string{
		"✗ 01-sum: the tests pass all 5 correct alternatives of its catalog",
		"adds-00: Claims to add, but subtracts.", "TestTask1_Adds", "Add(1, 2) = -1, want 3",
		"alternatives: 4 passed, 1 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify's report lacks %q:\n%s", want, out)
		}
	}
}

func TestATestThatUsesWhatNoTaskNamesFails(t *testing.T) {
	step := withoutCatalog(workshoptest.Sum("01-sum"))
	step.Files["README.md"] = strings.Replace(step.Files["README.md"], "`Wait` waits", "Wait", 1)
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed although TestTask2_Waits calls Wait, which the README never names:\n%s", out)
	}
	if want := "01-sum/sum_test.go:18: the test uses Wait, declared in sum.go, which 01-sum/README.md never names in backticks"; !strings.Contains(out, want) {
		t.Errorf("verify's report lacks %q:\n%s", want, out)
	}
}

func TestAMistakeOnlyVetFindsIsCaught(t *testing.T) {
	step := workshoptest.Sum("01-sum")
	// The tests pass, but the cancel function is dropped: go vet's
	// lostcancel check finds it.
	step.Solution["testdata/mistakes/drops-a-cancel.txtar"] = "Drops a cancel function.\n" +
		"-- sum.go --\npackage sum\n-- becomes --\npackage sum\n\nimport \"context\"\n" +
		"-- sum.go --\n<-done\n\treturn nil\n-- becomes --\nctx, _ := context.WithCancel(context.Background())\n\t<-done\n\treturn ctx.Err()\n"
	out, err := run(t, step)
	if err != nil || !strings.Contains(out, "mutants: 11 caught, 0 missed") {
		t.Errorf("verify of a catalog with a mistake only go vet finds: %v\n%s", err, out)
	}
}

func TestCatalogProblemsFail(t *testing.T) {
	step := workshoptest.Sum("01-sum")
	// Add(1, 2) is the only sum the test tries: a hard-coded 3 passes it.
	step.Solution[workshoptest.SumMistake(0)] = "Returns the answer the test wants.\n-- sum.go --\nreturn a + b, nil\n-- becomes --\nreturn 3, nil\n"
	// The solution says a + b: this snippet is not in it.
	step.Solution[workshoptest.SumMistake(1)] = "Subtracts.\n-- sum.go --\nreturn a - b, nil\n-- becomes --\nreturn a + b, nil\n"
	delete(step.Solution, workshoptest.SumMistake(2))
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed with a catalog of 9, one mistake no test catches and one that does not apply:\n%s", out)
	}
	for _, want := range []string{
		"holds 9, want at least 10 plausible learner mistakes",
		"✗ 01-sum: the tests catch all 9 mistakes",
		"adds-wrongly-00: Returns the answer the test wants.", "every test passed",
		"occurs 0 times in solutions/01-sum/sum.go, want exactly once",
		"mutants: 7 caught, 2 missed",
		"alternatives: 5 passed, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify's report lacks %q:\n%s", want, out)
		}
	}
}

// withoutCatalog drops the fixture's catalogs, for a test about other checks:
// it then expects the failures that brings.
func withoutCatalog(step workshoptest.Step) workshoptest.Step {
	for name := range step.Solution {
		if strings.HasPrefix(name, "testdata/") {
			delete(step.Solution, name)
		}
	}
	return step
}

func TestARecipeInATODOFails(t *testing.T) {
	step := withoutCatalog(workshoptest.Sum("01-sum"))
	step.Files["sum.go"] = strings.Replace(workshoptest.SumSkeleton, "// TODO(task 2): return once done is closed.",
		"// TODO(task 2): wait with a select:\n\t// select { case <-done: }\n\t// then return nil\n\t// and nothing else.", 1)
	step.Files["README.md"] += "\n## Hints\n\n<details><summary>Task 1 — add</summary>\n\n1. `a + b`\n\n</details>\n"
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed with a TODO that gives the code and hints in the README:\n%s", out)
	}
	for _, want := range []string{
		"01-sum/sum.go:14: the TODO runs 4 lines, want at most 3",
		`the TODO holds a select ("select {")`,
		`the TODO holds a return statement ("return nil")`,
		"01-sum/README.md holds hints: move them to 01-sum/HINTS.md",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify's report lacks %q:\n%s", want, out)
		}
	}
}
