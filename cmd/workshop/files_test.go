package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

// gitFixture makes a fixture workshop, commits it, and makes it the
// current folder.
func gitFixture(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := workshoptest.New(t, workshoptest.Sum("01-sum"), workshoptest.Sum("02-sum"))
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=fixture", "-c", "user.email=fixture@example.com", "commit", "-q", "-m", "fixture"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	t.Chdir(root)
	return root
}

func answer(t *testing.T, s string) {
	t.Helper()
	old := stdin
	stdin = bufio.NewReader(strings.NewReader(s))
	t.Cleanup(func() { stdin = old })
}

func read(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestResetRestoresOnlyLearnerFiles(t *testing.T) {
	root := gitFixture(t)
	edited := map[string]string{
		"01-sum/sum.go":      workshoptest.SumTask1Done, // the learner file: reset
		"01-sum/sum_test.go": "package sum // edited\n", // not a learner file: kept
		"01-sum/README.md":   "notes\n",                 // kept
		"01-sum/notes.txt":   "mine\n",                  // untracked: kept
		"02-sum/sum.go":      workshoptest.SumSolved,    // another step: kept
	}
	for rel, content := range edited {
		workshoptest.Write(t, root, rel, content)
	}

	answer(t, "n\n")
	if err := runReset(context.Background(), []string{"01"}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, root, "01-sum/sum.go"); got != workshoptest.SumTask1Done {
		t.Fatal("reset without a yes changed 01-sum/sum.go")
	}

	answer(t, "y\n")
	if err := runReset(context.Background(), []string{"01"}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, root, "01-sum/sum.go"); got != workshoptest.SumSkeleton {
		t.Errorf("after reset, 01-sum/sum.go is not the skeleton:\n%s", got)
	}
	for rel, content := range edited {
		if rel == "01-sum/sum.go" {
			continue
		}
		if got := read(t, root, rel); got != content {
			t.Errorf("reset touched %s", rel)
		}
	}
}

func TestResetWithoutGitSaysSo(t *testing.T) {
	gitFixture(t)
	workshoptest.Write(t, ".", "01-sum/sum.go", workshoptest.SumSolved)
	t.Setenv("PATH", t.TempDir())
	err := runReset(context.Background(), []string{"01"})
	if err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Fatalf("reset without git: %v, want an error saying git is not installed", err)
	}
}

func TestSolutionDiffShowsOnlyWhatDiffers(t *testing.T) {
	root := workshoptest.New(t, workshoptest.Sum("01-sum"))
	t.Chdir(root)
	step, err := steps.Find(root, "01")
	if err != nil {
		t.Fatal(err)
	}
	diff, err := solutionDiff(step)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- 01-sum/sum.go", "+++ solutions/01-sum/sum.go", "-\t// TODO(task 1)", "+\treturn a + b, nil"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	workshoptest.Write(t, root, "01-sum/sum.go", workshoptest.SumSolved)
	if diff, _ := solutionDiff(step); diff != "" {
		t.Errorf("a finished step still differs from its solution:\n%s", diff)
	}
}

func TestResetWorksWithoutTheSolutionsFolder(t *testing.T) {
	root := gitFixture(t)
	if err := os.RemoveAll(filepath.Join(root, "solutions")); err != nil { // a learner who does not want to peek
		t.Fatal(err)
	}
	workshoptest.Write(t, root, "01-sum/sum.go", workshoptest.SumTask1Done)
	answer(t, "y\n")
	if err := runReset(context.Background(), []string{"01"}); err != nil {
		t.Fatalf("reset without solutions/: %v", err)
	}
	if got := read(t, root, "01-sum/sum.go"); got != workshoptest.SumSkeleton {
		t.Errorf("after reset without solutions/, 01-sum/sum.go is not the skeleton:\n%s", got)
	}
}

func TestSolutionWithoutTheSolutionsFolderSaysSoBeforeAsking(t *testing.T) {
	root := gitFixture(t)
	if err := os.RemoveAll(filepath.Join(root, "solutions")); err != nil {
		t.Fatal(err)
	}
	answer(t, "") // nothing to read: it must not ask
	err := runSolution(context.Background(), []string{"01"})
	if err == nil || !strings.Contains(err.Error(), "git checkout HEAD -- solutions/01-sum") {
		t.Errorf("solution without solutions/: %v, want an error saying how to bring it back", err)
	}
}

func TestAdviceIsSpelledFromTheCurrentFolder(t *testing.T) {
	root := gitFixture(t)
	if got := commandFrom(root); got != "go run ./cmd/workshop" {
		t.Errorf("from the root, the command is %q, want go run ./cmd/workshop", got)
	}
	t.Chdir(filepath.Join(root, "01-sum"))
	if got := commandFrom(root); got != "go run ../cmd/workshop" {
		t.Errorf("from 01-sum/, the command is %q, want go run ../cmd/workshop", got)
	}
}

func TestEditedFilesAreDatedSoTheBoardFollowsTheLearner(t *testing.T) {
	root := gitFixture(t)
	b := []*board.Step{{Step: steps.Step{Name: "01-sum", Root: root}}, {Step: steps.Step{Name: "02-sum", Root: root}}}
	markEdited(context.Background(), root, b)
	if !b[0].Edited.IsZero() || !b[1].Edited.IsZero() {
		t.Fatalf("on an untouched clone, steps are marked edited: %v, %v", b[0].Edited, b[1].Edited)
	}
	workshoptest.Write(t, root, "02-sum/sum.go", workshoptest.SumTask1Done)
	workshoptest.Write(t, root, "01-sum/sum_test.go", "package sum // a test file is not the learner's work\n")
	markEdited(context.Background(), root, b)
	if !b[0].Edited.IsZero() || b[1].Edited.IsZero() {
		t.Errorf("after editing 02-sum/sum.go: 01 edited %v, 02 edited %v; want only 02", b[0].Edited, b[1].Edited)
	}
}

func TestDemoWithoutTheSolutionsFolderSaysSoAtOnce(t *testing.T) {
	root := gitFixture(t)
	if err := os.RemoveAll(filepath.Join(root, "solutions")); err != nil {
		t.Fatal(err)
	}
	err := runDemo(context.Background(), []string{"01"})
	if err == nil || !strings.Contains(err.Error(), "git checkout HEAD -- solutions/01-sum") {
		t.Errorf("demo without solutions/: %v, want an error saying how to bring it back", err)
	}
}

func TestPathsAreSpelledFromTheCurrentFolder(t *testing.T) {
	root := gitFixture(t)
	if got := pathFromHere("01-sum/sum.go"); got != "01-sum/sum.go" {
		t.Errorf("from the root, 01-sum/sum.go is spelled %q", got)
	}
	t.Chdir(filepath.Join(root, "02-sum"))
	if got := pathFromHere("01-sum/sum.go"); got != "../01-sum/sum.go" {
		t.Errorf("from 02-sum/, 01-sum/sum.go is spelled %q, want ../01-sum/sum.go", got)
	}
	t.Chdir(filepath.Join(root, "01-sum"))
	if got := pathFromHere("01-sum/sum.go"); got != "sum.go" {
		t.Errorf("from 01-sum/, 01-sum/sum.go is spelled %q, want sum.go", got)
	}
}
