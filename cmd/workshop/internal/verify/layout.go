package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// layoutSections are where the tree is described: each must name every
// top-level entry (a step folder by the pattern NN-step/ or NN-name/).
var layoutSections = []struct{ file, heading string }{
	{"README.md", "## What is where"},
	{"CONTRIBUTING.md", "## Anatomy"},
}

// checkLayout: the descriptions of the tree name every entry at its top
// (but .git), so that a maintainer who opens a folder finds it explained.
func checkLayout(root string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	var problems []string
	for _, sec := range layoutSections {
		data, err := os.ReadFile(filepath.Join(root, sec.file))
		if os.IsNotExist(err) {
			continue // a fixture workshop of the tool's own tests
		}
		if err != nil {
			return err
		}
		text, ok := section(string(data), sec.heading)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s has no section %q", sec.file, sec.heading))
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if name == ".git" {
				continue
			}
			if e.IsDir() {
				name += "/"
			}
			if e.IsDir() && steps.IsStepName(e.Name()) {
				if !strings.Contains(text, "NN-step/") && !strings.Contains(text, "NN-name/") {
					problems = append(problems, fmt.Sprintf("%s, %s: the step folders (NN-step/) are not described", sec.file, sec.heading))
				}
				continue
			}
			if !namesEntry(text, name) {
				problems = append(problems, fmt.Sprintf("%s, %s: %s is not described", sec.file, sec.heading, name))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// section returns the text under heading, up to the next heading of the
// same level.
func section(markdown, heading string) (string, bool) {
	i := strings.Index(markdown, heading+"\n")
	if i < 0 {
		return "", false
	}
	rest := markdown[i+len(heading)+1:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest, true
}

// namesEntry reports whether text names the entry as a word of its own,
// or, for a folder ("cmd/"), as the start of a path ("cmd/workshop/").
func namesEntry(text, name string) bool {
	end := "($|[\\s`),:])"
	if strings.HasSuffix(name, "/") {
		end = ""
	}
	return regexp.MustCompile("(^|[\\s`(,])" + regexp.QuoteMeta(name) + end).MatchString(text)
}
