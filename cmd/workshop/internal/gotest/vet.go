package gotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// VetFinding is one thing go vet found.
type VetFinding struct {
	Analyzer string
	File     string // absolute
	Line     int
	Message  string
}

// String is the finding as the board shows it.
func (f VetFinding) String(root string) string {
	rel, err := filepath.Rel(root, f.File)
	if err != nil {
		rel = f.File
	}
	return fmt.Sprintf("go vet (%s): %s:%d: %s", f.Analyzer, filepath.ToSlash(rel), f.Line, f.Message)
}

// RunVet runs `go vet -json args...` in dir, every check of go vet (go
// test runs only a few, and not lostcancel), and returns what it printed:
// the findings, one JSON object per package that has some. A package that
// does not compile gives none (the build reports it).
func RunVet(ctx context.Context, dir string, args ...string) []byte {
	vet := exec.CommandContext(ctx, "go", append([]string{"vet", "-json"}, args...)...)
	vet.Dir = dir
	var out bytes.Buffer
	vet.Stdout = &out
	vet.Run() // a package that does not compile makes it fail; the rest still report
	return out.Bytes()
}

// ParseVet reads what RunVet printed: for each package, for each analyzer,
// its findings.
func ParseVet(data []byte) []VetFinding {
	var found []VetFinding
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var byPackage map[string]map[string]json.RawMessage
		if err := dec.Decode(&byPackage); err != nil {
			break // io.EOF, or the end of what is JSON
		}
		for _, byAnalyzer := range byPackage {
			for analyzer, raw := range byAnalyzer {
				var diags []struct{ Posn, Message string }
				if json.Unmarshal(raw, &diags) != nil {
					continue // {"error": …}: the package did not type-check
				}
				for _, d := range diags {
					file, line := splitPosition(d.Posn)
					found = append(found, VetFinding{Analyzer: analyzer, File: file, Line: line, Message: d.Message})
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b VetFinding) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return found
}

// splitPosition splits "file.go:12:5" into the file and the line.
func splitPosition(posn string) (string, int) {
	rest, _, _ := cutLast(posn, ":") // the column
	file, line, _ := cutLast(rest, ":")
	n, _ := strconv.Atoi(line)
	return file, n
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
