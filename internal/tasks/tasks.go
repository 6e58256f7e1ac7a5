package tasks

import (
	"regexp"
	"strconv"
)

// The two marks that tie a task together: `TODO(task N)` where the learner
// writes the code, and `TestTaskN_…` for the tests that check it.
var (
	todoMarker = regexp.MustCompile(`TODO\(task ([0-9]+)\)`)
	taskTest   = regexp.MustCompile(`^TestTask([0-9]+)_`)
)

// TaskOfTest returns N for a test named TestTaskN_…, and false for any other
// test (a plumbing test, a subtest's parent that is not a task, …).
func TaskOfTest(name string) (int, bool) {
	m := taskTest.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, true
}

// TODOTasks returns the task numbers of the TODO(task N) markers in src, in
// the order they appear (a task marked twice appears twice).
func TODOTasks(src []byte) []int {
	var tasks []int
	for _, m := range todoMarker.FindAllSubmatch(src, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		tasks = append(tasks, n)
	}
	return tasks
}
