package tasks

import (
	"slices"
	"testing"
)

func TestTaskOfTest(t *testing.T) {
	for name, want := range map[string]int{"TestTask1_Greets": 1, "TestTask12_X": 12} {
		if n, ok := TaskOfTest(name); !ok || n != want {
			t.Errorf("TaskOfTest(%q) = %d, %v; want %d, true", name, n, ok, want)
		}
	}
	for _, name := range []string{"TestBadInput", "TestTask1", "TestTaskX_Y", "TestRoom_Task1_X"} {
		if n, ok := TaskOfTest(name); ok {
			t.Errorf("TaskOfTest(%q) = %d, true; want false: not a task test", name, n)
		}
	}
}

func TestTODOTasks(t *testing.T) {
	src := []byte("// TODO(task 2): a\n// TODO(task 1): b\n// TODO: not a task\n// TODO(task 2): c\n")
	if got, want := TODOTasks(src), []int{2, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("TODOTasks = %v, want %v", got, want)
	}
}
