// Package watch re-runs something whenever files change: fsnotify events on
// a set of folders, gathered for a moment (an editor often writes a file in
// several steps), or a press of Enter where events never arrive (some
// network and WSL mounts).
package watch

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long changes are gathered before a run starts.
const DefaultDebounce = 50 * time.Millisecond

// Config says what to watch and what to do.
type Config struct {
	// Dirs are watched with all their sub-folders.
	Dirs []string
	// Relevant filters the changed paths; nil means every ".go" file.
	Relevant func(path string) bool
	// Debounce: 0 means DefaultDebounce.
	Debounce time.Duration
	// Manual triggers a run at once (the Enter key); it may be nil.
	Manual <-chan struct{}
	// Run is called once at the start and after every change. Its context
	// is cancelled when a newer change arrives, so a slow run (a hanging
	// test) never delays the verdict on the latest save.
	Run func(ctx context.Context)
	// Warn is told when events cannot be watched (Enter still works).
	Warn func(error)
	// Changed, if set, is told of each relevant change as soon as it is
	// seen, before the debounce: the learner sees at once that a save was
	// noticed, however long the run then takes.
	Changed func(path string)
}

// IsGoFile reports whether path is a Go source file, leaving out editors'
// backup and lock files ("server.go~", ".#server.go").
func IsGoFile(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, ".go") && !strings.HasPrefix(base, ".")
}

// Run watches until ctx is done.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Relevant == nil {
		cfg.Relevant = IsGoFile
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	warn := cfg.Warn
	if warn == nil {
		warn = func(error) {}
	}

	var events <-chan fsnotify.Event
	var errs <-chan error
	w, err := fsnotify.NewWatcher()
	if err != nil {
		warn(err)
	} else {
		defer w.Close()
		for _, d := range cfg.Dirs {
			if err := addTree(w, d); err != nil {
				warn(err)
			}
		}
		events, errs = w.Events, w.Errors
	}

	// Runs never overlap: a new one starts after the previous one, which
	// was cancelled, has returned.
	var cancel context.CancelFunc = func() {}
	finished := make(chan struct{})
	close(finished)
	start := func() {
		cancel()
		<-finished
		var runCtx context.Context
		runCtx, cancel = context.WithCancel(ctx)
		done := make(chan struct{})
		finished = done
		go func() {
			defer close(done)
			cfg.Run(runCtx)
		}()
	}
	defer func() { cancel(); <-finished }()

	start()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-cfg.Manual:
			timer.Stop()
			start()
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					_ = addTree(w, ev.Name)
					continue
				}
			}
			// A rename or remove of a file is half of a save by rename
			// (write a new file, move it over the old); the create that
			// completes it arrives as its own event, so every kind counts.
			if ev.Op == fsnotify.Chmod || !cfg.Relevant(ev.Name) {
				continue
			}
			if cfg.Changed != nil {
				cfg.Changed(ev.Name)
			}
			timer.Reset(cfg.Debounce)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			warn(err)
		case <-timer.C:
			start()
		}
	}
}

// addTree watches dir and its sub-folders (fsnotify watches one folder at a
// time), leaving out those the go command ignores too.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != dir && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		return w.Add(path)
	})
}
