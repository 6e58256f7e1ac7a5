package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// The word budgets of the learner's path (counted as `wc -w` counts):
// what a learner reads to work a step must stay short enough to be read.
// Measurements, investigations and design notes go to docs/, linked once.
const (
	TopReadmeWords  = 900
	StepReadmeWords = 1800
	HintsWords      = 1000
)

// checkWords: the top README, and each step's README and HINTS.md, are
// within their budgets.
func checkWords(root string, all []steps.Step) error {
	files := map[string]int{"README.md": TopReadmeWords}
	for _, s := range all {
		files[filepath.Join(s.Name, "README.md")] = StepReadmeWords
		files[filepath.Join(s.Name, "HINTS.md")] = HintsWords
	}
	var over []string
	for _, rel := range sortedKeys(files) {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if n := len(strings.Fields(string(data))); n > files[rel] {
			over = append(over, fmt.Sprintf("%s has %d words, its budget is %d: move measurements and notes to docs/", filepath.ToSlash(rel), n, files[rel]))
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("%s", strings.Join(over, "\n"))
	}
	return nil
}
