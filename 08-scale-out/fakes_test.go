package scaleout

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// fakeReplica is a Room server that plays a script, for the tests of the
// client (tasks 3 and 4): they do not need a working replica.
type fakeReplica struct {
	roompb.UnimplementedRoomServer
	// play is what stream n (0, 1, …) of this fake does.
	play func(n int, stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error

	mu      sync.Mutex
	streams int
	joins   []*roompb.Join // the first event of each stream, if a Join
}

func (f *fakeReplica) Connect(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
	f.mu.Lock()
	n := f.streams
	f.streams++
	f.mu.Unlock()
	return f.play(n, stream)
}

// recvJoin reads a stream's first event and keeps it if it is a Join.
func (f *fakeReplica) recvJoin(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) (*roompb.Join, error) {
	ev, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.joins = append(f.joins, ev.GetJoin())
	return ev.GetJoin(), nil
}

func (f *fakeReplica) seen() (streams int, joins []*roompb.Join) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streams, append([]*roompb.Join(nil), f.joins...)
}

// startFake serves f on a loopback port.
func startFake(t *testing.T, f *fakeReplica) *grpctest.Server {
	t.Helper()
	return grpctest.StartLoopback(t, func(s *grpc.Server) { roompb.RegisterRoomServer(s, f) })
}

// recorder is what a Chat's show saw, for a test to wait on.
type recorder struct {
	mu      sync.Mutex
	events  []*roompb.ServerEvent
	changed chan struct{} // closed at the next event, then replaced
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

// show is the Chat's show function.
func (r *recorder) show(ev *roompb.ServerEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, proto.CloneOf(ev))
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) all() []*roompb.ServerEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*roompb.ServerEvent(nil), r.events...)
}

// waitFor waits until what was shown satisfies done, and fails the test
// with what, hint and the transcript if it does not within the patience.
func (r *recorder) waitFor(t *testing.T, who, what string, done func([]*roompb.ServerEvent) bool, hint string) {
	t.Helper()
	limit := patience(streamLimit)
	timeout := time.After(limit)
	for {
		r.mu.Lock()
		events, changed := r.events, r.changed
		r.mu.Unlock()
		if done(events) {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			aWaitRanOut.Store(true)
			t.Fatalf("%s waited %v for %s — %s\n%s was shown:\n%s", who, limit, what, hint, who, render(events))
		}
	}
}

// chatting is a Chat running on its own goroutine.
type chatting struct {
	name   string
	says   chan string
	shown  *recorder
	cancel context.CancelFunc
	done   chan error
}

// startChat runs Chat as name on conn until the test ends.
func startChat(t *testing.T, conn *grpc.ClientConn, name string) *chatting {
	t.Helper()
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience(3*streamLimit)))
	c := &chatting{name: name, says: make(chan string), shown: newRecorder(), cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- Chat(ctx, conn, name, c.says, c.shown.show) }()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// say hands Chat a text, failing if Chat takes none for the patience.
func (c *chatting) say(t *testing.T, text, hint string) {
	t.Helper()
	wait := patience(streamLimit)
	select {
	case c.says <- text:
	case err := <-c.done:
		c.done <- err
		t.Fatalf("%s's Chat returned %v before it took %q from says — %s", c.name, err, text, hint)
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("%s's Chat took nothing from says for %v — %s", c.name, wait, hint)
	}
}

// leave closes says and returns what Chat returned.
func (c *chatting) leave(t *testing.T, hint string) error {
	t.Helper()
	close(c.says)
	return c.wait(t, hint)
}

// wait returns what Chat returned, failing if it does not return.
func (c *chatting) wait(t *testing.T, hint string) error {
	t.Helper()
	wait := patience(streamLimit)
	select {
	case err := <-c.done:
		c.done <- err
		return err
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("%s's Chat had not returned %v later — %s", c.name, wait, hint)
		return nil
	}
}
