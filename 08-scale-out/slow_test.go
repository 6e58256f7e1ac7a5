package scaleout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 6: back-pressure across the hop. A slow member costs nobody else
// anything; a replica that falls behind the stream says so.

func TestTask6_ASlowMemberIsCutAndNobodyWaits(t *testing.T) {
	room := openRoom(t)
	const logSize = 16
	reps := room.startN(t, 2, Config{LogSize: logSize})
	release := reps[0].spy.hold("bob")
	defer release()
	bob := connect(t, reps[0].dial(t), "bob")
	bob.send(t, joinEvent("bob", nil), "task 1 in server.go: a valid Join must not end the stream")
	cy := enter(t, reps[0].dial(t), "cy", nil) // on bob's replica, reading
	ada := enter(t, reps[1].dial(t), "ada", nil)
	// ada says far more than the replica holds for bob, in step with her
	// and cy's reading, so that neither of them is ever far behind.
	const lines = 3 * logSize
	for i := range lines {
		line := fmt.Sprintf("line %d", i)
		ada.say(t, line)
		ada.until(t, messageOf(line), "task 6 in room.go: a member whose Sends are stuck costs the others nothing")
		cy.until(t, messageOf(line), "task 6 in room.go: a member whose Sends are stuck costs the others of the same replica nothing")
	}
	err := bob.expectEnd(t, fmt.Sprintf("task 6 in room.go: a member more than LogSize (%d) events behind is cut", logSize))
	grpctest.WantCode(t, "bob's stream, stuck for "+fmt.Sprint(lines)+" events", err, codes.ResourceExhausted,
		fmt.Sprintf("task 6 in room.go: a member more than LogSize (%d) events behind is cut with ResourceExhausted, so that nobody waits for them", logSize))
	checkTranscript(t, "cy", cy.seen, "task 1 in server.go")
}

func TestTask6_AReplicaBehindTheStreamSaysSo(t *testing.T) {
	room := openRoom(t)
	link := startProxy(t, strings.TrimPrefix(natsURL, "nats://"))
	near := room.start(t, Config{})
	far := room.startWith(t, replicaOptions{natsAt: link.URL()})
	ada := enter(t, near.dial(t), "ada", nil)
	bob := enter(t, far.dial(t), "bob", nil)
	ada.until(t, joinedOf("bob"), "task 1 in server.go: a Join on one replica reaches the members of every replica")

	lag := func(limit time.Duration) (uint64, error) {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		return far.server.Lag(ctx)
	}
	if n, err := lag(patience(streamLimit)); err != nil || n != 0 {
		t.Fatalf("Lag of a replica that has taken in every event is (%d, %v), want (0, nil) — task 6 in server.go", n, err)
	}

	// The link from the broker to the far replica stalls; ada says 3 things.
	link.pause()
	for i := range 3 {
		ada.say(t, fmt.Sprintf("while stalled %d", i))
	}
	ada.until(t, messageOf("while stalled 2"), "task 1 in server.go: a Say reaches every member, the sender included")
	if n, err := lag(time.Second); err == nil && n < 3 {
		t.Fatalf("the far replica's link stalled before 3 events, and its Lag is %d with no error, want at least 3, or an error that says it cannot tell — task 6 in server.go: a replica behind the stream must not look caught up", n)
	}

	// The link recovers: nothing was lost, and the lag goes back to 0.
	link.resume()
	bob.until(t, messageOf("while stalled 2"), "task 1 in server.go: a replica whose link to the broker stalled catches up")
	checkTranscript(t, "bob", bob.seen, "task 1 in server.go: a replica whose link stalled loses nothing")
	if n, err := lag(patience(streamLimit)); err != nil || n != 0 {
		t.Fatalf("the far replica caught up (bob received the last event), and its Lag is (%d, %v), want (0, nil) — task 6 in server.go", n, err)
	}
}
