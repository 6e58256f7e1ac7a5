package hints

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Seen remembers, per step and task, how many hints the learner has been
// shown, so that asking again gives the next one. It lives in a small JSON
// file in the user's cache folder: losing it only means starting the hints
// over, gently.
type Seen struct {
	path   string
	counts map[string]int // "01-unary/3" → hints shown
}

// OpenSeen reads the record at path; a missing file is an empty record,
// and an empty path keeps the record in memory only.
func OpenSeen(path string) (*Seen, error) {
	s := &Seen{path: path, counts: map[string]int{}}
	if path == "" {
		return s, nil // nowhere to keep it: remember for this run only
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if json.Unmarshal(data, &s.counts) != nil {
		s.counts = map[string]int{} // a damaged file: start over
	}
	return s, nil
}

func key(step string, task int) string { return step + "/" + strconv.Itoa(task) }

// Shown is how many hints of the task have been shown.
func (s *Seen) Shown(step string, task int) int { return s.counts[key(step, task)] }

// Next records that one more hint of the task is being shown, at most total,
// saves the record and returns how many have now been shown.
func (s *Seen) Next(step string, task, total int) (int, error) {
	n := min(s.counts[key(step, task)]+1, total)
	s.counts[key(step, task)] = n
	if s.path == "" {
		return n, nil
	}
	data, err := json.Marshal(s.counts)
	if err != nil {
		return n, err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return n, err
	}
	return n, os.WriteFile(s.path, data, 0o644)
}
