// Package catalog holds each step's two catalogs of edits of its solution,
// and tries them against the step's tests:
//
//   - mistakes: plausible wrong solutions, every one of which some test must
//     fail, naming its task;
//   - alternatives: correct solutions of other shapes, every one of which
//     every test must pass. A test that fails one is wrong, however many
//     mistakes it catches.
//
// Both live with the solution, in solutions/NN-step/testdata/mistakes/ and
// .../alternatives/, out of the learner's sight: their names and contents
// would give the answers away. An entry is a txtar file: its comment says
// what the learner did; then come pairs of sections, a snippet of a
// solution file, named after the file, followed by what it `becomes`:
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
package catalog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// Kind is which of a step's two catalogs an entry belongs to.
type Kind string

const (
	Mistakes     Kind = "mistakes"     // every one must fail a test that names its task
	Alternatives Kind = "alternatives" // every one must pass every test
)

// Dir is where a step keeps the catalog of this kind, relative to its
// solution folder.
func (k Kind) Dir() string { return "testdata/" + string(k) }

// becomes names the section that replaces the snippet before it.
const becomes = "becomes"

// Variant is one entry of a catalog: an edit of a step's solution.
type Variant struct {
	Step  steps.Step
	Kind  Kind
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

// Read reads step s's catalog of kind k, in the order of its file names.
// A step without one has an empty catalog (verify then says so).
func Read(s steps.Step, k Kind) ([]Variant, error) {
	paths, err := filepath.Glob(filepath.Join(s.SolutionDir(), k.Dir(), "*.txtar"))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	var all []Variant
	for _, path := range paths {
		m, err := parse(s, k, path)
		if err != nil {
			return nil, err
		}
		all = append(all, m)
	}
	return all, nil
}

func parse(s steps.Step, k Kind, path string) (Variant, error) {
	a, err := txtar.ParseFile(path)
	if err != nil {
		return Variant{}, err
	}
	rel := filepath.Join(steps.SolutionsDir, s.Name, k.Dir(), filepath.Base(path))
	m := Variant{
		Step:  s,
		Kind:  k,
		path:  path,
		Name:  strings.TrimSuffix(filepath.Base(path), ".txtar"),
		Title: strings.TrimSpace(strings.SplitN(string(a.Comment), "\n", 2)[0]),
	}
	if m.Title == "" {
		return Variant{}, fmt.Errorf("%s: the first line must say what the learner did", rel)
	}
	if len(a.Files) == 0 || len(a.Files)%2 != 0 {
		return Variant{}, fmt.Errorf("%s: want pairs of sections: -- file.go -- then -- %s --", rel, becomes)
	}
	for i := 0; i < len(a.Files); i += 2 {
		from, to := a.Files[i], a.Files[i+1]
		if from.Name == becomes || to.Name != becomes {
			return Variant{}, fmt.Errorf("%s: section %q must be followed by -- %s --", rel, from.Name, becomes)
		}
		m.edits = append(m.edits, edit{file: from.Name, old: from.Data, new: to.Data})
	}
	return m, nil
}

// String names the entry as verify prints it.
func (m Variant) String() string { return m.Step.Name + "/" + m.Name + ": " + m.Title }

// Files applies the edits to the step's solution and returns the edited
// learner files, by path relative to the step folder.
func (m Variant) Files() (map[string][]byte, error) {
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
