package verify

import (
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

func TestAFileOverItsWordBudgetFails(t *testing.T) {
	root := t.TempDir()
	workshoptest.Write(t, root, "README.md", strings.Repeat("word ", TopReadmeWords))
	workshoptest.Write(t, root, "01-sum/README.md", strings.Repeat("word ", StepReadmeWords+1))
	workshoptest.Write(t, root, "01-sum/HINTS.md", "short")
	err := checkWords(root, []steps.Step{{Name: "01-sum", Root: root}})
	if err == nil || !strings.Contains(err.Error(), "01-sum/README.md has 1801 words, its budget is 1800") {
		t.Errorf("checkWords = %v, want it to name 01-sum/README.md over its budget", err)
	}
	if err != nil && strings.Contains(err.Error(), "README.md has 900") {
		t.Errorf("checkWords counts the top README at its budget as over it: %v", err)
	}
}
