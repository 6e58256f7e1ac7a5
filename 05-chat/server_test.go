package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The stream tests run the whole server in memory and talk to it through
// gRPC, each participant on a Connect stream of its own.

func TestTask4_JoinSayAndLeave(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	ada, history := enter(t, srv.Dial(t), "ada")
	if len(history) != 0 {
		t.Errorf("the History of a new room holds %d messages, want none", len(history))
	}
	ada.say(t, "hello")
	msg := ada.expectMessage(t, "ada", "hello")
	if msg.GetSeq() != 1 {
		t.Errorf("the first message has seq %d, want 1 — task 1 in hub.go", msg.GetSeq())
	}
	if err := ada.stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := ada.expectEnd(t, "task 4 in server.go: at io.EOF the member has left: return nil"); err != nil {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 4 in server.go: io.EOF is how a member leaves; return nil", err)
	}
}

func TestTask4_NothingSaidBeforeLeavingIsLost(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	ada, _ := enter(t, srv.Dial(t), "ada")
	// ada says a lot and half-closes at once, reading nothing yet: her own
	// messages are still queued for her when the server sees io.EOF.
	const said = 100
	for i := range said {
		ada.say(t, fmt.Sprint(i))
	}
	if err := ada.stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	for i := range said {
		ev, err := ada.stream.Recv()
		if err != nil {
			t.Fatalf("ada's stream ended with %v after %d of her %d messages came back, want all of them first — "+
				"task 4 in server.go: at io.EOF, Leave and then return what the writer reports: it sends what is still queued%s",
				err, i, said, stalled(err))
		}
		if got := ev.GetMessage().GetText(); got != fmt.Sprint(i) {
			t.Fatalf("ada got %s, want her message %q — task 4 in server.go", describe(ev), fmt.Sprint(i))
		}
	}
	if err := ada.expectEnd(t, "task 4 in server.go: once the writer has flushed, return"); err != nil {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 4 in server.go", err)
	}
}

func TestTask4_FirstEventMustBeAJoin(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	p := connect(t, srv.Dial(t), "ada", 5*time.Second)
	p.say(t, "hello?")
	grpctest.WantCode(t, "a Say before the Join", p.expectEnd(t, "task 4 in server.go: check the first event with GetJoin()"),
		codes.FailedPrecondition, "task 4 in server.go: the first event must be a Join: return status.Error(codes.FailedPrecondition, …)")
}

func TestTask4_OneJoinPerStream(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	ada, _ := enter(t, srv.Dial(t), "ada")
	ada.send(t, joinEvent("ada2"))
	grpctest.WantCode(t, "a second Join on the same stream", ada.expectEnd(t, "task 4 in server.go: in the read loop, a Join ends the stream"),
		codes.FailedPrecondition, "task 4 in server.go: a stream joins once: refuse another Join with codes.FailedPrecondition")
}

func TestTask4_LeaveIsAnnounced(t *testing.T) {
	for _, tc := range []struct {
		how   string
		leave func(t *testing.T, p *participant, closeConn func())
	}{
		{"on CloseSend", func(t *testing.T, p *participant, _ func()) {
			if err := p.stream.CloseSend(); err != nil {
				t.Fatalf("CloseSend: %v", err)
			}
		}},
		{"on cancel", func(t *testing.T, p *participant, _ func()) { p.cancel() }},
		{"on a dropped connection", func(t *testing.T, _ *participant, closeConn func()) { closeConn() }},
		{"on a refused Say", func(t *testing.T, p *participant, _ func()) { p.say(t, strings.Repeat("a", maxTextLen+1)) }},
	} {
		t.Run(tc.how, func(t *testing.T) {
			srv, _ := startRoom(t, DefaultOutboxSize)
			bob, _ := enter(t, srv.Dial(t), "bob")
			adaConn := srv.Dial(t)
			ada, _ := enter(t, adaConn, "ada")
			bob.expectJoined(t, "ada")

			tc.leave(t, ada, func() { adaConn.Close() })
			bob.expectLeft(t, "ada", "task 4 in server.go: however the stream ends, the member leaves: defer s.hub.Leave(m)")

			// Exactly once: the next thing bob hears is carol, not ada again.
			enter(t, srv.Dial(t), "carol")
			bob.expectJoined(t, "carol")
		})
	}
}
