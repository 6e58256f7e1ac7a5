// Package workshoptest builds tiny workshops for the workshop tool's own
// tests: a module with no dependencies (so no network and no grpc build),
// holding steps with the anatomy of the real ones — a learner file with
// TODO(task N) markers, TestTaskN_ tests, a README with hints, and a
// solution folder.
package workshoptest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Module is the fixture's module path.
const Module = "example.com/fixture"

// Step is one fixture step: its files, relative to the step folder, and the
// solution's files (the learner-edited ones).
type Step struct {
	Name     string
	Files    map[string]string
	Solution map[string]string
}

// New writes a workshop with the given steps into a new temporary folder
// and returns its root.
func New(t testing.TB, steps ...Step) string {
	t.Helper()
	root := t.TempDir()
	Write(t, root, "go.mod", "module "+Module+"\n\ngo 1.25.0\n")
	for _, s := range steps {
		for name, content := range s.Files {
			Write(t, root, filepath.Join(s.Name, name), content)
		}
		for name, content := range s.Solution {
			Write(t, root, filepath.Join("solutions", s.Name, name), content)
		}
	}
	return root
}

// Write writes content to root/rel, making folders as needed.
func Write(t testing.TB, root, rel, content string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// SaveByRename replaces root/rel the way many editors save: write a new file
// next to it, then rename it over the old one.
func SaveByRename(t testing.TB, root, rel, content string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	tmp := path + ".tmp~"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// Sum is a step with two tasks in sum.go: task 1 adds two numbers, task 2
// waits for a channel to close. The learner file is the skeleton.
func Sum(name string) Step {
	files := map[string]string{
		"sum.go":      SumSkeleton,
		"sum_test.go": sumTest,
		"README.md":   SumReadme,
		"HINTS.md":    SumHints,
	}
	solution := map[string]string{"sum.go": SumSolved}
	for i, wrong := range sumMistakes {
		solution[SumMistake(i)] = "Adds wrongly.\n-- sum.go --\nreturn a + b, nil\n-- becomes --\nreturn " + wrong + ", nil\n"
	}
	for i, other := range sumAlternatives {
		solution[SumAlternative(i)] = "Adds another way.\n-- sum.go --\nreturn a + b, nil\n-- becomes --\nreturn " + other + ", nil\n"
	}
	return Step{Name: name, Files: files, Solution: solution}
}

// sumMistakes are Sum's catalog of mistakes: each a wrong sum that
// TestTask1_Adds catches.
var sumMistakes = []string{"a - b", "a * b", "b", "a", "0", "a + b + 1", "a + a", "b + b", "-(a + b)", "(a + b) * 2"}

// sumAlternatives are Sum's catalog of alternatives: correct sums of
// other shapes, which every test passes.
var sumAlternatives = []string{"b + a", "a - -b", "(a + b)", "a + b + 0", "-(-a - b)"}

// SumMistake is the path, in the solution folder, of mistake i of Sum's catalog.
func SumMistake(i int) string { return fmt.Sprintf("testdata/mistakes/adds-wrongly-%02d.txtar", i) }

// SumAlternative is the path, in the solution folder, of alternative i of Sum's catalog.
func SumAlternative(i int) string { return fmt.Sprintf("testdata/alternatives/adds-%02d.txtar", i) }

// The learner file of Sum in its possible states.
var (
	SumSkeleton = sumFile(
		"// TODO(task 1): return a + b.\n\treturn 0, errors.New(\"TODO(task 1): add the numbers in sum.go\")",
		"// TODO(task 2): return once done is closed.\n\treturn errors.New(\"TODO(task 2): wait in sum.go\")")
	SumSolved      = sumFile("return a + b, nil", "<-done\n\treturn nil")
	SumTask1Done   = sumFile("return a + b, nil", "// TODO(task 2): return once done is closed.\n\treturn errors.New(\"TODO(task 2): wait in sum.go\")")
	SumTask1Wrong  = sumFile("return a - b, nil", "// TODO(task 2): return once done is closed.\n\treturn errors.New(\"TODO(task 2): wait in sum.go\")")
	SumTask2Hangs  = sumFile("return a + b, nil", "select {}")
	SumNoCompile   = sumFile("return a + b + c, nil", "<-done\n\treturn nil")
	SumWrong       = sumFile("return a - b, nil", "<-done\n\treturn nil")
	SumAlreadyDone = strings.Replace(SumSkeleton, "return 0, errors.New(\"TODO(task 1): add the numbers in sum.go\")", "return a + b, nil", 1)
)

func sumFile(add, wait string) string {
	imports := ""
	if strings.Contains(add+wait, "errors.") {
		imports = "import \"errors\"\n\n"
	}
	return "// Package sum is a fixture step.\npackage sum\n\n" + imports +
		"// Add returns a + b.\nfunc Add(a, b int) (int, error) {\n\t" + add + "\n}\n\n" +
		"// Wait returns once done is closed.\nfunc Wait(done <-chan struct{}) error {\n\t" + wait + "\n}\n"
}

const sumTest = `package sum

import "testing"

func TestTask1_Adds(t *testing.T) {
	got, err := Add(1, 2)
	if err != nil {
		t.Fatalf("Add(1, 2) failed: %v", err)
	}
	if got != 3 {
		t.Errorf("Add(1, 2) = %d, want 3 — task 1 in sum.go", got)
	}
}

func TestTask2_Waits(t *testing.T) {
	done := make(chan struct{})
	close(done)
	if err := Wait(done); err != nil {
		t.Fatalf("Wait failed: %v", err)
	}
}
`

// SumReadme is Sum's README: the task table the board reads file names from.
const SumReadme = "# Fixture\n\n## Tasks\n\n" +
	"| # | Goal | File | Test |\n|---|------|------|------|\n" +
	"| 1 | `Add` adds | `sum.go` | `TestTask1_Adds` |\n| 2 | `Wait` waits | `sum.go` | `TestTask2_Waits` |\n\n" +
	"Stuck? `go run ./cmd/workshop hint 01 1`.\n"

// SumHints holds the hints of Sum in the HINTS.md format of every step.
const SumHints = "# Hints\n\nOne at a time, please.\n\n" +
	"## Task 1 — add two numbers\n\n" +
	"1. Gentle: it is arithmetic.\n\n2. Use the plus sign,\n   on `a` and `b`.\n\n3. A sketch:\n\n   ```go\n   return a + b, nil\n   ```\n\n" +
	"## Task 2 — wait for done\n\n" +
	"1. What does a receive do on a channel nobody sends on?\n2. A receive blocks until the channel is closed.\n3. `<-done`\n\n" +
	"## What you learned\n\n1. Not a hint.\n"
