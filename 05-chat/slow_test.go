package chat

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 3: a slow member costs the others nothing; one with more than
// LogSize events waiting is cut.

// A member who stops reading fills the flow-control windows of gRPC, and
// then has more and more events waiting; past LogSize it is cut, and
// nobody else waits for it.
func TestTask3_StalledReaderIsDisconnected(t *testing.T) {
	const size = 16
	r := startRoom(t, logOf(size))
	slow, _ := enter(t, r.srv.Dial(t), "stalled") // from here on, never reads
	talker, _ := enter(t, r.srv.Dial(t), "talker")
	listener, _ := enter(t, r.srv.Dial(t), "listener")
	talker.expectJoined(t, "listener")

	// talker says one message after another, each only once talker and
	// listener have both received the one before: they keep up, stalled
	// does not.
	const keepUp = "task 3 in hub.go: a member who does not read must cost the others nothing: they receive every message, and only the stalled member is cut"
	text := strings.Repeat("x", 1000)
	const most = 20000 // far more than any window and the log hold
	var sent uint64
	for left := false; !left; {
		if sent == most {
			t.Fatalf("after %d messages, stalled (who reads nothing) was still in the room, with a log of %d — task 3 in hub.go: a member with more than LogSize events waiting is cut", most, size)
		}
		talker.say(t, text)
		sent++
		for _, p := range []*participant{talker, listener} {
			ev := p.next(t, keepUp)
			if ev.GetLeft().GetName() == "stalled" {
				left = true
				ev = p.next(t, keepUp)
			}
			if got := ev.GetMessage().GetSeq(); got != sent {
				t.Fatalf("%s got %s, want message #%d — %s", p.name, describe(ev), sent, keepUp)
			}
		}
	}
	t.Logf("stalled was disconnected after %d messages of %d characters", sent, len(text))

	// stalled still reads nothing: a Send to it cannot complete, so only
	// its handler returning can end the stream.
	grpctest.WantCode(t, "stalled's Connect handler",
		r.spy.stream(t, "stalled").waitReturn(t, "task 3 in server.go: a cut member's stream ends, even while a Send to it cannot complete"),
		codes.ResourceExhausted, "task 3 in hub.go: a member cut for falling behind ends with codes.ResourceExhausted")
	grpctest.WantCode(t, "the stalled member's stream", slow.expectEnd(t, "task 3 in server.go: a cut member's stream ends"),
		codes.ResourceExhausted, "task 3 in hub.go: a member cut for falling behind ends with codes.ResourceExhausted")
}

// heldMembers enters names and holds every Send to them, then has talker
// join: the Send of Joined "talker" to each is in progress and held.
func heldMembers(t *testing.T, r *room, names ...string) (held []*participant, spied []*spiedStream, talker *participant) {
	t.Helper()
	for _, name := range names {
		p, _ := enter(t, r.srv.Dial(t), name)
		for _, earlier := range held {
			earlier.expectJoined(t, name)
		}
		held = append(held, p)
	}
	for _, name := range names {
		s := r.spy.stream(t, name)
		s.holdSends()
		spied = append(spied, s)
	}
	talker, _ = enter(t, r.srv.Dial(t), "talker")
	for i, s := range spied {
		s.waitHeld(t, fmt.Sprintf("task 1 in server.go: %s is sent Joined \"talker\"", names[i]))
	}
	return held, spied, talker
}

// With a Send to ada in progress (held), exactly LogSize events waiting for
// her do not cut her: once her network lets the Sends through, she gets
// them all and stays in the room.
func TestTask3_AMemberWithLogSizeEventsWaitingStays(t *testing.T) {
	const size = 4
	r := startRoom(t, logOf(size))
	held, spied, talker := heldMembers(t, r, "ada")
	ada := held[0]
	for i := range size {
		talker.say(t, fmt.Sprint(i))
		talker.expectMessage(t, "talker", fmt.Sprint(i))
	}
	for range size + 2 {
		spied[0].release()
	}
	const within = "task 3 in hub.go: a member with at most LogSize events waiting (besides the one being sent) is slow, not cut"
	ev := ada.next(t, within)
	if ev.GetJoined().GetName() != "talker" {
		t.Fatalf("ada got %s, want Joined \"talker\" — %s", describe(ev), within)
	}
	for i := range size {
		ada.expectMessageFor(t, "talker", fmt.Sprint(i), within)
	}
	ada.say(t, "still here")
	ada.expectMessageFor(t, "ada", "still here", within)
	talker.expectMessageFor(t, "ada", "still here", within)
}

// With a Send to ada and bob in progress (held), LogSize+1 events waiting
// cut both of them, at that event: the talker hears both leave before
// anything said later.
func TestTask3_OneEventMoreThanTheLogCuts(t *testing.T) {
	const size = 4
	r := startRoom(t, logOf(size))
	held, spied, talker := heldMembers(t, r, "ada", "bob")
	// talker reads up to each of its own messages before saying the next,
	// so that it never has more than a few events waiting itself.
	var seen []string
	for i, text := range append(strings.Fields(strings.Repeat("x ", size+1)), "marker") {
		if text == "x" {
			text = fmt.Sprint(i)
		}
		talker.say(t, text)
		for {
			ev := talker.next(t, "task 1 in server.go: talker hears what talker says")
			seen = append(seen, describe(ev))
			if ev.GetMessage().GetText() == text {
				break
			}
		}
	}
	want := []string{}
	for i := range size + 1 {
		want = append(want, describe(messageFrom("talker", i+1, fmt.Sprint(i))))
	}
	got := strings.Join(seen, ", ")
	wantPrefix := strings.Join(want, ", ")
	if !strings.HasPrefix(got, wantPrefix) || !strings.Contains(got, `Left "ada"`) || !strings.Contains(got, `Left "bob"`) {
		t.Fatalf("with a log of %d and Sends to ada and bob stuck, talker saw: %s; want the %d messages, then Left \"ada\" and Left \"bob\" before %q — "+
			"task 3 in hub.go: a member with more than LogSize events waiting is cut, at the event that makes it LogSize+1, and no sooner",
			size, got, size+1, "marker")
	}
	for i, p := range held {
		grpctest.WantCode(t, p.name+"'s Connect handler", spied[i].waitReturn(t, "task 3 in server.go: a cut member's stream ends, even while a Send to it cannot complete"),
			codes.ResourceExhausted, "task 3 in hub.go: a member cut for falling behind ends with codes.ResourceExhausted")
		grpctest.WantCode(t, p.name+"'s stream", p.expectEnd(t, "task 3 in server.go: a cut member's stream ends"),
			codes.ResourceExhausted, "task 3 in hub.go: a member cut for falling behind ends with codes.ResourceExhausted")
	}
}
