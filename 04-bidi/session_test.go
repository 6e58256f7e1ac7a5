package bidi

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// session runs the learner's Factorize on its own goroutine and plays the
// user: the test types lines into a pipe that is Factorize's input, one at a
// time, and reads what Factorize prints, line by line, as it is printed.
type session struct {
	t        *testing.T
	in       *io.PipeWriter
	inReader *io.PipeReader // Factorize's end of the input pipe
	printed  chan string    // each line Factorize printed, in order
	out      *heldWriter    // what Factorize prints to
	done     chan error     // receives what Factorize returned
	returned bool           // Factorize has returned, with err
	err      error
	before   goleak.Option // the goroutines that ran before Factorize
}

// patience is how long a test waits for the code under test to do what it
// expects next (print a line, return, end a stream): far longer than it
// takes, even on a busy machine, and short enough to fail fast. It bounds how
// long a failure takes; no verdict on correct code depends on it.
const patience = 5 * time.Second

func startSession(t *testing.T, ctx context.Context, client factorpb.FactorizerClient) *session {
	t.Helper()
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, inReader: pr, printed: make(chan string, 100), done: make(chan error, 1)}
	// Closing both ends when the test ends unblocks anything still reading
	// or writing them, so that no goroutine outlives the test.
	t.Cleanup(func() {
		pw.Close()
		pr.Close()
	})
	// One call first, so that the connection and its goroutines are up
	// before the snapshot: every goroutine started after it is Factorize's.
	// (The fake servers answer it Unimplemented: only the connection counts.)
	_, _ = client.FactorOne(ctx, &factorpb.FactorRequest{Id: 1, Number: 2})
	s.before = goleak.IgnoreCurrent()
	s.out = &heldWriter{w: &lineWriter{lines: s.printed}, held: make(chan struct{}, 10)}
	go func() { s.done <- Factorize(ctx, client, pr, s.out) }()
	return s
}

// typeLine writes line to Factorize's input, as a user pressing Enter.
func (s *session) typeLine(line, hint string) {
	s.t.Helper()
	written := make(chan error, 1)
	go func() {
		_, err := s.in.Write([]byte(line + "\n")) // returns once Factorize has read the line
		written <- err
	}()
	select {
	case <-written:
	case err := <-s.doneChan():
		s.setReturned(err)
		// Factorize may have read the line and returned since. Closing its
		// end of the pipe tells: a write still waiting for a reader fails.
		s.inReader.Close()
		if werr := <-written; werr != nil {
			s.t.Fatalf("Factorize returned %s before it read the line %q — %s", describe(err), line, hint)
		}
	case <-time.After(patience):
		s.t.Fatalf("Factorize did not read the line %q within %v — %s", line, patience, hint)
	}
}

// wantLine waits for the next line Factorize prints and checks it.
func (s *session) wantLine(want, hint string) {
	s.t.Helper()
	var got string
	select {
	case got = <-s.printed:
	case err := <-s.doneChan():
		s.setReturned(err)
		select {
		case got = <-s.printed: // printed just before it returned
		default:
			s.t.Fatalf("Factorize returned %s without printing %q — %s", describe(err), want, hint)
		}
	case <-time.After(patience):
		s.t.Fatalf("Factorize has printed nothing for %v, want %q — %s", patience, want, hint)
	}
	if got != want {
		s.t.Fatalf("Factorize printed %q, want %q — %s", got, want, hint)
	}
}

// endInput closes Factorize's input, as a user pressing Ctrl-D.
func (s *session) endInput() { s.in.Close() }

// wait waits for Factorize to return and returns its error.
func (s *session) wait(hint string) error {
	s.t.Helper()
	if !s.returned {
		select {
		case err := <-s.done:
			s.setReturned(err)
		case <-time.After(patience):
			s.t.Fatalf("Factorize has not returned %v later — %s", patience, hint)
		}
	}
	return s.err
}

// wantNothingMorePrinted checks, once Factorize has returned, that it printed
// no line the test has not read yet.
func (s *session) wantNothingMorePrinted(hint string) {
	s.t.Helper()
	select {
	case line := <-s.printed:
		s.t.Errorf("Factorize also printed %q, want nothing more — %s", line, hint)
	default:
	}
}

// wantNothingLeftRunning checks, once Factorize has returned, that every
// goroutine it started has ended, even with the caller's ctx still alive: a
// user who types one more line must find nobody waiting for it.
func (s *session) wantNothingLeftRunning(hint string) {
	s.t.Helper()
	s.typeLine("7", hint) // console.Lines, waiting in a Read, gets it and looks at its ctx
	deadline := time.Now().Add(patience)
	for {
		// Find itself retries for a while; a busy machine may need longer.
		err := goleak.Find(s.before)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("Factorize has returned, and the user typed one more line, but a goroutine Factorize started is still running — %s\n%v", hint, err)
		}
	}
}

func (s *session) doneChan() <-chan error {
	if s.returned {
		return nil // a nil channel is never ready: select waits for the others
	}
	return s.done
}

func (s *session) setReturned(err error) { s.returned, s.err = true, err }

// holdOutput makes every later write of Factorize wait, until releaseOutput.
func (s *session) holdOutput() {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	s.out.release = make(chan struct{})
}

func (s *session) releaseOutput() {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	close(s.out.release)
	s.out.release = nil
}

// waitForHeldWrite waits until Factorize has begun a write that is held.
func (s *session) waitForHeldWrite(hint string) {
	s.t.Helper()
	select {
	case <-s.out.held:
	case <-time.After(patience):
		s.t.Fatalf("Factorize printed nothing within %v — %s", patience, hint)
	}
}

// heldWriter passes each write to w, but while the test holds the output:
// then a write waits until the test releases it, and says so on held.
type heldWriter struct {
	w       io.Writer
	mu      sync.Mutex
	release chan struct{} // not nil while the output is held
	held    chan struct{}
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	release := h.release
	h.mu.Unlock()
	if release != nil {
		select {
		case h.held <- struct{}{}:
		default: // nobody is counting more held writes
		}
		<-release
	}
	return h.w.Write(p)
}

// lineWriter delivers each complete line written to it on a channel the
// moment it is written. It is safe for concurrent use.
type lineWriter struct {
	mu      sync.Mutex
	partial []byte
	lines   chan<- string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
}
