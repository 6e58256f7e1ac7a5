package chat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The writer tests run one member's writeLoop against a hub, without gRPC:
// send is a function the test controls. They need task 1 (the hub).

// writer runs m.writeLoop with a send that hands each event to the test,
// and waits for the test to take it: so the test decides when a Send ends.
type writer struct {
	sent chan *chatpb.ServerEvent
	done chan error
}

func startWriter(m *member) *writer {
	w := &writer{sent: make(chan *chatpb.ServerEvent), done: make(chan error, 1)}
	go func() {
		w.done <- m.writeLoop(func(ev *chatpb.ServerEvent) error { w.sent <- ev; return nil })
	}()
	return w
}

// expect receives the writer's next Send and checks it is want (described).
func (w *writer) expect(t *testing.T, want, hint string) {
	t.Helper()
	select {
	case ev := <-w.sent:
		if got := describe(ev); got != want {
			t.Fatalf("the writer sent %s, want %s — %s", got, want, hint)
		}
	case err := <-w.done:
		t.Fatalf("writeLoop returned %v, want it to send %s — %s", err, want, hint)
	case <-time.After(waitLimit):
		t.Fatalf("the writer did not send %s within %v — %s", want, waitLimit, hint)
	}
}

// end waits for writeLoop to return, failing on another Send.
func (w *writer) end(t *testing.T, hint string) error {
	t.Helper()
	select {
	case ev := <-w.sent:
		t.Fatalf("the writer sent %s, want it to return — %s", describe(ev), hint)
	case err := <-w.done:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop did not return within %v — %s", waitLimit, hint)
	}
	return nil
}

func say(t *testing.T, h *hub, m *member, text string) {
	t.Helper()
	if err := h.Say(m, text); err != nil {
		t.Fatalf("%s's Say(%q) failed: %v — task 1 in hub.go", m.name, text, err)
	}
}

func TestTask2_WriterSendsTheHistoryThenFollowsTheLog(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	w := startWriter(ada)
	const hint = "task 2 in member.go: send the member's History first, then every event of the room log from its cursor on, in order"
	w.expect(t, "History of 0 messages", hint)
	w.expect(t, `Joined "ada"`, hint)
	// The writer has caught up: what comes next must wake it.
	bob := joinHub(t, h, "bob")
	w.expect(t, `Joined "bob"`, "task 2 in member.go: once caught up, wait for the room's wake-up (and for the end of the membership) and go on")
	say(t, h, bob, "one")
	w.expect(t, `Message #1 from "bob": "one"`, "task 2 in member.go: wait for the next append and send it")
	h.Leave(ada)
	if err := w.end(t, "task 2 in member.go: a member who left is sent the log up to their leaving, then writeLoop returns nil"); err != nil {
		t.Errorf("writeLoop returned %v after ada left, want nil — task 2 in member.go", err)
	}
}

// While one Send is slow, several events are appended: the writer sends
// each of them, in order, from its own cursor — not only the newest.
func TestTask2_WriterSkipsNothing(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	w := startWriter(ada)
	w.expect(t, "History of 0 messages", "task 2 in member.go: the History comes first")
	// The writer is now in the Send of Joined "ada", which the test has not
	// taken yet; five messages are appended meanwhile.
	for i := range 5 {
		say(t, h, bob, fmt.Sprint(i))
	}
	const hint = "task 2 in member.go: follow the log with the member's cursor, one event after the other: a member within the log misses nothing"
	w.expect(t, `Joined "ada"`, hint)
	w.expect(t, `Joined "bob"`, hint)
	for i := range 5 {
		w.expect(t, fmt.Sprintf(`Message #%d from "bob": "%d"`, i+1, i), hint)
	}
	h.Leave(ada)
	w.end(t, "task 2 in member.go")
}

func TestTask2_WriterStopsWhenSendFails(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	broken := errors.New("stream broken")
	calls := 0
	done := make(chan error, 1)
	go func() {
		done <- ada.writeLoop(func(*chatpb.ServerEvent) error { calls++; return broken })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, broken) {
			t.Errorf("writeLoop returned %v, want send's error %q — task 2 in member.go", err, broken)
		}
		if calls != 1 {
			t.Errorf("send was called %d times, want once: after a failed Send the stream is gone — task 2 in member.go", calls)
		}
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop did not return after send failed — task 2 in member.go: return send's error")
	}
}

// A member who left is sent what the room said before they left, and
// nothing said after.
func TestTask2_WriterFlushesUpToTheLeaveOnly(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	say(t, h, bob, "before")
	h.Leave(ada)
	say(t, h, bob, "after")
	w := startWriter(ada)
	const hint = "task 2 in member.go: after the member left by themselves, send the log up to where they left (m.stop), then return nil"
	for _, want := range []string{"History of 0 messages", `Joined "ada"`, `Joined "bob"`, `Message #1 from "bob": "before"`} {
		w.expect(t, want, hint)
	}
	if err := w.end(t, hint); err != nil {
		t.Errorf("writeLoop returned %v, want nil — %s", err, hint)
	}
}

// Once the membership has ended with an error, the stream is over (the
// handler returns at once): writeLoop sends nothing more, even with events
// the member has not been sent.
func TestTask2_WriterSendsNothingOnceCut(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	cut := errors.New("cut")
	ada.end(cut)
	var sent []string
	done := make(chan error, 1)
	go func() {
		done <- ada.writeLoop(func(ev *chatpb.ServerEvent) error { sent = append(sent, describe(ev)); return nil })
	}()
	select {
	case err := <-done:
		if len(sent) > 0 {
			t.Errorf("writeLoop sent %v after the membership had ended with an error, want nothing — task 2 in member.go: "+
				"check m.Err() before every send; only a member who left by themselves is sent the rest", sent)
		}
		if !errors.Is(err, cut) {
			t.Errorf("writeLoop returned %v, want m.Err(), %q — task 2 in member.go", err, cut)
		}
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop did not return after the membership ended — task 2 in member.go: stop when m.Err() is set")
	}
}

// The writer of a member who is waiting for the log must notice when the
// hub ends the membership (here: shutdown), not only when something is
// appended.
func TestTask2_AWaitingWriterNoticesTheEnd(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	w := startWriter(ada)
	w.expect(t, "History of 0 messages", "task 2 in member.go")
	w.expect(t, `Joined "ada"`, "task 2 in member.go")
	h.Close() // appends nothing: only the end of the membership can wake the writer
	grpctest.WantCode(t, "writeLoop after Close", w.end(t, "task 2 in member.go: while waiting for the log, wait for <-m.Done() too"),
		codes.Unavailable, "task 2 in member.go: return m.Err() when the membership ended")
}

// --- task 7: the rate limit ---

// fakeClock is a Clock whose time moves only when the test says so. Each
// wait asked of it (After) is handed to the test on waits: the evidence
// that the reader is waiting, and the way to end that wait.
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
	select {
	case w := <-c.waits:
		return w
	case <-time.After(waitLimit):
		t.Fatalf("nobody asked the room's clock to wait within %v — %s", waitLimit, hint)
		return fakeWait{}
	}
}

// noWait fails the test if someone asked the clock to wait.
func (c *fakeClock) noWait(t *testing.T, hint string) {
	t.Helper()
	select {
	case w := <-c.waits:
		t.Fatalf("the room's clock was asked to wait %v — %s", w.d, hint)
	default:
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

func TestTask7_PaceLetsABurstThroughThenWaits(t *testing.T) {
	clock := newFakeClock()
	h := newHub(pacedConfig(clock, 2))
	ada := joinHub(t, h, "ada")
	ctx := grpctest.Context(t, streamDeadline)
	for i := range 2 {
		if err := ada.pace(ctx); err != nil {
			t.Fatalf("pace #%d failed: %v — task 7 in member.go: within the burst, pace returns nil at once", i+1, err)
		}
	}
	clock.noWait(t, "task 7 in member.go: a member may say Burst things at once without waiting")

	paced := make(chan error, 1)
	go func() { paced <- ada.pace(ctx) }()
	w := clock.nextWait(t, "task 7 in member.go: once the burst is spent, reserve a token on the member's limiter at clock.Now() "+
		"and wait for its delay on the room's clock (cfg.Clock.After), not the wall clock")
	if w.d <= 0 || w.d > time.Second {
		t.Errorf("pace waits %v at a rate of 1 per second with the burst spent, want at most 1s and more than 0 — task 7 in member.go: "+
			"ReserveN(now, 1) and DelayFrom(now) on the room's clock", w.d)
	}
	select {
	case err := <-paced:
		t.Fatalf("pace returned %v before the clock's wait was over, want it to wait — task 7 in member.go", err)
	default:
	}
	clock.end(w)
	select {
	case err := <-paced:
		if err != nil {
			t.Errorf("pace returned %v after its wait, want nil — task 7 in member.go", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("pace was still waiting %v after the clock's wait was over — task 7 in member.go", waitLimit)
	}
}

func TestTask7_PaceEndsWithTheStream(t *testing.T) {
	clock := newFakeClock()
	h := newHub(pacedConfig(clock, 1))
	ada := joinHub(t, h, "ada")
	ctx, cancel := context.WithCancel(grpctest.Context(t, streamDeadline))
	if err := ada.pace(ctx); err != nil {
		t.Fatalf("the first pace failed: %v — task 7 in member.go", err)
	}
	paced := make(chan error, 1)
	go func() { paced <- ada.pace(ctx) }()
	clock.nextWait(t, "task 7 in member.go: once the burst is spent, wait on the room's clock")
	cancel() // the client gave up while it was being slowed
	select {
	case err := <-paced:
		grpctest.WantCode(t, "pace after the stream's context ended", err, codes.Canceled,
			"task 7 in member.go: wait for ctx.Done() too, and return status.FromContextError(ctx.Err()).Err()")
	case <-time.After(waitLimit):
		t.Fatalf("pace kept waiting after its context was cancelled — task 7 in member.go: wait for ctx.Done() too: the stream is over")
	}
}

func TestTask7_EachMemberHasALimitOfTheirOwn(t *testing.T) {
	clock := newFakeClock()
	h := newHub(pacedConfig(clock, 2))
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	ctx := grpctest.Context(t, streamDeadline)
	for range 2 {
		ada.pace(ctx)
	}
	clock.noWait(t, "task 7 in member.go")
	paced := make(chan error, 2)
	go func() {
		for range 2 {
			if err := bob.pace(ctx); err != nil {
				paced <- err
				return
			}
		}
		paced <- nil
	}()
	select {
	case err := <-paced:
		if err != nil {
			t.Fatalf("bob's pace failed: %v — task 7 in member.go", err)
		}
	case w := <-clock.waits:
		clock.end(w)
		<-paced
		t.Fatalf("bob was made to wait %v after ada spent her burst, though bob had said nothing yet — "+
			"task 7: each member has a limiter of their own (newMember), never one shared by the room", w.d)
	case <-time.After(waitLimit):
		t.Fatalf("bob's pace did not return — task 7 in member.go")
	}
	clock.noWait(t, "task 7: each member has a limiter of their own: bob's burst is his")
}
