// Package hints reads the hints of a step from the step's HINTS.md, kept
// apart from its README so that nobody reads a hint they did not ask for.
// One section per task, one numbered item per hint, gentlest first: a
// question that points at the idea, then the API and its pitfall, then a
// sketch. A hint may run over several paragraphs and hold a code block,
// indented under its number as Markdown wants:
//
//	## Task 2 — reject bad names
//
//	1. Which names could never be greeted?
//
//	2. `status.Error` makes an error that carries a code …
//
//	3. A sketch:
//
//	   ```go
//	   if name == "" {
//	   ```
//
// The workshop command hands them out one at a time.
package hints

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// File is the name of a step's hints file.
const File = "HINTS.md"

// Task is the title and the hints of one task, gentlest first.
type Task struct {
	N     int
	Title string   // e.g. "reject bad names"
	Hints []string // each in Markdown, without its number and indentation
}

var (
	heading  = regexp.MustCompile(`^##\s+Task\s+([0-9]+)\s*[—–-]+\s*(.*?)\s*$`)
	listItem = regexp.MustCompile(`^([0-9]+)\.\s+(.*)$`)
)

// Parse reads a hints file. Tasks come in the order the file gives them.
func Parse(md []byte) []Task {
	var tasks []Task
	var cur *Task
	var hint []string
	flush := func() {
		if cur != nil && hint != nil {
			cur.Hints = append(cur.Hints, strings.TrimSpace(strings.Join(hint, "\n")))
		}
		hint = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(md))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "#") {
			flush()
			cur = nil
			if m := heading.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				tasks = append(tasks, Task{N: n, Title: m[2]})
				cur = &tasks[len(tasks)-1]
			}
			continue
		}
		if cur == nil {
			continue
		}
		if m := listItem.FindStringSubmatch(line); m != nil {
			flush()
			hint = []string{m[2]}
			continue
		}
		if hint != nil {
			// Continuation lines are indented under the number.
			hint = append(hint, strings.TrimPrefix(strings.TrimPrefix(line, "   "), "\t"))
		}
	}
	flush()
	return tasks
}

// Load reads the hints of the step in dir from dir/HINTS.md.
func Load(dir string) ([]Task, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return nil, err
	}
	return Parse(data), nil
}

// Find returns task n of tasks.
func Find(tasks []Task, n int) (Task, error) {
	for _, t := range tasks {
		if t.N == n {
			if len(t.Hints) == 0 {
				return t, fmt.Errorf("task %d has no hints in %s", n, File)
			}
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("%s has no hints for task %d", File, n)
}
