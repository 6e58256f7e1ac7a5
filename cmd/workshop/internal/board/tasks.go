package board

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/gotest"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/hints"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

var (
	testFunc = regexp.MustCompile(`(?m)^func (Test\w*)\(`)
	taskRow  = regexp.MustCompile(`(?m)^\|\s*([0-9]+)\s*\|(.*)$`) // a row of the README's task table
	goFile   = regexp.MustCompile("`([^`\\s]+\\.go)`")
)

// findTasks lists a step's tasks from its source, so that they are known even
// when the step does not compile: the TestTaskN_ functions in the step's test
// files, the TODO(task N) markers in its learner files, the README's titles.
func findTasks(s steps.Step) ([]*Task, error) {
	byN := map[int]*Task{}
	task := func(n int) *Task {
		if byN[n] == nil {
			byN[n] = &Task{N: n}
		}
		return byN[n]
	}

	tests, err := filepath.Glob(filepath.Join(s.Dir(), "*_test.go"))
	if err != nil {
		return nil, err
	}
	for _, f := range tests {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range testFunc.FindAllSubmatch(data, -1) {
			if n, ok := tasks.TaskOfTest(string(m[1])); ok {
				task(n).Tests = append(task(n).Tests, string(m[1]))
			}
		}
	}

	files, err := s.EditableFiles()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(s.Dir(), f))
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		for _, n := range tasks.TODOTasks(data) {
			if t := task(n); t.File == "" {
				t.File = filepath.ToSlash(f)
			}
		}
	}

	if all, err := hints.Load(s.Dir()); err == nil {
		for _, h := range all {
			if t := byN[h.N]; t != nil {
				t.Title = h.Title
			}
		}
	}
	if readme, err := os.ReadFile(filepath.Join(s.Dir(), "README.md")); err == nil {
		// Once a task's TODO is gone, the README's task table still says
		// which file it is in.
		for _, m := range taskRow.FindAllSubmatch(readme, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			t := byN[n]
			if t == nil {
				continue
			}
			for _, f := range goFile.FindAllSubmatch(m[2], -1) {
				if name := string(f[1]); slices.Contains(files, name) && !slices.Contains(t.Files, name) {
					t.Files = append(t.Files, name)
				}
			}
			if t.File == "" && len(t.Files) > 0 {
				t.File = t.Files[0]
			}
		}
	}

	var tasks []*Task
	for _, t := range byN {
		tasks = append(tasks, t)
	}
	slices.SortFunc(tasks, func(a, b *Task) int { return a.N - b.N })
	return tasks, nil
}

// stuckAt finds, in the goroutine dump of a timed-out run, the first line
// in the step's own (non-test) code: most likely where it is stuck.
func stuckAt(s steps.Step, p *gotest.Package) string {
	dir := filepath.ToSlash(s.Dir()) + "/"
	var dump []string
	dump = append(dump, p.Output...)
	for _, t := range p.Tests {
		dump = append(dump, t.Output...)
	}
	for _, l := range dump {
		l = strings.TrimSpace(l)
		file, _, _ := strings.Cut(l, " +0x")
		slashed := filepath.ToSlash(file)
		if !strings.HasPrefix(slashed, dir) {
			continue
		}
		rel := strings.TrimPrefix(slashed, dir)
		path, _, _ := strings.Cut(rel, ":")
		if strings.HasSuffix(path, "_test.go") || strings.Contains(path, "/") {
			continue
		}
		return s.Name + "/" + rel
	}
	return ""
}
