package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

func runBoard(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("board", flag.ContinueOnError)
	timeout := fs.Duration("timeout", board.DefaultTimeout, "how long one step's tests may run before the board calls it a hang")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("the board takes no arguments; to follow one step, use watch <step>")
	}
	root, err := findRoot()
	if err != nil {
		return err
	}
	all, err := steps.Discover(root)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return fmt.Errorf("no steps (folders named like 01-name) in %s", root)
	}
	b, err := loadBoard(ctx, root, all, *timeout, false)
	if err != nil {
		return err
	}
	board.RenderBoard(os.Stdout, b, style())
	return nil
}

// runStep shows one step: each task's state, then what to do next.
func runStep(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("step", flag.ContinueOnError)
	timeout := fs.Duration("timeout", board.DefaultTimeout, "how long the step's tests may run before the board calls it a hang")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	b, err := loadBoard(ctx, root, []steps.Step{step}, *timeout, false)
	if err != nil {
		return err
	}
	board.RenderStep(os.Stdout, b[0], style())
	return nil
}

// loadBoard runs the steps' tests. For the board it shows on stderr that
// something is happening when that takes a while (on a fresh clone the first
// run compiles grpc and every test); for watch it is quiet. Each keeps its
// test binaries apart, so that a board run while watch is on never
// overwrites a binary the other is running.
func loadBoard(ctx context.Context, root string, all []steps.Step, timeout time.Duration, watching bool) ([]*board.Step, error) {
	opt := board.Options{Timeout: timeout}
	if dir, err := cacheDir(root); err == nil {
		opt.BinDir = filepath.Join(dir, "tests")
		if watching {
			opt.BinDir = filepath.Join(dir, "tests-watch")
		}
	}
	if !watching {
		opt.Skip = "Browser"
		opt.ReuseResults = true
		first := firstRun(root)
		p := startProgress(os.Stderr, len(all), first)
		defer p.stop()
		opt.Progress = p.update
		if first {
			// Compiling every step takes a minute on a small laptop: the
			// step the learner is on comes first, to work on meanwhile.
			edited := editedTimes(ctx, root)
			opt.EarlyStep = lastEdited(edited, all).Name
			opt.Early = func(s *board.Step) {
				s.Edited = edited[s.Name]
				p.early(s)
			}
		}
	}
	b, err := board.Load(ctx, root, all, opt)
	if err == nil {
		markEdited(ctx, root, b)
		markBuilt(root)
	}
	return b, err
}

// progress shows, after a quiet first second, what the board is waiting for.
type progress struct {
	out      *os.File
	tty      bool
	total    int
	started  time.Time
	mu       sync.Mutex
	phase    string
	finished int
	noted    bool // the banner is printed, or not wanted
	printed  time.Time
	done     chan struct{}
	wg       sync.WaitGroup
}

// quiet is how long a run may take before progress is shown: a warm run is
// over before that and prints nothing but the board.
const quiet = 2 * time.Second

// startProgress shows progress on out; first says whether this is the
// clone's first build, which gets a word of explanation.
func startProgress(out *os.File, total int, first bool) *progress {
	p := &progress{out: out, tty: board.Terminal(out), total: total, started: time.Now(), done: make(chan struct{}), noted: !first}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
				if time.Since(p.started) >= quiet {
					p.show()
				}
			}
		}
	}()
	return p
}

func (p *progress) update(phase, _ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase = phase
	if phase == "done" {
		p.finished++
	}
}

func (p *progress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.noted {
		p.noted = true
		fmt.Fprintf(p.out, "The first run compiles gRPC and every step's tests: the step you are on shows in about a\n"+
			"minute on 2 cores, the rest half a minute later; then the board answers in well under a second.\n"+
			"(Before a workshop day, %s prepare builds everything ahead of time.)\n", selfCommand)
	}
	what := "compiling the steps and their tests"
	if p.phase != "compile" && p.phase != "" {
		what = fmt.Sprintf("running the tests: %d of %d steps done", p.finished, p.total)
	}
	line := fmt.Sprintf("… %s (%ds)", what, int(time.Since(p.started).Seconds()))
	if p.tty {
		fmt.Fprintf(p.out, "\r\x1b[K%s", line)
	} else if time.Since(p.printed) >= 5*time.Second {
		p.printed = time.Now() // a line every 5 s, so a log shows progress too
		fmt.Fprintln(p.out, line)
	}
}

// early shows step s, the first compiled on a fresh clone, while the
// others still compile: the learner can start on it.
func (p *progress) early(s *board.Step) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.out, "\r\x1b[K")
	}
	board.RenderStep(os.Stdout, s, style())
	fmt.Fprintf(os.Stdout, "\n(The other steps are still compiling; the whole board follows. %ds so far.)\n\n", int(time.Since(p.started).Seconds()))
	p.printed = time.Time{}
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	if p.tty && p.noted {
		fmt.Fprint(p.out, "\r\x1b[K")
	}
}
