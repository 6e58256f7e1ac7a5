package board

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// go test runs a few of go vet's checks before the tests; go vet runs them
// all, lostcancel (a context's cancel function never called) among them,
// which is just the kind of mistake a streaming step invites. The board
// runs go vet beside the build (see buildTests) and shows each finding as a
// failure of the task it belongs to, in vet's own words.

// addVetFindings marks, for each finding in one of step's learner files,
// the task it belongs to as failing, with vet's words: a task whose tests
// pass is not done while vet finds something wrong in its code.
func addVetFindings(step *Step, found []gotest.VetFinding) {
	for _, f := range found {
		rel, err := filepath.Rel(step.Dir(), f.File)
		if err != nil || strings.HasPrefix(rel, "..") || strings.HasSuffix(rel, "_test.go") {
			continue
		}
		t := taskAt(step, filepath.ToSlash(rel), f.Line)
		if t == nil {
			continue
		}
		line := f.String(step.Root)
		switch {
		case t.Failure == nil || t.State != Failing:
			t.Failure = &Failure{Test: "go vet", Message: []string{line}}
		default:
			t.Failure.Message = append(t.Failure.Message, line)
		}
		t.State = Failing
	}
}

// taskAt is the task a line of a learner file belongs to: the last
// TODO(task N) above it, if the learner kept the markers; otherwise the
// first task that names the file.
func taskAt(step *Step, file string, line int) *Task {
	n := 0
	if data, err := os.ReadFile(filepath.Join(step.Dir(), file)); err == nil {
		lines := bufio.NewScanner(bytes.NewReader(data))
		for i := 1; i < line && lines.Scan(); i++ {
			if found := tasks.TODOTasks(lines.Bytes()); len(found) > 0 {
				n = found[len(found)-1]
			}
		}
	}
	for _, t := range step.Tasks {
		if t.N == n || (n == 0 && slices.Contains(t.Files, file)) {
			return t
		}
	}
	return nil
}

// readVet returns what vet printed at the last build into binDir, if any.
func readVet(binDir string) []byte {
	data, _ := os.ReadFile(filepath.Join(binDir, "vet.json"))
	return data
}
