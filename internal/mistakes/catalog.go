// Package mistakes holds each step's catalog of plausible learner mistakes
// and proves that the step's tests catch every one.
//
// A mistake is a small edit of the step's solution, kept as a txtar file in
// NN-step/testdata/mistakes/. Its comment says what the learner did wrong;
// then come pairs of sections: a snippet of a solution file, named after the
// file, followed by what it `becomes`:
//
//	Returns io.EOF when the client half-closes, instead of nil (OK).
//	-- server.go --
//			if errors.Is(err, io.EOF) {
//				return nil
//	-- becomes --
//			if errors.Is(err, io.EOF) {
//				return err
//
// The snippet must occur exactly once in the file, so that the catalog
// breaks loudly, rather than silently testing nothing, when the solution
// changes under it.
package mistakes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/grpc-streaming-workshop/workshop/internal/steps"
)

// Dir is where a step keeps its catalog, relative to the step's folder.
const Dir = "testdata/mistakes"

// becomes names the section that replaces the snippet before it.
const becomes = "becomes"

// Mistake is one plausible learner mistake: an edit of a step's solution.
type Mistake struct {
	Step  steps.Step
	Name  string // the catalog file's name without .txtar, e.g. "returns-eof"
	Title string // the first line of its comment: what the learner did
	path  string // the catalog file
	edits []edit
}

// edit replaces the one occurrence of old in a learner file with new.
type edit struct {
	file     string // relative to the step folder, e.g. "server.go"
	old, new []byte
}

// Catalog reads the mistakes of step s, in the order of their file names.
// A step without a catalog has no mistakes (verify then says so).
func Catalog(s steps.Step) ([]Mistake, error) {
	paths, err := filepath.Glob(filepath.Join(s.Dir(), Dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	var all []Mistake
	for _, path := range paths {
		m, err := parse(s, path)
		if err != nil {
			return nil, err
		}
		all = append(all, m)
	}
	return all, nil
}

func parse(s steps.Step, path string) (Mistake, error) {
	a, err := txtar.ParseFile(path)
	if err != nil {
		return Mistake{}, err
	}
	rel := filepath.Join(s.Name, Dir, filepath.Base(path))
	m := Mistake{
		Step:  s,
		path:  path,
		Name:  strings.TrimSuffix(filepath.Base(path), ".txtar"),
		Title: strings.TrimSpace(strings.SplitN(string(a.Comment), "\n", 2)[0]),
	}
	if m.Title == "" {
		return Mistake{}, fmt.Errorf("%s: the first line must say what the learner did wrong", rel)
	}
	if len(a.Files) == 0 || len(a.Files)%2 != 0 {
		return Mistake{}, fmt.Errorf("%s: want pairs of sections: -- file.go -- then -- %s --", rel, becomes)
	}
	for i := 0; i < len(a.Files); i += 2 {
		from, to := a.Files[i], a.Files[i+1]
		if from.Name == becomes || to.Name != becomes {
			return Mistake{}, fmt.Errorf("%s: section %q must be followed by -- %s --", rel, from.Name, becomes)
		}
		m.edits = append(m.edits, edit{file: from.Name, old: from.Data, new: to.Data})
	}
	return m, nil
}

// String names the mistake as verify prints it.
func (m Mistake) String() string { return m.Step.Name + "/" + m.Name + ": " + m.Title }

// Files applies the mistake to the step's solution and returns the edited
// learner files, by path relative to the step folder.
func (m Mistake) Files() (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, e := range m.edits {
		src, ok := files[e.file]
		if !ok {
			var err error
			if src, err = os.ReadFile(filepath.Join(m.Step.SolutionDir(), e.file)); err != nil {
				return nil, fmt.Errorf("%s: %v", m, err)
			}
		}
		if n := bytes.Count(src, e.old); n != 1 {
			return nil, fmt.Errorf("%s: the snippet for %s occurs %d times in %s/%s/%s, want exactly once:\n%s",
				m.Name, e.file, n, steps.SolutionsDir, m.Step.Name, e.file, e.old)
		}
		files[e.file] = bytes.Replace(src, e.old, e.new, 1)
	}
	return files, nil
}
