package chat

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 7: the rate tests run the whole server with a fake clock
// (Config.Clock): the room asking the clock to wait is the evidence that a
// speaker is being slowed, and the test decides when each wait ends. No
// test waits on the wall clock.

// fakeClock is a Clock whose time moves only when the test says so. Each
// wait asked of it (After) is handed to the test on waits: the evidence
// that the room is waiting, and the way to end that wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits chan fakeWait
}

type fakeWait struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), waits: make(chan fakeWait, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	w := fakeWait{d: d, fire: make(chan time.Time, 1)}
	c.waits <- w
	return w.fire
}

// nextWait returns the next wait that someone asked of the clock.
func (c *fakeClock) nextWait(t *testing.T, hint string) fakeWait {
	t.Helper()
	limit := patience(waitLimit)
	select {
	case w := <-c.waits:
		return w
	case <-time.After(limit):
		aWaitRanOut.Store(true)
		t.Fatalf("nobody asked the room's clock (Config.Clock) to wait within %v — %s", limit, hint)
		return fakeWait{}
	}
}

// end moves the clock to the end of w and fires it.
func (c *fakeClock) end(w fakeWait) {
	c.mu.Lock()
	c.now = c.now.Add(w.d)
	now := c.now
	c.mu.Unlock()
	w.fire <- now
}

// pacedConfig is a room where each member may say burst things at once and
// one more per second, on clock.
func pacedConfig(clock Clock, burst int) Config {
	c := testConfig()
	c.Rate, c.Burst, c.Clock = 1, burst, clock
	return c
}

// A member who says more than their burst is slowed: the room hears the
// burst, then nothing more from them until the clock says so, while others
// speak freely; then the rest, in order. Nobody is cut, nothing is lost.
func TestTask7_AFastSpeakerIsSlowedNotCut(t *testing.T) {
	const burst, said = 3, 6
	clock := newFakeClock()
	_, bob, ada, _ := bobAndAda(t, pacedConfig(clock, burst))

	for i := range said {
		ada.say(t, fmt.Sprint("ada ", i)) // small messages: flow control lets them all through at once
	}
	w := clock.nextWait(t, "task 7 in member.go: a member's Says beyond their burst wait, on Config.Clock")
	if w.d <= 0 || w.d > time.Second {
		t.Errorf("the room waited %v at a rate of 1 per second with the burst spent, want more than 0 and at most 1s — task 7 in member.go", w.d)
	}
	// ada's Says are now waiting. bob speaks: his limit is his own.
	bob.say(t, "bob's turn")
	const order = "task 7 in member.go: while a member's Say waits for their rate, nothing more of theirs reaches the room, and the others are not slowed"
	for i := range burst {
		bob.expectMessageFor(t, "ada", fmt.Sprint("ada ", i), order)
	}
	bob.expectMessageFor(t, "bob", "bob's turn", order)
	for i := burst; i < said; i++ {
		clock.end(w)
		bob.expectMessageFor(t, "ada", fmt.Sprint("ada ", i), "task 7 in member.go: once the wait is over, the Say reaches the room; nothing is dropped")
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
	if err := ada.expectEnd(t, "task 2 in server.go"); err != nil {
		t.Errorf("ada's stream ended with %v, want OK — task 7 in member.go: a fast speaker is slowed, never cut", err)
	}
	bob.expectLeft(t, "ada", "task 2 in server.go")
}

// Each member has a rate of their own: ada spending her burst and waiting
// does not make bob wait.
func TestTask7_EachMemberHasALimitOfTheirOwn(t *testing.T) {
	const burst = 2
	clock := newFakeClock()
	_, bob, ada, _ := bobAndAda(t, pacedConfig(clock, burst))
	for i := range burst + 1 {
		ada.say(t, fmt.Sprint("ada ", i))
	}
	w := clock.nextWait(t, "task 7 in member.go: a member's Says beyond their burst wait, on Config.Clock")
	for i := range burst {
		bob.say(t, fmt.Sprint("bob ", i))
	}
	got := map[string]bool{}
	for len(got) < 2*burst {
		ev := bob.next(t, "task 7 in member.go: bob has a burst of his own")
		got[ev.GetMessage().GetText()] = true
	}
	for i := range burst {
		if !got[fmt.Sprint("bob ", i)] {
			t.Fatalf("bob's message %d did not reach the room while ada waited, want bob's own burst to go through — task 7 in member.go: each member has a rate of their own", i)
		}
	}
	select {
	case w2 := <-clock.waits:
		t.Errorf("the room waited %v more while bob said %d things with his burst unspent — task 7 in member.go: each member has a rate of their own", w2.d, burst)
	default:
	}
	clock.end(w)
	bob.expectMessageFor(t, "ada", fmt.Sprint("ada ", burst), "task 7 in member.go: once the wait is over, the Say reaches the room")
}

// A speaker who gives up while being slowed leaves: the wait ends with the
// stream.
func TestTask7_ASlowedSpeakerCanStillLeave(t *testing.T) {
	clock := newFakeClock()
	r := startRoom(t, pacedConfig(clock, 1))
	conn := r.srv.Dial(t)
	bob, _ := enter(t, conn, "bob")
	ada, _ := enter(t, conn, "ada")
	bob.expectJoined(t, "ada")
	ada.say(t, "one")
	ada.say(t, "two")
	clock.nextWait(t, "task 7 in member.go: a member's Says beyond their burst wait, on Config.Clock")
	ada.cancel()
	grpctest.WantCode(t, "ada's Connect handler after she cancelled while slowed",
		r.spy.stream(t, "ada").waitReturn(t, "task 7 in member.go: a member who is being slowed can still leave: the wait ends with the stream"),
		codes.Canceled, "task 7 in member.go: a stream cancelled while its Say waits ends with the context's status")
	bob.expectMessage(t, "ada", "one")
	bob.expectLeft(t, "ada", "task 2 in server.go: however a member's stream ends, the others get Left")
}
