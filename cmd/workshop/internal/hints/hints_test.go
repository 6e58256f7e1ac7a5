package hints

import (
	"path/filepath"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

func TestParseReadsEachTaskInOrder(t *testing.T) {
	tasks := Parse([]byte(workshoptest.SumHints))
	if len(tasks) != 2 {
		t.Fatalf("Parse found %d tasks, want 2: %+v", len(tasks), tasks)
	}
	one, err := Find(tasks, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Gentle: it is arithmetic.", "Use the plus sign,\non `a` and `b`.", "A sketch:\n\n```go\nreturn a + b, nil\n```"}
	if one.Title != "add two numbers" || len(one.Hints) != len(want) {
		t.Fatalf("task 1 = %+v, want title %q and hints %q", one, "add two numbers", want)
	}
	for i := range want {
		if one.Hints[i] != want[i] {
			t.Errorf("task 1 hint %d = %q, want %q", i+1, one.Hints[i], want[i])
		}
	}
	if two, _ := Find(tasks, 2); len(two.Hints) != 3 {
		t.Errorf("task 2 has hints %q, want 3 (the list after the last task is not a hint)", two.Hints)
	}
	if _, err := Find(tasks, 3); err == nil {
		t.Error("Find(3) found hints for a task the file does not have")
	}
}

func TestSeenGivesTheNextHintAndRemembersIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "hints.json")
	seen, err := OpenSeen(path)
	if err != nil {
		t.Fatal(err)
	}
	for want := 1; want <= 2; want++ {
		if got, err := seen.Next("01-sum", 1, 3); err != nil || got != want {
			t.Fatalf("Next = %d, %v; want %d", got, err, want)
		}
	}
	// A new run of the command: it goes on where the last one stopped.
	again, err := OpenSeen(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Shown("01-sum", 1); got != 2 {
		t.Fatalf("after reopening, Shown = %d, want 2", got)
	}
	for range 3 {
		again.Next("01-sum", 1, 3)
	}
	if got := again.Shown("01-sum", 1); got != 3 {
		t.Errorf("Shown = %d after asking past the last hint, want it to stay at 3", got)
	}
	if got := again.Shown("01-sum", 2); got != 0 {
		t.Errorf("task 2 Shown = %d, want 0: each task has its own count", got)
	}
}

func TestRenderWrapsProseAndKeepsCode(t *testing.T) {
	md := "Call `stream.Send(msg)` for each factor, and return its error: a failed Send means the stream is over.\n\n```go\nif err := stream.Send(f); err != nil {\n\treturn err\n}\n```"
	got := Render(md, 40, func(s string) string { return "<" + s + ">" })
	want := "Call <stream.Send(msg)> for each factor,\n" +
		"and return its error: a failed Send\n" +
		"means the stream is over.\n" +
		"\n" +
		"    <if err := stream.Send(f); err != nil {>\n" +
		"    <\treturn err>\n" +
		"    <}>"
	if got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
}
