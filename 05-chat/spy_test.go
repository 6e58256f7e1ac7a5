package chat

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// A spy watches every Connect stream of a test room from the server's side:
// what the handler's reader received, each Send its writer started, and when
// the handler returned, and with what. It is a stream interceptor, so your
// handler runs unchanged; the tests read the spy for evidence of what
// happened before what ("a Send started after the handler had returned"),
// never by waiting a while and looking.
//
// A test may also hold a stream's Sends, to play a client whose network is
// slow at the moment that matters.
type spy struct {
	mu      sync.Mutex
	streams map[string]*spiedStream // by the name in the stream's Join
	all     []*spiedStream
}

func newSpy() *spy { return &spy{streams: map[string]*spiedStream{}} }

// intercept is the spy's grpc.StreamServerInterceptor.
func (sp *spy) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	s := &spiedStream{
		ServerStream: ss,
		spy:          sp,
		sawEOF:       make(chan struct{}),
		returned:     make(chan struct{}),
		tokens:       make(chan struct{}, 1000),
		held:         make(chan struct{}, 1),
	}
	sp.mu.Lock()
	sp.all = append(sp.all, s)
	sp.mu.Unlock()
	defer func() { // deferred, so that it also runs if the handler panics
		s.mu.Lock()
		s.err = err
		close(s.returned)
		s.mu.Unlock()
	}()
	return handler(srv, s)
}

// stream returns the stream that joined as name.
func (sp *spy) stream(t *testing.T, name string) *spiedStream {
	t.Helper()
	sp.mu.Lock()
	defer sp.mu.Unlock()
	s, ok := sp.streams[name]
	if !ok {
		t.Fatalf("no Connect stream has received a Join as %q", name)
	}
	return s
}

// holdMode says what the spy does with a Send.
type holdMode int

const (
	sendAtOnce     holdMode = iota // pass it on
	holdForGoAhead                 // wait for release, or for the stream to end
	holdUntilEnd                   // wait for the handler to return, then report success
)

// spiedStream is one Connect stream as the spy sees it.
type spiedStream struct {
	grpc.ServerStream
	spy *spy

	sawEOF   chan struct{} // closed when the handler's Recv returned io.EOF
	eofOnce  sync.Once
	returned chan struct{} // closed when the handler has returned
	tokens   chan struct{} // one go-ahead per held Send
	held     chan struct{} // gets a value when a Send starts to wait under a hold

	mu          sync.Mutex
	name        string   // from the Join
	err         error    // what the handler returned; set before returned is closed
	sending     int      // Sends in progress
	hold        holdMode // what to do with the next Sends
	watchLate   bool     // report a Send that starts after the handler returned
	problems    []string // what the handler did that it must not
	sendsByName []string // for failure messages: what was sent, in order
}

func (s *spiedStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if errors.Is(err, io.EOF) {
		s.eofOnce.Do(func() { close(s.sawEOF) })
	}
	if ev, ok := m.(*chatpb.ClientEvent); ok && err == nil && ev.GetJoin() != nil {
		s.mu.Lock()
		first := s.name == ""
		if first {
			s.name = ev.GetJoin().GetName()
		}
		s.mu.Unlock()
		if first {
			s.spy.mu.Lock()
			s.spy.streams[ev.GetJoin().GetName()] = s
			s.spy.mu.Unlock()
		}
	}
	return err
}

func (s *spiedStream) SendMsg(m any) error {
	s.mu.Lock()
	if s.sending > 0 {
		s.problemf("a Send of %s started on %s's stream while another Send was still in progress — task 1 in server.go: "+
			"gRPC allows one Send at a time on a stream, never two at once", describeAny(m), s.name)
	}
	if s.watchLate && isClosed(s.returned) {
		s.problemf("a Send of %s started on %s's stream after the handler had returned — task 2 in server.go: "+
			"once the handler returns the stream is over, and nothing may be sent on it", describeAny(m), s.name)
	}
	s.sending++
	hold := s.hold
	s.sendsByName = append(s.sendsByName, describeAny(m))
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.sending--
		s.mu.Unlock()
	}()

	switch hold {
	case holdForGoAhead:
		s.signalHeld()
		select {
		case <-s.tokens:
		case <-s.Context().Done(): // the stream is over, as a real Send would find
			return status.FromContextError(s.Context().Err()).Err()
		}
	case holdUntilEnd:
		s.signalHeld()
		select {
		case <-s.returned:
		case <-s.Context().Done():
		}
		if isClosed(s.returned) { // the context ends only after the handler returned, unless the client cancelled
			return nil // as if it had made it just before the end
		}
		return status.FromContextError(s.Context().Err()).Err()
	}
	return s.ServerStream.SendMsg(m)
}

// signalHeld tells waitHeld that a Send is held.
func (s *spiedStream) signalHeld() {
	select {
	case s.held <- struct{}{}:
	default: // waitHeld needs only one
	}
}

// problemf records a problem, once.
func (s *spiedStream) problemf(format string, args ...any) {
	if p := fmt.Sprintf(format, args...); !slices.Contains(s.problems, p) {
		s.problems = append(s.problems, p)
	}
}

// holdSends makes every later Send wait for a go-ahead (release) or for the
// end of the stream, like a Send to a client that is not reading.
func (s *spiedStream) holdSends() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = holdForGoAhead
}

// holdSendsUntilTheEnd makes every later Send wait until the handler has
// returned and then report success without sending: a Send that was under
// way when the stream ended, and made it. From then on, any Send that starts
// after the handler returned is a problem the spy reports.
func (s *spiedStream) holdSendsUntilTheEnd() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = holdUntilEnd
	s.watchLate = true
}

// release lets one held Send go ahead.
func (s *spiedStream) release() { s.tokens <- struct{}{} }

// waitHeld waits until a Send is held.
func (s *spiedStream) waitHeld(t *testing.T, hint string) {
	t.Helper()
	limit := patience(waitLimit)
	select {
	case <-s.held:
	case <-time.After(limit):
		aWaitRanOut.Store(true)
		t.Fatalf("%s's writer started no Send within %v — %s", s.name, limit, hint)
	}
}

// waitEOF waits until the handler's Recv has returned io.EOF.
func (s *spiedStream) waitEOF(t *testing.T, hint string) {
	t.Helper()
	limit := patience(waitLimit)
	select {
	case <-s.sawEOF:
	case <-time.After(limit):
		aWaitRanOut.Store(true)
		t.Fatalf("the server did not read the end of %s's events (io.EOF) within %v — %s", s.name, limit, hint)
	}
}

// waitReturn waits until the handler has returned, and returns its error.
func (s *spiedStream) waitReturn(t *testing.T, hint string) error {
	t.Helper()
	limit := patience(waitLimit)
	select {
	case <-s.returned:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.err
	case <-time.After(limit):
		aWaitRanOut.Store(true)
		t.Fatalf("%s's Connect handler was still running %v later — %s", s.name, limit, hint)
		return nil
	}
}

// check reports every problem the spy saw on any stream.
func (sp *spy) check(t *testing.T) {
	t.Helper()
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, s := range sp.all {
		s.mu.Lock()
		sends := s.sendsByName
		if len(sends) > 6 {
			sends = append([]string{"…"}, sends[len(sends)-6:]...)
		}
		for _, p := range s.problems {
			t.Errorf("%s\n(the Sends on %s's stream: %s)", p, s.name, strings.Join(sends, ", "))
		}
		s.mu.Unlock()
	}
}

// handlersReturn waits for every Connect handler to return once the test's
// clients are gone (their connections closed, their contexts cancelled). A
// handler that does not is reported, and the room closed, so that the test
// ends now rather than at the harness's grace period.
func (sp *spy) handlersReturn(t *testing.T, room *Server) {
	t.Helper()
	sp.mu.Lock()
	all := slices.Clone(sp.all)
	sp.mu.Unlock()
	deadline := time.After(waitLimit)
	for _, s := range all {
		select {
		case <-s.returned:
		case <-deadline:
			t.Errorf("%s's Connect handler was still running %v after its client had gone (connection closed, call cancelled) — "+
				"%s: a handler returns once its client is gone", s.name, waitLimit, taskOf(t, "task 2 in server.go"))
			// End the memberships, so that the harness can stop the server.
			// Not waited for: a hub stuck under its lock never lets go.
			go room.Close()
			return
		}
	}
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// describeAny describes a message sent on a Connect stream.
func describeAny(m any) string {
	if ev, ok := m.(*chatpb.ServerEvent); ok {
		return describe(ev)
	}
	return fmt.Sprintf("%T", m)
}

// learnerCode matches a stack frame in the files you edit (05-chat/*.go,
// not the tests).
var learnerCode = regexp.MustCompile(`/05-chat/[a-z]+\.go:\d`)

// learnerGoroutines returns, by goroutine id, the stacks of the goroutines
// running code of the files you edit.
func learnerGoroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	found := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if fields := strings.Fields(g); len(fields) > 1 && learnerCode.MatchString(g) {
			found[fields[1]] = g
		}
	}
	return found
}

// goroutinesEnd fails the test if a goroutine running your code, started
// since before (a learnerGoroutines result), is still running a while after
// the test's streams ended. hint names the task.
func goroutinesEnd(t *testing.T, before map[string]string, hint string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(10 * time.Millisecond) {
		left = left[:0]
		for id, stack := range learnerGoroutines() {
			if _, old := before[id]; !old {
				left = append(left, stack)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("%d goroutine(s) running your code were still there %v after the test's streams had ended — %s\n\n%s",
			len(left), waitLimit, taskOf(t, hint), strings.Join(left, "\n\n"))
	}
}

// taskOf is the task of the running test ("task N"), for a message about
// something every test checks; other tests (and subtests of none) get def.
func taskOf(t *testing.T, def string) string {
	if n, ok := tasks.TaskOfTest(t.Name()); ok {
		return fmt.Sprintf("task %d", n)
	}
	return def
}
