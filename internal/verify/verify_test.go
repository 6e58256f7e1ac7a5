package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/internal/workshoptest"
)

// run verifies a fixture workshop with one step and returns verify's output.
func run(t *testing.T, step workshoptest.Step) (string, error) {
	t.Helper()
	root := workshoptest.New(t, step)
	var out strings.Builder
	err := Run(context.Background(), root, &out)
	return out.String(), err
}

func TestFixtureStepPasses(t *testing.T) {
	out, err := run(t, workshoptest.Sum("01-sum"))
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("verify of a correct step: %v\n%s", err, out)
	}
}

func TestWrongSolutionFails(t *testing.T) {
	step := workshoptest.Sum("01-sum")
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
	step := workshoptest.Sum("01-sum")
	step.Files["sum.go"] = workshoptest.SumAlreadyDone
	out, err := run(t, step)
	if err == nil {
		t.Fatalf("verify passed although TestTask1_Adds passes on the skeleton:\n%s", out)
	}
	if !strings.Contains(out, "✗ 01-sum: TestTask1_Adds fails on the skeleton") {
		t.Errorf("verify does not name the task test that passes on the skeleton:\n%s", out)
	}
}
