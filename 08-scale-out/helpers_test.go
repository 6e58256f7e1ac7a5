package scaleout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/broker"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Helpers shared by the tests. One nats-server with JetStream runs for the
// whole test binary (it starts in a fraction of a second, but not for
// free); each test gets a fresh room stream on it and its own replicas,
// each replica with its own connection to the broker, as separate
// processes would have. The tests see the room only as members do, through
// gRPC, and the broker only as any NATS client may.

// natsURL is where the tests' broker listens.
var natsURL string

func TestMain(m *testing.M) {
	os.Exit(runWithBroker(m))
}

func runWithBroker(m *testing.M) int {
	dir, err := os.MkdirTemp("", "scaleout-broker-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	b, err := broker.Start(dir, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the tests' broker:", err)
		return 1
	}
	defer b.Stop()
	natsURL = b.URL()
	return m.Run()
}

// streamLimit bounds every test stream and wait: a hang fails within it,
// with a message naming the likely cause. A correct room answers in
// milliseconds; 10 s is for a loaded laptop under the race detector.
const streamLimit = 10 * time.Second

// patience is limit, or a second once one wait of the package has run out:
// the room is then known to stall, and a mistake that stalls every test
// fails them all well within go test's own timeout.
func patience(limit time.Duration) time.Duration {
	if aWaitRanOut.Load() {
		return time.Second
	}
	return limit
}

var aWaitRanOut atomic.Bool

// ranOut reports whether err came from ctx's deadline passing (not from a
// server that ended the stream with DeadlineExceeded), and notes it.
func ranOut(ctx context.Context, err error) bool {
	if !grpctest.DeadlinePassed(ctx, err) {
		return false
	}
	aWaitRanOut.Store(true)
	return true
}

// --- the room and its replicas ---

// testRoom is one test's room: a fresh stream on the broker, and the
// test's own connection to it (to look at the stream as the broker has it).
type testRoom struct {
	js       jetstream.JetStream
	replicas []*replica
	changes  *changes // a stream started or ended on a replica
}

// openRoom creates a fresh room stream for the test and deletes it when the
// test ends, after every replica is gone.
func openRoom(t testing.TB) *testRoom {
	t.Helper()
	grpctest.NoteShortWaits(t, aWaitRanOut.Load) // its note comes after the leak check's verdict
	grpctest.CheckNoLeaks(t)                     // its check runs after every other cleanup
	nc, js, err := broker.Connect(natsURL, "test")
	if err != nil {
		t.Fatalf("connecting to the tests' broker: %v", err)
	}
	t.Cleanup(nc.Close)
	ctx := grpctest.Context(t, streamLimit)
	if err := js.DeleteStream(ctx, broker.Stream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("deleting the last test's room: %v", err)
	}
	if _, err := broker.CreateRoom(ctx, js); err != nil {
		t.Fatalf("creating the room's stream: %v", err)
	}
	t.Cleanup(func() {
		// Its consumers go with it: nothing of this test stays at the broker.
		ctx, cancel := context.WithTimeout(context.Background(), streamLimit)
		defer cancel()
		_ = js.DeleteStream(ctx, broker.Stream)
	})
	return &testRoom{js: js, changes: newChanges()}
}

// replica is one Server of the room, serving on a loopback port.
type replica struct {
	index  int
	server *Server
	grpc   *grpctest.Server
	spy    *spy
	cutOff func() // closes the replica's connection to the broker

	closeOnce sync.Once
}

// options of a replica beyond the defaults.
type replicaOptions struct {
	cfg    Config
	natsAt string // the broker's address as this replica dials it
	grpc   []grpc.ServerOption
}

// start runs a replica of r with cfg's limits (its JetStream is set here).
func (r *testRoom) start(t testing.TB, cfg Config) *replica {
	t.Helper()
	return r.startWith(t, replicaOptions{cfg: cfg})
}

func (r *testRoom) startWith(t testing.TB, o replicaOptions) *replica {
	t.Helper()
	at := o.natsAt
	if at == "" {
		at = natsURL
	}
	nc, js, err := broker.Connect(at, fmt.Sprintf("replica %d", len(r.replicas)))
	if err != nil {
		t.Fatalf("connecting a replica to the broker: %v", err)
	}
	t.Cleanup(nc.Close)
	cfg := o.cfg
	cfg.JetStream = js
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler) // the tests look at what members see
	}
	wait := patience(streamLimit)
	ctx := grpctest.Context(t, wait)
	s, err := NewServer(ctx, cfg)
	if ranOut(ctx, err) {
		t.Fatalf("NewServer did not return within %v — task 1 in server.go: does it wait for something that never comes?", wait)
	}
	if err != nil {
		t.Fatalf("NewServer: %v — task 1 in server.go", err)
	}
	rep := &replica{index: len(r.replicas), server: s, spy: newSpy(r.changes), cutOff: nc.Close}
	t.Cleanup(rep.closeServer)
	opts := append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxRecvMsgSize),
		grpc.MaxConcurrentStreams(MaxStreamsPerConnection),
		grpc.ChainStreamInterceptor(rep.spy.intercept),
	}, o.grpc...)
	rep.grpc = grpctest.StartLoopback(t, func(g *grpc.Server) { roompb.RegisterRoomServer(g, s) }, opts...)
	r.replicas = append(r.replicas, rep)
	return rep
}

// startN runs n replicas with cfg.
func (r *testRoom) startN(t testing.TB, n int, cfg Config) []*replica {
	t.Helper()
	for range n {
		r.start(t, cfg)
	}
	return r.replicas
}

func (rep *replica) closeServer() { rep.closeOnce.Do(rep.server.Close) }

// stop stops the replica gracefully: Close ends its members' streams with
// Unavailable, then GracefulStop waits for its handlers, which must all
// return within the patience.
func (rep *replica) stop(t testing.TB) {
	t.Helper()
	closed := make(chan struct{})
	go func() { rep.closeServer(); close(closed) }()
	stopped := make(chan struct{})
	go func() { <-closed; rep.grpc.GRPC.GracefulStop(); close(stopped) }()
	wait := patience(streamLimit)
	select {
	case <-stopped:
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		rep.grpc.GRPC.Stop()
		t.Fatalf("a replica's Close and GracefulStop had not returned %v later: a stream was still open — task 1 in server.go: Close ends every stream", wait)
	}
}

// kill stops the replica as a crash would: its broker connection goes
// first (so it publishes nothing more, no Left either), then every gRPC
// connection drops.
func (rep *replica) kill() {
	rep.cutOff()
	rep.grpc.GRPC.Stop()
}

// addrs lists the replicas' addresses.
func addrs(reps []*replica) []string {
	var all []string
	for _, rep := range reps {
		all = append(all, rep.grpc.Addr())
	}
	return all
}

// dial is a plain connection to one replica.
func (rep *replica) dial(t testing.TB) *grpc.ClientConn {
	t.Helper()
	return rep.grpc.Dial(t)
}

// insecureCreds is what the tests' clients add to Dial: loopback only.
var insecureCreds = grpc.WithTransportCredentials(insecure.NewCredentials())

// --- one member's stream, by hand ---

type participant struct {
	name     string
	stream   grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent]
	ctx      context.Context // the test's bound on the stream
	cancel   context.CancelFunc
	patience time.Duration
	seen     []*roompb.ServerEvent // every event received, in order
}

// connect opens a Connect stream on conn, without joining.
func connect(t testing.TB, conn *grpc.ClientConn, name string) *participant {
	t.Helper()
	return connectWithin(t, conn, name, patience(streamLimit))
}

// connectWithin is connect with a stream that may last that long.
func connectWithin(t testing.TB, conn *grpc.ClientConn, name string, patience time.Duration) *participant {
	t.Helper()
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience))
	t.Cleanup(cancel)
	stream, err := roompb.NewRoomClient(conn).Connect(ctx)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return &participant{name: name, stream: stream, ctx: ctx, cancel: cancel, patience: patience}
}

// enter connects as name and joins (resuming after *after if set), and
// reads up to and including the member's own Joined: what came before it
// (the history, or the events since after) is in p.seen.
func enter(t testing.TB, conn *grpc.ClientConn, name string, after *uint64) *participant {
	t.Helper()
	return enterWithin(t, conn, name, after, patience(streamLimit))
}

// enterWithin is enter with a stream that may last that long.
func enterWithin(t testing.TB, conn *grpc.ClientConn, name string, after *uint64, patience time.Duration) *participant {
	t.Helper()
	p := connectWithin(t, conn, name, patience)
	p.send(t, joinEvent(name, after), "task 1 in server.go: a valid Join must not end the stream")
	p.until(t, joinedOf(name), fmt.Sprintf("task 1 in server.go: after the Join, every member, the new one included, sees Joined %q", name))
	return p
}

func (p *participant) send(t testing.TB, ev *roompb.ClientEvent, hint string) {
	t.Helper()
	if err := grpctest.Send(p.stream, ev); err != nil {
		t.Fatalf("%s could not send %v: %v — %s", p.name, ev, endedWith(err), hint)
	}
}

func (p *participant) say(t testing.TB, text string) {
	t.Helper()
	p.send(t, sayEvent(text), "task 1 in server.go: a valid Say must not end the stream")
}

// next receives the next event; hint explains a stream that ended or stalled.
func (p *participant) next(t testing.TB, hint string) *roompb.ServerEvent {
	t.Helper()
	ev, err := p.stream.Recv()
	if ranOut(p.ctx, err) {
		t.Fatalf("%s waited %v for another event and none came — %s", p.name, p.patience, hint)
	}
	if err != nil {
		t.Fatalf("%s's stream ended with %v, want another event — %s", p.name, endedWith(err), hint)
	}
	p.seen = append(p.seen, ev)
	return ev
}

// until receives events until one matches.
func (p *participant) until(t testing.TB, match func(*roompb.ServerEvent) bool, hint string) *roompb.ServerEvent {
	t.Helper()
	for {
		if ev := p.next(t, hint); match(ev) {
			return ev
		}
	}
}

// expectEnd receives until the stream ends and returns its status (nil
// for OK).
func (p *participant) expectEnd(t testing.TB, hint string) error {
	t.Helper()
	for {
		ev, err := p.stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if ranOut(p.ctx, err) {
			t.Fatalf("%s's stream was still open after %v, want it to end — %s", p.name, p.patience, hint)
		}
		if err != nil {
			return err
		}
		p.seen = append(p.seen, ev)
	}
}

// lastSeq is the seq of the last event p received.
func (p *participant) lastSeq() uint64 {
	if len(p.seen) == 0 {
		return 0
	}
	return p.seen[len(p.seen)-1].GetSeq()
}

func joinEvent(name string, after *uint64) *roompb.ClientEvent {
	return &roompb.ClientEvent{Event: &roompb.ClientEvent_Join{Join: &roompb.Join{Name: name, After: after}}}
}

func sayEvent(text string) *roompb.ClientEvent {
	return &roompb.ClientEvent{Event: &roompb.ClientEvent_Say{Say: &roompb.Say{Text: text}}}
}

func joinedOf(name string) func(*roompb.ServerEvent) bool {
	return func(ev *roompb.ServerEvent) bool { return ev.GetJoined().GetName() == name }
}

func messageOf(text string) func(*roompb.ServerEvent) bool {
	return func(ev *roompb.ServerEvent) bool { return ev.GetMessage().GetText() == text }
}

// endedWith renders how a stream ended: io.EOF is OK.
func endedWith(err error) string {
	if errors.Is(err, io.EOF) {
		return "OK"
	}
	return err.Error()
}

// describe renders an event briefly for a failure message.
func describe(ev *roompb.ServerEvent) string {
	switch e := ev.GetEvent().(type) {
	case *roompb.ServerEvent_Message:
		return fmt.Sprintf("#%d Message from %q: %q", ev.GetSeq(), e.Message.GetSender(), e.Message.GetText())
	case *roompb.ServerEvent_Joined:
		return fmt.Sprintf("#%d Joined %q", ev.GetSeq(), e.Joined.GetName())
	case *roompb.ServerEvent_Left:
		return fmt.Sprintf("#%d Left %q", ev.GetSeq(), e.Left.GetName())
	case nil:
		return fmt.Sprintf("#%d nothing (no event set)", ev.GetSeq())
	}
	return fmt.Sprintf("%v", ev)
}

// --- transcripts ---

// checkTranscript fails unless events are in order of seq with no gap and
// no repeat: how a member must see the room, however often it moved.
func checkTranscript(t testing.TB, who string, events []*roompb.ServerEvent, hint string) {
	t.Helper()
	for i := 1; i < len(events); i++ {
		if prev, ev := events[i-1].GetSeq(), events[i].GetSeq(); ev != prev+1 {
			what := "a gap"
			if ev <= prev {
				what = "a repeat or a step back"
			}
			t.Fatalf("%s received %s right after %s: %s — %s\n%s", who, describe(events[i]), describe(events[i-1]), what, hint, render(events))
		}
	}
}

// checkSameEvents fails unless, at every seq both hold, a and b hold the
// same event: one order for every member on every replica.
func checkSameEvents(t testing.TB, aName string, a []*roompb.ServerEvent, bName string, b []*roompb.ServerEvent, hint string) {
	t.Helper()
	bySeq := map[uint64]*roompb.ServerEvent{}
	for _, ev := range a {
		bySeq[ev.GetSeq()] = ev
	}
	for _, ev := range b {
		if other, ok := bySeq[ev.GetSeq()]; ok && !proto.Equal(other, ev) {
			t.Fatalf("at seq %d, %s received %s and %s received %s — %s", ev.GetSeq(), aName, describe(other), bName, describe(ev), hint)
		}
	}
}

// render lists events, one a line, for a failure message.
func render(events []*roompb.ServerEvent) string {
	var b strings.Builder
	for _, ev := range events {
		fmt.Fprintf(&b, "    %s\n", describe(ev))
	}
	return b.String()
}

// messages are the texts of the Messages among events, in order.
func messages(events []*roompb.ServerEvent) []string {
	var texts []string
	for _, ev := range events {
		if m := ev.GetMessage(); m != nil {
			texts = append(texts, m.GetText())
		}
	}
	return texts
}

func ptr(n uint64) *uint64 { return &n }

// waitForStreams waits until the running replicas (those not stopped)
// serve want streams in all: the members of a stopped replica have opened
// their new ones.
func (r *testRoom) waitForStreams(t testing.TB, live []*replica, want int, hint string) {
	t.Helper()
	wait := patience(streamLimit)
	timeout := time.After(wait)
	for {
		next, got := r.changes.next(), 0
		for _, rep := range live {
			got += rep.spy.streams()
		}
		if got == want {
			return
		}
		select {
		case <-next:
		case <-timeout:
			aWaitRanOut.Store(true)
			t.Fatalf("the running replicas serve %d streams %v after a replica stopped, want %d: every member on one — %s", got, wait, want, hint)
		}
	}
}
