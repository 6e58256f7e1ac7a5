package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The hub tests call hub.go directly and read what it holds for each member, without
// gRPC: they check the room's rules, one at a time.

func TestTask1_JoinSendsHistoryThenJoinedToEveryone(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	if ev := nextQueued(t, ada, "task 1 in hub.go: queue a History for the new member"); ev.GetHistory() == nil {
		t.Fatalf("ada's first event is %s, want a History — task 1 in hub.go: the History comes first", describe(ev))
	}
	if ev := nextQueued(t, ada, "task 1 in hub.go: broadcast Joined"); ev.GetJoined().GetName() != "ada" {
		t.Fatalf("ada's second event is %s, want Joined \"ada\" — task 1 in hub.go: the new member is told too", describe(ev))
	}
	bob := joinHub(t, h, "bob")
	skipJoinEvents(t, bob)
	if ev := nextQueued(t, ada, "task 1 in hub.go: broadcast Joined to every member"); ev.GetJoined().GetName() != "bob" {
		t.Fatalf("ada got %s, want Joined \"bob\" — task 1 in hub.go: broadcast Joined to every member", describe(ev))
	}
}

func TestTask1_NamesAreUnique(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	_, err := h.Join("ada")
	grpctest.WantCode(t, `a second Join("ada")`, err, codes.AlreadyExists,
		"task 1 in hub.go: a name already in the room is refused with codes.AlreadyExists")
	h.Leave(ada)
	if _, err := h.Join("ada"); err != nil {
		t.Errorf(`Join("ada") after ada left failed: %v, want it to succeed — task 1 in hub.go: Leave frees the name`, err)
	}
}

func TestTask1_JoinRejectsBadNames(t *testing.T) {
	for _, tc := range []struct{ what, name string }{
		{"an empty name", ""},
		{"a name of only whitespace", "   "},
		{"a name of 33 characters", strings.Repeat("a", 33)},
		{"a name with a newline", "ada\nbob"},
		{"a name with an escape sequence", "ada\x1b[31m"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := newHub(testConfig()).Join(tc.name)
			grpctest.WantCode(t, "Join("+fmt.Sprintf("%q", tc.name)+")", err, codes.InvalidArgument,
				"task 1 in hub.go: refuse "+tc.what+" with codes.InvalidArgument")
		})
	}
	t.Run("a name of 32 two-byte characters is fine", func(t *testing.T) {
		if _, err := newHub(testConfig()).Join(strings.Repeat("é", 32)); err != nil {
			t.Errorf("Join(<32 characters>) failed: %v — task 1 in hub.go: count characters with utf8.RuneCountInString; 32 are allowed", err)
		}
	})
}

func TestTask1_SayReachesEveryoneIncludingTheSender(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	skipJoinEvents(t, ada)
	nextQueued(t, ada, "task 1 in hub.go: broadcast Joined") // bob joined
	skipJoinEvents(t, bob)

	before := time.Now()
	if err := h.Say(ada, "hello"); err != nil {
		t.Fatalf(`Say(ada, "hello") failed: %v — task 1 in hub.go`, err)
	}
	if err := h.Say(bob, "hi ada"); err != nil {
		t.Fatalf(`Say(bob, "hi ada") failed: %v — task 1 in hub.go`, err)
	}
	after := time.Now()
	for _, m := range []*member{ada, bob} {
		for i, want := range []struct {
			seq          uint64
			sender, text string
		}{{1, "ada", "hello"}, {2, "bob", "hi ada"}} {
			ev := nextQueued(t, m, "task 1 in hub.go: Say broadcasts to every member, the sender included")
			msg := ev.GetMessage()
			if msg.GetSeq() != want.seq || msg.GetSender() != want.sender || msg.GetText() != want.text {
				t.Errorf("%s's message %d is %s, want Message #%d from %q: %q — task 1 in hub.go: stamp the sender and the next sequence number",
					m.name, i+1, describe(ev), want.seq, want.sender, want.text)
			}
			if at := msg.GetSentAt().AsTime(); at.Before(before.Add(-time.Second)) || at.After(after.Add(time.Second)) {
				t.Errorf("%s's message %d has sent_at %v, want the time of Say — task 1 in hub.go: stamp it with timestamppb.Now()",
					m.name, i+1, msg.GetSentAt())
			}
		}
	}
}

func TestTask1_SayRejectsBadText(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	skipJoinEvents(t, ada)
	nextQueued(t, ada, "task 1 in hub.go: broadcast Joined") // bob joined
	skipJoinEvents(t, bob)

	for _, tc := range []struct{ what, text string }{
		{"an empty text", ""},
		{"a text of only whitespace", " \n\t"},
		{"a text of 1001 characters", strings.Repeat("a", 1001)},
	} {
		grpctest.WantCode(t, "Say(ada, "+short(tc.text)+")", h.Say(ada, tc.text), codes.InvalidArgument,
			"task 1 in hub.go: refuse "+tc.what+" with codes.InvalidArgument")
		noneQueued(t, bob, "task 1 in hub.go: a refused Say is not broadcast")
	}

	// The longest text is fine, and it is the first message: a refused Say
	// changes nothing, not even the sequence number.
	if err := h.Say(ada, strings.Repeat("é", 1000)); err != nil {
		t.Fatalf("Say(<1000 characters>) failed: %v — task 1 in hub.go: count characters (utf8.RuneCountInString); 1000 are allowed", err)
	}
	if msg := nextQueued(t, bob, "task 1 in hub.go: Say broadcasts to every member").GetMessage(); msg.GetSeq() != 1 {
		t.Errorf("after three refused Says, the first message has seq %d, want 1 — task 1 in hub.go: validate the text before you change anything (h.seq included)", msg.GetSeq())
	}
}

func TestTask1_LeaveIsAnnouncedOnce(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	bob := joinHub(t, h, "bob")
	skipJoinEvents(t, ada)
	nextQueued(t, ada, "task 1 in hub.go: broadcast Joined")

	h.Leave(bob)
	h.Leave(bob) // a second Leave, as when a handler and the hub both remove someone
	if ev := nextQueued(t, ada, "task 1 in hub.go: Leave broadcasts Left to the others"); ev.GetLeft().GetName() != "bob" {
		t.Fatalf("ada got %s, want Left \"bob\" — task 1 in hub.go", describe(ev))
	}
	noneQueued(t, ada, "task 1 in hub.go: Leave announces a member once; a second Leave does nothing")
	select {
	case <-bob.Done():
	default:
		t.Errorf("bob.Done() is still open after Leave(bob) — task 1 in hub.go: end the membership with m.end(nil)")
	}
	grpctest.WantCode(t, "Say(bob, …) after bob left", h.Say(bob, "still here?"), codes.FailedPrecondition,
		"task 1 in hub.go: someone who left cannot speak")
	noneQueued(t, ada, "task 1 in hub.go: nothing is broadcast for a member who left")
}

func TestTask1_ALateLeaveDoesNotRemoveANewcomer(t *testing.T) {
	h := newHub(testConfig())
	bob := joinHub(t, h, "bob")
	first := joinHub(t, h, "ada")
	h.Leave(first)
	second := joinHub(t, h, "ada") // the name is free again: another ada comes in
	skipJoinEvents(t, bob)
	for _, want := range []string{`Joined "ada"`, `Left "ada"`, `Joined "ada"`} {
		if ev := nextQueued(t, bob, "task 1 in hub.go"); describe(ev) != want {
			t.Fatalf("bob got %s, want %s — task 1 in hub.go", describe(ev), want)
		}
	}

	// The first ada's handler calls Leave again as it returns (its deferred
	// Leave), after the second ada joined.
	h.Leave(first)
	noneQueued(t, bob, "task 1 in hub.go: remove only m itself: check that h.members[m.name] is m, not just that the name is taken")
	if err := h.Say(second, "still here"); err != nil {
		t.Errorf("the second ada's Say failed with %v after a late Leave of the first ada — task 1 in hub.go: "+
			"remove does nothing unless h.members[m.name] is m", err)
	}
}

func TestTask1_NoOneJoinsAClosedRoom(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	h.Close() // the server is shutting down
	select {
	case <-ada.Done():
	default:
		t.Fatalf("ada's membership did not end when the hub closed") // Close is given: this only guards the test
	}
	_, err := h.Join("bob")
	grpctest.WantCode(t, `Join("bob") after Close`, err, codes.Unavailable,
		"task 1 in hub.go: once the hub is closed (h.closed), refuse every Join with codes.Unavailable: the server is going away")
}

// A member who reads nothing stays in the room for as long as the log
// still holds the next event it has to send: being behind costs it only
// latency. One event more, and it is cut, with a status that says why;
// everyone else hears that it left, once, and loses nothing.
func TestTask3_OnlyAMemberWhoFellOffTheLogIsCut(t *testing.T) {
	const size = 4
	h := newHub(logOf(size))
	slow := joinHub(t, h, "slow")
	skipJoinEvents(t, slow) // slow's writer sent its History and Joined; from here on it sends nothing
	bob := joinHub(t, h, "bob")
	var got []*chatpb.ServerEvent
	drain := func() {
		for ev := peek(bob, true); ev != nil; ev = peek(bob, true) {
			got = append(got, ev)
		}
	}
	drain()

	// The log holds Joined bob, the event slow has to send next, and three
	// messages: it is full, and slow is as far behind as it may be.
	for i := range size - 1 {
		if err := h.Say(bob, fmt.Sprint("message ", i)); err != nil {
			t.Fatalf("bob's Say failed: %v — task 1 in hub.go", err)
		}
		drain()
	}
	if err := slow.Err(); err != nil || isClosed(slow.Done()) {
		t.Fatalf("slow was cut (%v) while the log of %d events still held the next event for it — task 3 in hub.go: "+
			"cut only a member whose cursor points before the oldest event the log still holds; one that is merely behind catches up", err, size)
	}

	// One more: slow's next event is overwritten.
	if err := h.Say(bob, "one too many"); err != nil {
		t.Fatalf("bob's Say failed: %v — task 3 in hub.go: only the member who fell off the log is cut", err)
	}
	drain()
	if !isClosed(slow.Done()) {
		t.Fatalf("slow is still a member although the log no longer holds the next event for it — task 3 in hub.go: " +
			"when append overwrites the event a member's cursor points at, remove that member")
	}
	err := slow.Err()
	grpctest.WantCode(t, "slow.Err()", err, codes.ResourceExhausted,
		"task 3 in hub.go: end the membership of a member who fell off the log with codes.ResourceExhausted")
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "behind") {
		t.Errorf("slow was cut with %q, want a message that names the reason (it fell behind, more than the log holds) — task 3 in hub.go", msg)
	}

	// bob saw every message in order, and slow leave once.
	var texts []string
	lefts := 0
	for _, ev := range got {
		switch {
		case ev.GetMessage() != nil:
			texts = append(texts, ev.GetMessage().GetText())
		case ev.GetLeft() != nil:
			lefts++
		}
	}
	if want := "message 0|message 1|message 2|one too many"; strings.Join(texts, "|") != want {
		t.Errorf("bob received %q, want %q — task 3 in hub.go: cutting a member costs the others nothing", strings.Join(texts, "|"), want)
	}
	if lefts != 1 {
		t.Errorf("bob was told %d times that someone left, want once (slow) — task 3 in hub.go: remove the member, which broadcasts Left", lefts)
	}
	if _, err := h.Join("slow"); err != nil {
		t.Errorf(`Join("slow") after slow was cut failed: %v — task 3 in hub.go: remove the member from the room`, err)
	}
}

// Many members fall off the log at the same append: each is cut and
// announced once, and the member who keeps up loses nothing.
func TestTask3_ManyFallOffAtOnce(t *testing.T) {
	const size = 8
	h := newHub(logOf(size))
	var slow []*member
	for i := range 3 {
		slow = append(slow, joinHub(t, h, fmt.Sprint("slow", i)))
	}
	bob := joinHub(t, h, "bob")
	lefts := map[string]int{}
	var seqs []uint64
	for i := range 2 * size {
		if err := h.Say(bob, fmt.Sprint("message ", i)); err != nil {
			t.Fatalf("bob's Say failed: %v — task 3 in hub.go: only the members who fell off the log are cut", err)
		}
		for ev := peek(bob, true); ev != nil; ev = peek(bob, true) {
			if ev.GetLeft() != nil {
				lefts[ev.GetLeft().GetName()]++
			}
			if ev.GetMessage() != nil {
				seqs = append(seqs, ev.GetMessage().GetSeq())
			}
		}
	}
	for _, m := range slow {
		if !isClosed(m.Done()) {
			t.Errorf("%s is still in the room after %d events more than the log holds — task 3 in hub.go: check every member at each append", m.name, size)
		}
		if lefts[m.name] != 1 {
			t.Errorf("bob was told %d times that %s left, want once — task 3 in hub.go", lefts[m.name], m.name)
		}
	}
	for i, seq := range seqs {
		if seq != uint64(i+1) {
			t.Fatalf("bob's message %d has seq %d, want %d — task 3 in hub.go: a member who keeps up loses nothing", i+1, seq, i+1)
		}
	}
}

func TestTask6_NewMemberGetsTheLast50Messages(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	for i := 1; i <= 60; i++ {
		if err := h.Say(ada, fmt.Sprint("message ", i)); err != nil {
			t.Fatalf("Say failed: %v — task 1 in hub.go", err)
		}
	}
	bob := joinHub(t, h, "bob")
	history := nextQueued(t, bob, "task 1 in hub.go: queue a History for the new member").GetHistory().GetMessages()
	if len(history) != historySize {
		t.Fatalf("after 60 messages, bob's History holds %d messages, want the last %d — task 6 in hub.go: remember each message in Say, keep only the last historySize, "+
			"and queue them as the new member's History in Join",
			len(history), historySize)
	}
	for i, msg := range history {
		if want := uint64(11 + i); msg.GetSeq() != want || msg.GetText() != fmt.Sprint("message ", want) {
			t.Fatalf("bob's History[%d] is message #%d %q, want #%d — task 6 in hub.go: oldest first, the last %d", i, msg.GetSeq(), msg.GetText(), want, historySize)
		}
	}
}

func TestTask6_YoungRoomReplaysAllItHas(t *testing.T) {
	h := newHub(testConfig())
	ada := joinHub(t, h, "ada")
	for _, text := range []string{"one", "two", "three"} {
		if err := h.Say(ada, text); err != nil {
			t.Fatalf("Say failed: %v — task 1 in hub.go", err)
		}
	}
	bob := joinHub(t, h, "bob")
	history := nextQueued(t, bob, "task 1 in hub.go: queue a History for the new member").GetHistory().GetMessages()
	var texts []string
	for _, msg := range history {
		texts = append(texts, msg.GetText())
	}
	if got, want := strings.Join(texts, ","), "one,two,three"; got != want {
		t.Errorf("bob's History holds [%s], want [%s] — task 6 in hub.go: remember every message in Say", got, want)
	}
}
