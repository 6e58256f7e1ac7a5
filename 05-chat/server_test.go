package chat

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The stream tests run the whole server in memory and talk to it through
// gRPC, each participant on a Connect stream of its own. They need tasks 1–3
// (the hub and the writer) as well as task 4. A spy (spy_test.go) watches
// your handler from the server's side.

func TestTask4_JoinSayAndLeave(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, history := enter(t, r.srv.Dial(t), "ada")
	if len(history) != 0 {
		t.Errorf("the History of a new room holds %d messages, want none — task 6 in hub.go", len(history))
	}
	ada.say(t, "hello")
	msg := ada.expectMessage(t, "ada", "hello")
	if msg.GetSeq() != 1 {
		t.Errorf("the first message has seq %d, want 1 — task 1 in hub.go", msg.GetSeq())
	}
	ada.closeSend(t)
	if err := ada.expectEnd(t, "task 4 in server.go: at io.EOF, Leave (which ends the membership and so the writer), then return what the writer reports"); err != nil {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 4 in server.go: io.EOF is how a member leaves; return nil, never io.EOF", err)
	}
	if err := r.spy.stream(t, "ada").waitReturn(t, "task 4 in server.go"); err != nil {
		t.Errorf("after CloseSend, ada's Connect handler returned %v, want nil — task 4 in server.go: io.EOF is how a member leaves", err)
	}
}

// Leaving with CloseSend must not lose what is still queued for the member:
// the writer sends it all before the handler returns. The spy holds each of
// ada's Sends until ada has received the one before, so her messages are
// still queued when the handler sees io.EOF, whatever the scheduling.
func TestTask4_NothingSaidBeforeLeavingIsLost(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends()
	const said = 20
	for i := range said {
		ada.say(t, fmt.Sprint(i))
	}
	ada.closeSend(t)
	spied.waitEOF(t, "task 4 in server.go: the reader loops on stream.Recv() until io.EOF")

	for i := range said {
		spied.release() // one Send may go ahead
		ev, err := ada.stream.Recv()
		if err != nil {
			t.Fatalf("ada's stream ended with %s after %d of her %d messages came back, want all of them first — "+
				"task 4 in server.go: at io.EOF, Leave and then return what the writer reports: it sends what is still queued",
				endedWith(err), i, said)
		}
		if got := ev.GetMessage().GetText(); got != fmt.Sprint(i) {
			t.Fatalf("ada got %s, want her message %q — task 2 in member.go: one writer sends the log in order", describe(ev), fmt.Sprint(i))
		}
	}
	if err := ada.expectEnd(t, "task 4 in server.go: once the writer has sent the log up to the leave, return"); err != nil {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 4 in server.go", err)
	}
}

// The handler must not report success (OK) while the writer still has
// events to send: here ada gives up (cancels) before they could be sent.
func TestTask4_LeavingWaitsForTheWriter(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends() // ada's network is slow: no Send completes from here on
	ada.say(t, "one")
	ada.say(t, "two")
	ada.closeSend(t)
	spied.waitEOF(t, "task 4 in server.go: the reader loops on stream.Recv() until io.EOF")
	ada.cancel() // ada's client gives up before her messages came back

	err := spied.waitReturn(t, "task 4 in server.go: when the client cancels, the writer's Send fails: return its error")
	if err == nil {
		t.Errorf("ada's Connect handler returned nil (OK) although her writer never sent her last messages, want the writer's error — " +
			"task 4 in server.go: at io.EOF, Leave and then return <-written: the writer sends what is still queued")
	}
}

// A refused Say ends ada's stream while her writer is in the middle of a
// Send, with more events queued. The spy lets that Send complete as the
// handler returns: no other Send may start after that.
func TestTask4_NoSendAfterTheStreamEnded(t *testing.T) {
	r := startRoom(t, testConfig())
	conn := r.srv.Dial(t)
	bob, _ := enter(t, conn, "bob")
	ada, _ := enter(t, conn, "ada")
	bob.expectJoined(t, "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSendsUntilTheEnd()
	for _, text := range []string{"one", "two", "three"} {
		bob.say(t, text)
		bob.expectMessage(t, "bob", text)
	}
	spied.waitHeld(t, "task 2 in member.go: the writer sends every event queued for the member")

	ada.say(t, "") // refused: ends ada's stream while "two" and "three" are still queued for her
	grpctest.WantCode(t, "ada's Connect handler after a refused Say", spied.waitReturn(t, "task 4 in server.go: a refused Say ends the stream"),
		codes.InvalidArgument, "task 4 in server.go: return the hub's error unchanged")
	// The spy reports any Send that started after the handler returned
	// once every goroutine has ended (startRoom's cleanup).
}

func TestTask4_FirstEventMustBeAJoin(t *testing.T) {
	r := startRoom(t, testConfig())
	p := connect(t, r.srv.Dial(t), "ada")
	p.say(t, "hello?")
	grpctest.WantCode(t, "a Say before the Join", p.expectEnd(t, "task 4 in server.go: check the first event with GetJoin()"),
		codes.FailedPrecondition, "task 4 in server.go: the first event must be a Join: return status.Error(codes.FailedPrecondition, …)")
}

func TestTask4_OneJoinPerStream(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	ada.send(t, joinEvent("ada2"), "task 4 in server.go: the stream was open")
	grpctest.WantCode(t, "a second Join on the same stream", ada.expectEnd(t, "task 4 in server.go: in the read loop, a Join ends the stream"),
		codes.FailedPrecondition, "task 4 in server.go: a stream joins once: refuse another Join with codes.FailedPrecondition")
}

func TestTask4_LeaveIsAnnounced(t *testing.T) {
	for _, tc := range []struct {
		how   string
		leave func(t *testing.T, p *participant, closeConn func())
		want  codes.Code // what ada's handler returns (Unknown: any error)
	}{
		{"on CloseSend", func(t *testing.T, p *participant, _ func()) { p.closeSend(t) }, codes.OK},
		{"on cancel", func(t *testing.T, p *participant, _ func()) { p.cancel() }, codes.Canceled},
		{"on a dropped connection", func(t *testing.T, _ *participant, closeConn func()) { closeConn() }, codes.Unknown},
		{"on a refused Say", func(t *testing.T, p *participant, _ func()) {
			grpctest.Send(p.stream, sayEvent(strings.Repeat("a", maxTextLen+1))) // the stream ends: any error is expected
		}, codes.InvalidArgument},
	} {
		t.Run(tc.how, func(t *testing.T) {
			r := startRoom(t, testConfig())
			bob, _ := enter(t, r.srv.Dial(t), "bob")
			adaConn := r.srv.Dial(t)
			ada, _ := enter(t, adaConn, "ada")
			bob.expectJoined(t, "ada")

			tc.leave(t, ada, func() { adaConn.Close() })
			err := r.spy.stream(t, "ada").waitReturn(t, "task 4 in server.go: return when the reader ends")
			if r.inRoom("ada") {
				t.Fatalf("ada's Connect handler returned (%v), and ada is still in the room — task 4 in server.go: "+
					"however the stream ends, the member leaves: defer s.hub.Leave(m)", err)
			}
			bob.expectLeft(t, "ada", "task 1 in hub.go: Leave broadcasts Left to the others")
			const why = "task 4 in server.go: io.EOF is a leave (nil); any other error of Recv or of the hub is the status the stream ends with"
			if tc.want == codes.Unknown {
				if err == nil {
					t.Errorf("ada's Connect handler returned nil (OK) for a client that dropped off, want Recv's error — %s", why)
				}
			} else {
				grpctest.WantCode(t, "ada's Connect handler", err, tc.want, why)
			}

			// Exactly once: the next thing bob hears is carol, not ada again.
			enter(t, r.srv.Dial(t), "carol")
			bob.expectJoined(t, "carol")
		})
	}
}
