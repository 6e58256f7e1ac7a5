package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Helpers shared by the tests. Every test goes through gRPC like a real
// client: it sees the room only as its members do.

// waitLimit is how long a test waits for something that should be
// immediate: it only bounds how long a failure takes.
const waitLimit = 5 * time.Second

// testConfig is a room without a rate limit, with a log far longer than any
// test needs: each test sets what it checks.
func testConfig() Config {
	return Config{LogSize: 4096, Rate: rate.Inf, Burst: 1, MaxMembers: 100}
}

// logOf is testConfig with a log of size events.
func logOf(size int) Config {
	c := testConfig()
	c.LogSize = size
	return c
}

// --- stream level ---

// streamLimit bounds every test stream: a hang fails within it, with a
// message that names the likely cause. A correct room answers in
// milliseconds; 10 s is for a loaded laptop under the race detector.
const streamLimit = 10 * time.Second

// patience is limit (streamLimit, or waitLimit for something that should be
// immediate), or a second once one wait of the package has run out: the
// room is then known to stall, and a mistake that stalls every test fails
// them all well within go test's own timeout.
func patience(limit time.Duration) time.Duration {
	if aWaitRanOut.Load() {
		return time.Second
	}
	return limit
}

// aWaitRanOut is set when a test stream's deadline, or a patience, passed.
var aWaitRanOut atomic.Bool

// ranOut reports whether err is a stream's deadline passing, and notes it.
func ranOut(err error) bool {
	if status.Code(err) != codes.DeadlineExceeded {
		return false
	}
	aWaitRanOut.Store(true)
	return true
}

// room is a chat Server running in memory for one test, watched by a spy.
type room struct {
	srv    *grpctest.Server
	server *Server
	spy    *spy
}

// startRoom runs a chat Server in memory with the room cfg. When
// the test ends and its clients are gone, it checks that every Connect
// handler returned, that no goroutine of yours is left, and what the spy saw.
func startRoom(t *testing.T, cfg Config) *room {
	t.Helper()
	grpctest.NoteShortWaits(t, aWaitRanOut.Load)
	r := &room{server: NewServer(cfg), spy: newSpy()}
	r.srv = grpctest.Start(t, func(s *grpc.Server) { chatpb.RegisterChatServer(s, r.server) },
		grpc.ChainStreamInterceptor(r.spy.intercept))
	before := learnerGoroutines()
	// Registered before any client, so it runs after they are closed.
	t.Cleanup(func() {
		r.spy.handlersReturn(t, r.server)
		goroutinesEnd(t, before, "task 2 in server.go")
		r.spy.check(t)
	})
	return r
}

// participant is one test client's Connect stream.
type participant struct {
	name     string
	stream   grpc.BidiStreamingClient[chatpb.ClientEvent, chatpb.ServerEvent]
	cancel   context.CancelFunc
	patience time.Duration // how long the stream may last
}

// connect opens a Connect stream on conn, without joining.
func connect(t *testing.T, conn *grpc.ClientConn, name string) *participant {
	t.Helper()
	patience := patience(streamLimit)
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience))
	t.Cleanup(cancel)
	stream, err := chatpb.NewChatClient(conn).Connect(ctx)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return &participant{name: name, stream: stream, cancel: cancel, patience: patience}
}

// enter connects as name, joins, and reads the History and the Joined that
// say the join worked. It returns the History's messages.
func enter(t *testing.T, conn *grpc.ClientConn, name string) (*participant, []*chatpb.Message) {
	t.Helper()
	p := connect(t, conn, name)
	p.send(t, joinEvent(name), "task 1 in server.go: a valid Join must not end the stream")
	first := p.next(t, "task 1 in server.go: a member's first event is the History")
	history := first.GetHistory()
	if history == nil {
		t.Fatalf("%s's first event after joining is %s, want a History — task 1 in server.go", name, describe(first))
	}
	p.expectJoined(t, name)
	return p, history.GetMessages()
}

// send sends ev, failing the test with the stream's status if the server
// had already ended it (hint says why it should not have).
func (p *participant) send(t *testing.T, ev *chatpb.ClientEvent, hint string) {
	t.Helper()
	if err := grpctest.Send(p.stream, ev); err != nil {
		t.Fatalf("%s could not send %v: %v — %s", p.name, ev, err, hint)
	}
}

func (p *participant) say(t *testing.T, text string) {
	t.Helper()
	p.send(t, sayEvent(text), "task 1 in server.go: a valid Say must not end the stream")
}

// closeSend half-closes p's stream: p leaves.
func (p *participant) closeSend(t *testing.T) {
	t.Helper()
	if err := p.stream.CloseSend(); err != nil {
		t.Fatalf("%s: CloseSend: %v", p.name, err)
	}
}

// next receives the next event; hint explains a stream that ended or stalled.
func (p *participant) next(t *testing.T, hint string) *chatpb.ServerEvent {
	t.Helper()
	ev, err := p.stream.Recv()
	if ranOut(err) {
		t.Fatalf("%s waited %v for another event and none came — %s", p.name, p.patience, hint)
	}
	if err != nil {
		t.Fatalf("%s's stream ended with %v, want another event — %s", p.name, endedWith(err), hint)
	}
	return ev
}

// expectJoined, expectLeft and expectMessage receive the next event and
// check that it is the one wanted.
func (p *participant) expectJoined(t *testing.T, name string) {
	t.Helper()
	ev := p.next(t, "task 1 in server.go: every member, the new one included, gets Joined")
	if ev.GetJoined().GetName() != name {
		t.Fatalf("%s got %s, want Joined %q — task 1 in server.go: every member, the new one included, gets Joined", p.name, describe(ev), name)
	}
}

func (p *participant) expectLeft(t *testing.T, name, hint string) {
	t.Helper()
	ev := p.next(t, hint)
	if ev.GetLeft().GetName() != name {
		t.Fatalf("%s got %s, want Left %q — %s", p.name, describe(ev), name, hint)
	}
}

func (p *participant) expectMessage(t *testing.T, sender, text string) *chatpb.Message {
	t.Helper()
	return p.expectMessageFor(t, sender, text, "task 1 in server.go: a Say reaches every member, the sender included")
}

// expectMessageFor is expectMessage with the hint to give if it fails.
func (p *participant) expectMessageFor(t *testing.T, sender, text, hint string) *chatpb.Message {
	t.Helper()
	ev := p.next(t, hint)
	msg := ev.GetMessage()
	if msg.GetSender() != sender || msg.GetText() != text {
		t.Fatalf("%s got %s, want Message from %q: %q — %s", p.name, describe(ev), sender, short(text), hint)
	}
	return msg
}

// expectEnd receives until the stream ends and returns its error (nil for
// OK). Events still on their way before the end are skipped.
func (p *participant) expectEnd(t *testing.T, hint string) error {
	t.Helper()
	for {
		_, err := p.stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if ranOut(err) {
			t.Fatalf("%s's stream was still open after %v, want it to end — %s", p.name, p.patience, hint)
		}
		if err != nil {
			return err
		}
	}
}

func joinEvent(name string) *chatpb.ClientEvent {
	return &chatpb.ClientEvent{Event: &chatpb.ClientEvent_Join{Join: &chatpb.Join{Name: name}}}
}

func sayEvent(text string) *chatpb.ClientEvent {
	return &chatpb.ClientEvent{Event: &chatpb.ClientEvent_Say{Say: &chatpb.Say{Text: text}}}
}

func messageEvent(text string) *chatpb.ServerEvent {
	return &chatpb.ServerEvent{Event: &chatpb.ServerEvent_Message{Message: &chatpb.Message{Sender: "server", Text: text}}}
}

// endedWith renders how a stream ended: io.EOF is OK.
func endedWith(err error) string {
	if errors.Is(err, io.EOF) {
		return "OK"
	}
	return err.Error()
}

// describe renders an event briefly for a failure message.
func describe(ev *chatpb.ServerEvent) string {
	switch e := ev.GetEvent().(type) {
	case *chatpb.ServerEvent_Message:
		return fmt.Sprintf("Message #%d from %q: %q", e.Message.GetSeq(), e.Message.GetSender(), short(e.Message.GetText()))
	case *chatpb.ServerEvent_Joined:
		return fmt.Sprintf("Joined %q", e.Joined.GetName())
	case *chatpb.ServerEvent_Left:
		return fmt.Sprintf("Left %q", e.Left.GetName())
	case *chatpb.ServerEvent_History:
		return fmt.Sprintf("History of %d messages", len(e.History.GetMessages()))
	case nil:
		return "nothing (nil event)"
	}
	return fmt.Sprintf("%v", ev)
}

// short quotes a string for a failure message, abbreviating a long one.
func short(s string) string {
	if n := utf8.RuneCountInString(s); n > 24 {
		return fmt.Sprintf("<%d characters>", n)
	}
	return strings.ReplaceAll(s, "\n", `\n`)
}

// tryJoin connects and joins as name. If the room takes the member, it reads
// the History and their own Joined (any other member's Joined before it is
// skipped) and returns the participant; if not, it returns the status the
// stream ended with.
func tryJoin(t *testing.T, conn *grpc.ClientConn, name string) (*participant, error) {
	t.Helper()
	p := connect(t, conn, name)
	if err := grpctest.Send(p.stream, joinEvent(name)); err != nil {
		return nil, err
	}
	ev, err := p.stream.Recv()
	if ranOut(err) {
		t.Fatalf("the Join of %q was neither answered nor refused within %v — task 1 in server.go: a member's first event is the History", name, p.patience)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, status.Error(codes.OK, "the stream ended with OK before any event")
		}
		return nil, err
	}
	if ev.GetHistory() == nil {
		t.Fatalf("%q's first event after joining is %s, want a History — task 1 in server.go", name, describe(ev))
	}
	for {
		ev := p.next(t, "task 1 in server.go: every member, the new one included, gets Joined")
		if ev.GetJoined().GetName() == name {
			return p, nil
		}
	}
}

// leave half-closes p's stream and reads until it ends, which must be OK.
func (p *participant) leave(t *testing.T) {
	t.Helper()
	p.closeSend(t)
	if err := p.expectEnd(t, "task 2 in server.go: after a CloseSend the stream ends"); err != nil {
		t.Fatalf("%s's stream ended with %v after CloseSend, want OK — task 2 in server.go", p.name, err)
	}
}

// messageFrom is the event a member receives for message seq, for describe.
func messageFrom(sender string, seq int, text string) *chatpb.ServerEvent {
	return &chatpb.ServerEvent{Event: &chatpb.ServerEvent_Message{Message: &chatpb.Message{Seq: uint64(seq), Sender: sender, Text: text}}}
}

// bobAndAda starts a room with cfg where bob, then ada, have joined (bob
// has seen ada join), and returns them with the spy's view of ada's stream.
func bobAndAda(t *testing.T, cfg Config) (r *room, bob, ada *participant, spied *spiedStream) {
	t.Helper()
	r = startRoom(t, cfg)
	conn := r.srv.Dial(t)
	bob, _ = enter(t, conn, "bob")
	ada, _ = enter(t, conn, "ada")
	bob.expectJoined(t, "ada")
	return r, bob, ada, r.spy.stream(t, "ada")
}

// sendsToAdaUnderWay has bob say three things while ada's Sends are held
// until her handler returns: a Send to ada is under way, and more events
// are on their way to her.
func sendsToAdaUnderWay(t *testing.T, bob *participant, spied *spiedStream) {
	t.Helper()
	spied.holdSendsUntilTheEnd()
	for _, text := range []string{"one", "two", "three"} {
		bob.say(t, text)
		bob.expectMessage(t, "bob", text)
	}
	spied.waitHeld(t, "task 1 in server.go: every member is sent every message")
}
