package board

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Style says how to print: with colours or without, and how to spell the
// workshop command in suggestions.
type Style struct {
	Color   bool
	Command string // e.g. "go run ./cmd/workshop"
	// Path, if set, spells a path relative to the workshop's root as seen
	// from the current folder ("../01-unary/server.go" from inside 02-…).
	Path func(string) string
	// Watching leaves out the advice to start watch: it is running.
	Watching bool
}

// path spells rel (slash-separated, from the root) for the reader.
func (st Style) path(rel string) string {
	if st.Path == nil {
		return rel
	}
	return st.Path(rel)
}

// Colors reports whether out should get colours: only a terminal does, and
// never when NO_COLOR is set (https://no-color.org).
func Colors(out *os.File) bool {
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && Terminal(out)
}

// Terminal reports whether out is a terminal that understands escape codes
// (to clear the screen or a line); on Windows it switches them on.
func Terminal(out *os.File) bool {
	info, err := out.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && terminalColors(out)
}

func (st Style) paint(code, s string) string {
	if !st.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (st Style) Green(s string) string  { return st.paint("32", s) }
func (st Style) Red(s string) string    { return st.paint("31", s) }
func (st Style) Yellow(s string) string { return st.paint("33", s) }
func (st Style) Dim(s string) string    { return st.paint("2", s) }
func (st Style) Bold(s string) string   { return st.paint("1", s) }
func (st Style) Code(s string) string   { return st.paint("36", s) }

// mark is a task's one-character state.
func (st Style) mark(s TaskState) string {
	switch s {
	case Passing:
		return st.Green("✓")
	case Failing:
		return st.Red("✗")
	case NotStarted:
		return st.Dim("·")
	}
	return st.Yellow("?")
}

// Summary is a step's state in a few words.
func (st Style) Summary(s *Step) string {
	switch {
	case !s.Compiles():
		return st.Red("does not compile")
	case s.Hung != "":
		return st.Red(s.Hung + " hung")
	case s.Missing:
		return st.Yellow("no result")
	case s.Done():
		return st.Green("done")
	case !s.Started():
		return st.Dim("not started")
	case s.Next() == nil:
		return st.Red(fmt.Sprintf("all %d tasks pass; another test fails", len(s.Tasks)))
	}
	return fmt.Sprintf("%d/%d tasks", s.Passed(), len(s.Tasks))
}

// ShortName is a step's number, which every command accepts for it: "01".
func ShortName(step string) string {
	num, _, _ := strings.Cut(step, "-")
	return num
}

// RenderBoard prints one line per step, then what to do next.
func RenderBoard(w io.Writer, board []*Step, st Style) {
	width := 0
	marksWidth := 0
	for _, s := range board {
		width = max(width, len(s.Name))
		marksWidth = max(marksWidth, 2*len(s.Tasks))
	}
	for _, s := range board {
		var marks []string
		for _, t := range s.Tasks {
			marks = append(marks, st.mark(t.State))
		}
		pad := strings.Repeat(" ", marksWidth-2*len(s.Tasks))
		fmt.Fprintf(w, "  %-*s  %s%s %s\n", width, s.Name, strings.Join(marks, " "), pad, st.Summary(s))
	}
	fmt.Fprintln(w)
	next := NextStep(board)
	// A step that does not compile or hangs says so even when it is not
	// the next one: the learner may be working ahead.
	for _, s := range board {
		if s == next {
			continue
		}
		switch {
		case !s.Compiles():
			fmt.Fprintf(w, "%s does not compile:\n", s.Name)
			printLines(w, s.BuildErrors, 4, st.Red)
			fmt.Fprintln(w)
		case s.Hung != "":
			fmt.Fprintf(w, "%s: %s did not finish within %s (%s watch %s shows more).\n\n", s.Name, st.Red(s.Hung), s.TimedOut, st.Command, ShortName(s.Name))
		}
	}
	if next != nil {
		RenderNext(w, next, st)
		return
	}
	fmt.Fprintln(w, st.Green("Every step passes: well done!"))
	if len(board) > 0 {
		fmt.Fprintf(w, "See a finished step run with %s demo %s.\n", st.Command, ShortName(board[len(board)-1].Name))
	}
}

// RenderStep prints one step with a line per task, then what to do next.
func RenderStep(w io.Writer, s *Step, st Style) {
	fmt.Fprintf(w, "%s  %s\n", st.Bold(s.Name), st.Summary(s))
	for _, t := range s.Tasks {
		file := ""
		switch {
		case len(t.Files) > 0:
			file = st.Dim("  " + strings.Join(t.Files, ", "))
		case t.File != "":
			file = st.Dim("  " + t.File)
		}
		fmt.Fprintf(w, "  %s %d %s%s\n", st.mark(t.State), t.N, t.Title, file)
	}
	fmt.Fprintln(w)
	if s.Done() {
		fmt.Fprintln(w, st.Green(s.Name+": every test passes."))
		if _, err := os.Stat(filepath.Join(s.Dir(), "RECAP.md")); err == nil {
			fmt.Fprintf(w, "What you learned, now that you found it yourself: %s/RECAP.md\n", s.Name)
		}
		return
	}
	RenderNext(w, s, st)
}

// RenderNext prints what to do next in step s: fix the build, find the
// hang, or the next task with its file and its first failing test.
func RenderNext(w io.Writer, s *Step, st Style) {
	switch {
	case !s.Compiles():
		fmt.Fprintf(w, "%s %s does not compile; fix this first:\n", st.Bold("Next:"), s.Name)
		printLines(w, s.BuildErrors, 20, st.Red)
		return
	case s.Hung != "":
		fmt.Fprintf(w, "%s %s: %s did not finish within %s.\n", st.Bold("Next:"), s.Name, st.Red(s.Hung), s.TimedOut)
		fmt.Fprintln(w, "  Something waits forever: a stream nobody closes, a Recv loop that never")
		fmt.Fprintln(w, "  sees io.EOF, or a select without <-ctx.Done()?")
		if s.StuckAt != "" {
			fmt.Fprintf(w, "  It was waiting at %s.\n", st.Yellow(s.StuckAt))
		}
		return
	case s.Missing:
		fmt.Fprintf(w, "%s %s: the tests gave no result; run go test ./%s/ to see why.\n", st.Bold("Next:"), s.Name, s.Name)
		return
	}
	t := s.Next()
	if t == nil {
		if len(s.Others) > 0 {
			fmt.Fprintf(w, "%s %s: every task passes, but %s fails:\n", st.Bold("Next:"), s.Name, s.Others[0].Test)
			printMessage(w, s.Others[0].Message, st)
		}
		return
	}
	title := ""
	if t.Title != "" {
		title = " — " + t.Title
	}
	fmt.Fprintf(w, "%s %s, task %d%s\n", st.Bold("Next:"), s.Name, t.N, title)
	if t.File != "" {
		fmt.Fprintf(w, "  open %s\n", st.Bold(st.path(s.Name+"/"+t.File)))
	}
	if t.Failure != nil {
		fmt.Fprintf(w, "  %s says:\n", t.Failure.Test)
		printMessage(w, t.Failure.Message, st)
	}
	if st.Watching {
		fmt.Fprintf(w, "  stuck? %s hint %s %d\n", st.Command, ShortName(s.Name), t.N)
		return
	}
	fmt.Fprintf(w, "  stuck? %s hint %s %d   ·   re-run on every save: %s watch %s\n",
		st.Command, ShortName(s.Name), t.N, st.Command, ShortName(s.Name))
}

// printMessage prints the first lines of a test's message.
func printMessage(w io.Writer, msg []string, st Style) { printLines(w, msg, 8, st.Red) }

// printLines prints at most the first most lines, indented and painted.
func printLines(w io.Writer, lines []string, most int, paint func(string) string) {
	for i, l := range lines {
		if i == most {
			fmt.Fprintf(w, "    … %d more lines\n", len(lines)-most)
			break
		}
		fmt.Fprintln(w, "    "+paint(l))
	}
}

// NextStep is the step to work on, or nil when every step is done. The
// learner is followed: the step they last edited a file of, unless it is
// done; else the first step begun and not done; else the first step after
// the furthest one done (someone who jumped in at step 04 and finished it is
// sent to 05, not back to 01); else the first step.
func NextStep(board []*Step) *Step {
	var edited *Step
	for _, s := range board {
		if !s.Done() && !s.Edited.IsZero() && (edited == nil || s.Edited.After(edited.Edited)) {
			edited = s
		}
	}
	if edited != nil {
		return edited
	}
	for _, s := range board {
		if !s.Done() && s.Started() {
			return s
		}
	}
	furthest := -1
	for i, s := range board {
		if s.Done() {
			furthest = i
		}
	}
	for _, s := range board[furthest+1:] {
		if !s.Done() {
			return s
		}
	}
	for _, s := range board {
		if !s.Done() {
			return s
		}
	}
	return nil
}
