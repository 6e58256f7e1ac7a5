// Package steps finds the workshop's steps on disk: every top-level folder
// named like "01-unary", and its finished version under solutions/. Adding a
// step folder is all it takes for the workshop command to pick it up.
package steps

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// SolutionsDir is the folder, at the workshop root, that holds each step's
// finished learner-edited files.
const SolutionsDir = "solutions"

var stepName = regexp.MustCompile(`^[0-9]{2}-[a-z0-9-]+$`)

// Step is one lesson of the workshop.
type Step struct {
	Name string // folder name, e.g. "01-unary"
	Root string // the workshop root the step lives in
}

// IsStepName reports whether a folder named name is a step ("01-unary").
func IsStepName(name string) bool { return stepName.MatchString(name) }

// Dir is the step's folder.
func (s Step) Dir() string { return filepath.Join(s.Root, s.Name) }

// SolutionDir is the folder of the step's finished files.
func (s Step) SolutionDir() string { return filepath.Join(s.Root, SolutionsDir, s.Name) }

// Pattern is the package pattern for the step, relative to the root.
func (s Step) Pattern() string { return "./" + s.Name + "/..." }

// Discover lists the steps under root, in order.
func Discover(root string) ([]Step, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var steps []Step
	for _, e := range entries {
		if e.IsDir() && stepName.MatchString(e.Name()) {
			steps = append(steps, Step{Name: e.Name(), Root: root})
		}
	}
	return steps, nil
}

// Find returns the step whose name is name or starts with it ("01" finds
// "01-unary").
func Find(root, name string) (Step, error) {
	all, err := Discover(root)
	if err != nil {
		return Step{}, err
	}
	for _, s := range all {
		if s.Name == name || strings.HasPrefix(s.Name, name+"-") {
			return s, nil
		}
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	return Step{}, fmt.Errorf("no step %q; the steps are %s", name, strings.Join(names, ", "))
}

// LearnerFiles lists the files a learner edits in this step, as paths relative
// to the step folder: exactly the files its solution folder holds, but for its
// testdata (the catalogs that verify tries against the tests).
func (s Step) LearnerFiles() ([]string, error) {
	var files []string
	err := filepath.WalkDir(s.SolutionDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir // the catalogs of mistakes and alternatives
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(s.SolutionDir(), path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("step %s has no solution folder: %w", s.Name, err)
	}
	slices.Sort(files)
	return files, nil
}

// WriteOverlay writes a file for `go build -overlay` that lays the solution
// files of steps over their skeleton files, and returns its path. The tree on
// disk is not touched: the go command reads the solution in the skeleton's place.
func WriteOverlay(dir string, steps ...Step) (string, error) {
	replace := map[string]string{}
	for _, s := range steps {
		files, err := s.LearnerFiles()
		if err != nil {
			return "", err
		}
		for _, f := range files {
			replace[filepath.Join(s.Dir(), f)] = filepath.Join(s.SolutionDir(), f)
		}
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, data, 0o644)
}

// EditableFiles is LearnerFiles, or, when the solutions folder is gone (a
// learner may delete it so as not to peek), the step's own Go files that are
// not tests: the files a learner may have changed.
func (s Step) EditableFiles() ([]string, error) {
	if files, err := s.LearnerFiles(); err == nil {
		return files, nil
	}
	entries, err := os.ReadDir(s.Dir())
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if name := e.Name(); !e.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, name)
		}
	}
	return files, nil
}
