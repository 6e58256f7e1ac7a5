package scaleout

import (
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// spy is a stream interceptor on a replica: it sees the replica's streams
// from the server's side, as the network would. It counts the Connect
// streams running, can hold the Sends to a member, as a member whose
// terminal stopped reading (and a full flow-control window) would, and
// tells when the replica has read a member's CloseSend.
type spy struct {
	mu         sync.Mutex
	running    int
	held       map[string]chan struct{} // by name: closed when released
	halfClosed map[string]chan struct{} // by name: closed when Recv returns io.EOF
	changes    *changes                 // told when a stream starts or ends
}

func newSpy(c *changes) *spy {
	return &spy{held: map[string]chan struct{}{}, halfClosed: map[string]chan struct{}{}, changes: c}
}

func (s *spy) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	s.mu.Lock()
	s.running++
	s.mu.Unlock()
	s.changes.tell()
	defer func() {
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
		s.changes.tell()
	}()
	return handler(srv, &spiedStream{ServerStream: ss, spy: s})
}

// streams is how many Connect handlers are running.
func (s *spy) streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

// hold makes every Send to the member called name wait until release, or
// until its stream is over.
func (s *spy) hold(name string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.held[name] = ch
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// readCloseSend is closed once the replica's Recv on the stream of the member
// called name has returned io.EOF: the replica knows the member is leaving.
func (s *spy) readCloseSend(name string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.halfClosedLocked(name)
}

func (s *spy) halfClosedLocked(name string) chan struct{} {
	ch, ok := s.halfClosed[name]
	if !ok {
		ch = make(chan struct{})
		s.halfClosed[name] = ch
	}
	return ch
}

type spiedStream struct {
	grpc.ServerStream
	spy     *spy
	name    string // from the Join, once read; guarded by spy.mu
	eofSeen bool   // Recv has returned io.EOF; guarded by spy.mu
}

func (ss *spiedStream) RecvMsg(m any) error {
	err := ss.ServerStream.RecvMsg(m)
	ss.spy.mu.Lock()
	defer ss.spy.mu.Unlock()
	if ev, ok := m.(*roompb.ClientEvent); ok && err == nil && ev.GetJoin() != nil && ss.name == "" {
		ss.name = ev.GetJoin().GetName()
	}
	if errors.Is(err, io.EOF) && ss.name != "" {
		if ch := ss.spy.halfClosedLocked(ss.name); !ss.eofSeen {
			ss.eofSeen = true
			close(ch)
		}
	}
	return err
}

func (ss *spiedStream) SendMsg(m any) error {
	ss.spy.mu.Lock()
	held := ss.spy.held[ss.name] // guarded by spy.mu, as name is
	ss.spy.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-ss.Context().Done():
			return status.FromContextError(ss.Context().Err()).Err()
		}
	}
	return ss.ServerStream.SendMsg(m)
}

// changes is a channel closed whenever one of a room's replicas starts or
// ends a stream, then replaced: what a test waits on for the streams to
// move.
type changes struct {
	mu sync.Mutex
	ch chan struct{}
}

func newChanges() *changes { return &changes{ch: make(chan struct{})} }

func (c *changes) tell() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.ch)
	c.ch = make(chan struct{})
}

// next is closed at the next change.
func (c *changes) next() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}
