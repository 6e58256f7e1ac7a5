package chat

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 2: how a membership ends.

func TestTask2_JoinSayAndLeave(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	ada.say(t, "hello")
	ada.expectMessage(t, "ada", "hello")
	ada.closeSend(t)
	ev, err := ada.stream.Recv()
	if err == nil {
		t.Fatalf("after CloseSend, ada got %s, want her stream to end with OK and nothing more (a leaver is not sent their own Left) — task 2 in server.go", describe(ev))
	}
	if endedWith(err) != "OK" {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 2 in server.go: a CloseSend is how a member leaves", err)
	}
	if err := r.spy.stream(t, "ada").waitReturn(t, "task 2 in server.go: a CloseSend ends the stream"); err != nil {
		t.Errorf("after CloseSend, ada's Connect handler returned %v, want nil (OK) — task 2 in server.go", err)
	}
}

// Leaving with CloseSend must not lose what is on its way to the member.
// The spy holds each of ada's Sends until ada has received the one before,
// so her messages are still on their way when the handler reads the end of
// her events, whatever the scheduling.
func TestTask2_NothingSaidBeforeLeavingIsLost(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends()
	const said = 20
	for i := range said {
		ada.say(t, fmt.Sprint(i))
	}
	ada.closeSend(t)
	spied.waitEOF(t, "task 2 in server.go: the server reads a member's events until the end (io.EOF)")

	for i := range said {
		spied.release() // one Send may go ahead
		ev, err := ada.stream.Recv()
		if err != nil {
			t.Fatalf("ada's stream ended with %s after %d of her %d messages came back, want all of them first — "+
				"task 2 in server.go: what was said before a member left reaches them before the end", endedWith(err), i, said)
		}
		if got := ev.GetMessage().GetText(); got != fmt.Sprint(i) {
			t.Fatalf("ada got %s, want her message %q — task 2 in server.go: everything said before a member left reaches them, in order", describe(ev), fmt.Sprint(i))
		}
	}
	if err := ada.expectEnd(t, "task 2 in server.go: once all that was said before she left is sent, ada's stream ends"); err != nil {
		t.Errorf("after CloseSend, ada's stream ended with %v, want OK — task 2 in server.go", err)
	}
}

// The handler must not report success (OK) while events are still on their
// way: here ada gives up (cancels) before they could be sent.
func TestTask2_LeavingWaitsForWhatIsOnItsWay(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends() // ada's network is slow: no Send completes from here on
	ada.say(t, "one")
	ada.say(t, "two")
	ada.closeSend(t)
	spied.waitEOF(t, "task 2 in server.go: the server reads a member's events until the end (io.EOF)")
	ada.cancel() // ada's client gives up before her messages came back

	err := spied.waitReturn(t, "task 2 in server.go: a handler returns once its client is gone")
	if err == nil {
		t.Errorf("ada's Connect handler returned nil (OK) although her last messages were never sent, want an error — " +
			"task 2 in server.go: OK means everything said before the leave reached the member")
	}
}

// A member who left but takes nothing of what was said before (a client
// that half-closed, then stopped reading) is let go after LeaveWait.
func TestTask2_ALeaverWhoStopsReadingIsLetGo(t *testing.T) {
	cfg := testConfig()
	cfg.LeaveWait = 100 * time.Millisecond
	r := startRoom(t, cfg)
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends() // from here on, ada takes nothing
	ada.say(t, "one")
	ada.closeSend(t)
	spied.waitEOF(t, "task 2 in server.go: the server reads a member's events until the end (io.EOF)")

	err := spied.waitReturn(t, "task 2 in server.go: a member who left is sent what was said before for at most Config.LeaveWait (100 ms here)")
	grpctest.WantCode(t, "ada's Connect handler, once she had left and taken nothing for LeaveWait", err,
		codes.DeadlineExceeded, "task 2 in server.go: a member who left gets Config.LeaveWait to take what was said before")
}

// The room closes while a Send to ada is in progress and more events are
// on their way to her. The spy lets that Send complete as the handler
// returns: no other Send may start after that.
func TestTask2_NoSendAfterTheStreamEnded(t *testing.T) {
	r, bob, ada, spied := bobAndAda(t, testConfig())
	sendsToAdaUnderWay(t, bob, spied)

	r.server.Close() // ends ada's stream while "two" and "three" are still on their way to her
	grpctest.WantCode(t, "ada's Connect handler after Close", spied.waitReturn(t, "task 2 in server.go: Close ends every stream, also one whose Send to its member has not come back (this test holds ada's Sends)"),
		codes.Unavailable, "task 2 in server.go: Close ends every stream with codes.Unavailable")
	ada.expectEnd(t, "task 2 in server.go: Close ends every stream")
	// The spy reports any Send that started after the handler returned
	// once every goroutine has ended (startRoom's cleanup).
}

func TestTask2_LeaveIsAnnouncedOnce(t *testing.T) {
	for _, tc := range []struct {
		how   string
		leave func(t *testing.T, p *participant, closeConn func())
		want  codes.Code // what ada's handler returns (Unknown: any error)
	}{
		{"on CloseSend", func(t *testing.T, p *participant, _ func()) { p.closeSend(t) }, codes.OK},
		{"on cancel", func(t *testing.T, p *participant, _ func()) { p.cancel() }, codes.Canceled},
		{"on a dropped connection", func(t *testing.T, _ *participant, closeConn func()) { closeConn() }, codes.Unknown},
	} {
		t.Run(tc.how, func(t *testing.T) {
			r := startRoom(t, testConfig())
			bob, _ := enter(t, r.srv.Dial(t), "bob")
			adaConn := r.srv.Dial(t)
			ada, _ := enter(t, adaConn, "ada")
			bob.expectJoined(t, "ada")

			tc.leave(t, ada, func() { adaConn.Close() })
			err := r.spy.stream(t, "ada").waitReturn(t, "task 2 in server.go: a handler returns once its member has left")
			bob.expectLeft(t, "ada", "task 2 in server.go: however a member's stream ends, the others get Left")
			const why = "task 2 in server.go: a CloseSend ends the stream with OK; a cancel or a dropped connection with the stream's error"
			if tc.want == codes.Unknown {
				if err == nil {
					t.Errorf("ada's Connect handler returned nil (OK) for a client that dropped off, want an error — %s", why)
				}
			} else {
				grpctest.WantCode(t, "ada's Connect handler", err, tc.want, why)
			}

			// Exactly once, and ada is gone: her name is free again, and the
			// next thing bob hears is the new ada, not the old one leaving again.
			enter(t, r.srv.Dial(t), "ada")
			bob.expectJoined(t, "ada")
		})
	}
}

func TestTask2_CloseEndsEveryStream(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	bob, _ := enter(t, r.srv.Dial(t), "bob")
	ada.expectJoined(t, "bob")

	stopped := make(chan struct{})
	go func() {
		r.srv.GRPC.GracefulStop() // waits for every handler to return
		close(stopped)
	}()
	r.server.Close() // what cmd/server does as shutdown begins
	select {
	case <-stopped:
	case <-time.After(waitLimit):
		r.srv.GRPC.Stop()
		t.Fatalf("GracefulStop still waited %v after Close: a Connect handler had not returned — task 2 in server.go: Close ends every stream", waitLimit)
	}
	for _, p := range []*participant{ada, bob} {
		grpctest.WantCode(t, p.name+"'s stream after Close", p.expectEnd(t, "task 2 in server.go: Close ends every stream"), codes.Unavailable,
			"task 2 in server.go: Close ends every stream with codes.Unavailable")
	}
}

func TestTask2_NoOneJoinsAClosedRoom(t *testing.T) {
	r := startRoom(t, testConfig())
	enter(t, r.srv.Dial(t), "ada")
	r.server.Close()
	p := connect(t, r.srv.Dial(t), "bob")
	var err error
	if err = grpctest.Send(p.stream, joinEvent("bob")); err == nil {
		err = p.expectEnd(t, "task 2 in server.go: a closed room refuses joins")
	}
	grpctest.WantCode(t, "a Join after Close", err, codes.Unavailable, "task 2 in server.go: a closed room refuses joins with codes.Unavailable")
}

// A member who half-closes is out of the room at once, while what was on
// its way to them is still being sent: the others hear Left, and the name
// is free. Someone else joins with it meanwhile; when the first ada's stream
// ends at last, the newcomer must stay.
func TestTask2_ALateEndDoesNotRemoveANewcomer(t *testing.T) {
	r, bob, ada, spied := bobAndAda(t, testConfig())
	conn := r.srv.Dial(t)
	spied.holdSends()
	bob.say(t, "one")
	bob.expectMessage(t, "bob", "one")
	spied.waitHeld(t, "task 1 in server.go: every member is sent every message")
	ada.closeSend(t)
	bob.expectLeft(t, "ada", "task 2 in server.go: a member who half-closes leaves the room at once, while what is on its way to them is still being sent")

	newAda, err := tryJoin(t, conn, "ada")
	if err != nil {
		t.Fatalf("a Join as \"ada\" once the first ada had left ended with %v, want it to succeed — task 2 in server.go: a member who left frees their name", err)
	}
	bob.expectJoined(t, "ada")
	spied.release()
	if err := ada.expectEnd(t, "task 2 in server.go"); err != nil {
		t.Fatalf("the first ada's stream ended with %v, want OK — task 2 in server.go", err)
	}
	spied.waitReturn(t, "task 2 in server.go")

	bob.say(t, "still there?")
	const stay = "task 2 in server.go: the end of a member's stream removes that member, never a newcomer who took the same name"
	if ev := bob.next(t, stay); ev.GetMessage().GetText() != "still there?" {
		t.Fatalf("after the first ada's stream ended, bob got %s, want his message: the new ada must still be in the room — %s", describe(ev), stay)
	}
	newAda.expectMessageFor(t, "bob", "still there?", stay)
}
