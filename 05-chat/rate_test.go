package chat

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The rate tests run the whole server with a fake clock: the reader asking
// the clock to wait is the evidence that a speaker is being slowed, and the
// test decides when each wait ends. They need tasks 1–4.

// A member who says more than their burst is slowed: the room hears the
// burst, then nothing more from them until the clock says so, while others
// speak freely; then the rest, in order. Nobody is cut, nothing is lost.
func TestTask7_AFastSpeakerIsSlowedNotCut(t *testing.T) {
	const burst, said = 3, 6
	clock := newFakeClock()
	r := startRoom(t, pacedConfig(clock, burst))
	conn := r.srv.Dial(t)
	bob, _ := enter(t, conn, "bob")
	ada, _ := enter(t, conn, "ada")
	bob.expectJoined(t, "ada")

	for i := range said {
		ada.say(t, fmt.Sprint("ada ", i)) // small messages: flow control lets them all through at once
	}
	w := clock.nextWait(t, "task 7 in server.go: in the read loop, pace each Say (m.pace) before the hub sees it")
	// ada's reader is now waiting. bob speaks: his limit is his own.
	bob.say(t, "bob's turn")
	const order = "task 7 in server.go: pace each Say before s.hub.Say, never after: while the reader waits, nothing more of ada's reaches the room"
	for i := range burst {
		bob.expectMessageFor(t, "ada", fmt.Sprint("ada ", i), order)
	}
	bob.expectMessageFor(t, "bob", "bob's turn", order)
	for i := burst; i < said; i++ {
		clock.end(w)
		bob.expectMessageFor(t, "ada", fmt.Sprint("ada ", i), "task 7 in server.go: once the wait is over, the paced Say goes to the hub; nothing is dropped")
		if i < said-1 {
			w = clock.nextWait(t, order)
		}
	}
	ada.closeSend(t)
	for i := range said {
		if i == burst {
			ada.expectMessage(t, "bob", "bob's turn")
		}
		ada.expectMessage(t, "ada", fmt.Sprint("ada ", i))
	}
	if err := ada.expectEnd(t, "task 4 in server.go"); err != nil {
		t.Errorf("ada's stream ended with %v, want OK — task 7 in server.go: a fast speaker is slowed, never cut", err)
	}
	bob.expectLeft(t, "ada", "task 1 in hub.go")
}

// A speaker who gives up while being slowed leaves: the wait ends with the
// stream, and the handler returns the context's status.
func TestTask7_ASlowedSpeakerCanStillLeave(t *testing.T) {
	clock := newFakeClock()
	r := startRoom(t, pacedConfig(clock, 1))
	conn := r.srv.Dial(t)
	bob, _ := enter(t, conn, "bob")
	ada, _ := enter(t, conn, "ada")
	bob.expectJoined(t, "ada")
	ada.say(t, "one")
	ada.say(t, "two")
	clock.nextWait(t, "task 7 in server.go: in the read loop, pace each Say (m.pace) before the hub sees it")
	ada.cancel()
	grpctest.WantCode(t, "ada's Connect handler after she cancelled while slowed",
		r.spy.stream(t, "ada").waitReturn(t, "task 7 in member.go: pace waits for the stream's context too (stream.Context(), never context.Background())"),
		codes.Canceled, "task 7: pace returns the context's status when the stream ends, and the read loop returns it")
	bob.expectMessage(t, "ada", "one")
	bob.expectLeft(t, "ada", "task 4 in server.go: the member leaves however the stream ends")
}
