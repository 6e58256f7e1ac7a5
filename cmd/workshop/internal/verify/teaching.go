package verify

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/hints"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// MaxTODOLines is the longest a TODO(task N) comment may be: a goal and the
// test that proves it, not a recipe.
const MaxTODOLines = 3

// Code in a TODO: what gives an answer away instead of stating a goal.
var recipe = []struct {
	what string
	re   *regexp.Regexp
}{
	{"an assignment", regexp.MustCompile(`:=|[\w\])] = [\w&]`)},
	{"a go statement", regexp.MustCompile(`\bgo (func|\w+\()`)},
	{"a select", regexp.MustCompile(`\bselect\s*\{|\bcase\s*<-`)},
	{"a return statement", regexp.MustCompile(`\breturn (nil|err|status\.|&|"|\w+\()`)},
	{"a call with its arguments", regexp.MustCompile(`\b[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\([^)…\s][^)]*\)`)},
}

// checkTeaching: every TODO(task N) in the skeleton states a goal in at most
// MaxTODOLines lines, without code, and the README holds no hint text (the
// hints live in HINTS.md, handed out on request).
func checkTeaching(s steps.Step) error {
	var problems []string
	files, err := s.LearnerFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(s.Dir(), f))
		if err != nil {
			return err
		}
		for _, todo := range todoComments(data) {
			where := fmt.Sprintf("%s/%s:%d", s.Name, f, todo.line)
			if len(todo.text) > MaxTODOLines {
				problems = append(problems, fmt.Sprintf("%s: the TODO runs %d lines, want at most %d: state the goal, move the how into %s", where, len(todo.text), MaxTODOLines, hints.File))
			}
			body := strings.Join(todo.text, " ")
			body = strings.Replace(body, todoMark.FindString(body), "", 1)
			for _, r := range recipe {
				if m := r.re.FindString(body); m != "" {
					problems = append(problems, fmt.Sprintf("%s: the TODO holds %s (%q): a TODO states the goal; the code belongs in %s", where, r.what, m, hints.File))
				}
			}
		}
	}
	readme, err := os.ReadFile(filepath.Join(s.Dir(), "README.md"))
	if err != nil {
		return err
	}
	if bytes.Contains(readme, []byte("<details>")) || regexp.MustCompile(`(?m)^#+\s+Hints\s*$`).Match(readme) {
		problems = append(problems, fmt.Sprintf("%s/README.md holds hints: move them to %s/%s, where they are asked for", s.Name, s.Name, hints.File))
	}
	all, err := hints.Load(s.Dir())
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s/%s: %v", s.Name, hints.File, err))
	}
	todos, _ := skeletonTasks(s)
	for _, n := range todos {
		if t, err := hints.Find(all, n); err != nil || len(t.Hints) < 3 {
			problems = append(problems, fmt.Sprintf("%s/%s: task %d needs a ladder of at least 3 hints (a question, the API and its pitfall, a sketch)", s.Name, hints.File, n))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

var todoMark = regexp.MustCompile(`TODO\(task [0-9]+\):?`)

// todo is one TODO(task N) comment: its first line number and its lines,
// without the comment markers.
type todo struct {
	line int
	text []string
}

// todoComments finds each TODO(task N) comment: the line with the mark and
// the comment lines right after it, up to code, a blank line or the next mark.
func todoComments(src []byte) []todo {
	var all []todo
	var cur *todo
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		comment, isComment := strings.CutPrefix(line, "//")
		switch {
		case isComment && todoMark.MatchString(comment) && !strings.Contains(line, `"`):
			all = append(all, todo{line: n, text: []string{strings.TrimSpace(comment)}})
			cur = &all[len(all)-1]
		case isComment && cur != nil && strings.TrimSpace(comment) != "":
			cur.text = append(cur.text, strings.TrimSpace(comment))
		default:
			cur = nil
		}
	}
	return all
}
