// Package hints reads the hints of a step from its README, where they are
// written once for people reading the page: under "## Hints", one block per
// task,
//
//	<details><summary>Task 2 — reject bad names</summary>
//
//	1. a gentle nudge
//	2. closer
//	3. nearly the answer
//
//	</details>
//
// The workshop command hands them out one at a time, gentlest first.
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

// Task is the title and the hints of one task, gentlest first.
type Task struct {
	N     int
	Title string // e.g. "reject bad names"
	Hints []string
}

var (
	summary  = regexp.MustCompile(`<summary>\s*Task\s+([0-9]+)\s*[—–-]+\s*(.*?)\s*</summary>`)
	listItem = regexp.MustCompile(`^([0-9]+)\.\s+(.*)$`)
)

// Parse reads the Hints section of a README. Tasks are in the order the
// README gives them; a hint that runs over several lines is joined into one.
func Parse(readme []byte) []Task {
	var tasks []Task
	var cur *Task
	inHints := false
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "## ") {
			inHints = strings.EqualFold(strings.TrimSpace(line[3:]), "Hints")
			cur = nil
			continue
		}
		if !inHints {
			continue
		}
		if m := summary.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			tasks = append(tasks, Task{N: n, Title: m[2]})
			cur = &tasks[len(tasks)-1]
			continue
		}
		if cur == nil {
			continue
		}
		switch trimmed := strings.TrimSpace(line); {
		case strings.HasPrefix(trimmed, "</details>"):
			cur = nil
		case listItem.MatchString(trimmed):
			cur.Hints = append(cur.Hints, listItem.FindStringSubmatch(trimmed)[2])
		case trimmed != "" && len(cur.Hints) > 0 && line != trimmed:
			// An indented line continues the hint above it.
			cur.Hints[len(cur.Hints)-1] += " " + trimmed
		}
	}
	return tasks
}

// Load reads the hints of the step in dir from dir/README.md.
func Load(dir string) ([]Task, error) {
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
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
				return t, fmt.Errorf("task %d has no hints in the README", n)
			}
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("the README has no hints for task %d", n)
}
