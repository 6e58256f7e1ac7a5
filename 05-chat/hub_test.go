package chat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The hub tests call hub.go directly and read the members' outboxes, without
// gRPC: they check the room's rules, one at a time.

func TestTask1_JoinSendsHistoryThenJoinedToEveryone(t *testing.T) {
	h := newHub(8)
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
	h := newHub(8)
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
			_, err := newHub(8).Join(tc.name)
			grpctest.WantCode(t, "Join("+fmt.Sprintf("%q", tc.name)+")", err, codes.InvalidArgument,
				"task 1 in hub.go: refuse "+tc.what+" with codes.InvalidArgument")
		})
	}
	t.Run("a name of 32 two-byte characters is fine", func(t *testing.T) {
		if _, err := newHub(8).Join(strings.Repeat("é", 32)); err != nil {
			t.Errorf("Join(<32 characters>) failed: %v — task 1 in hub.go: count characters with utf8.RuneCountInString; 32 are allowed", err)
		}
	})
}

func TestTask1_SayReachesEveryoneIncludingTheSender(t *testing.T) {
	h := newHub(8)
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
	h := newHub(8)
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
	h := newHub(8)
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
	h := newHub(8)
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
	h := newHub(8)
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

func TestTask3_FullOutboxDisconnectsOnlyThatMember(t *testing.T) {
	const outbox = 4
	h := newHub(outbox)
	slow := joinHub(t, h, "slow") // nobody empties slow's outbox
	bob := joinHub(t, h, "bob")

	// More messages than slow's outbox holds; bob empties his own outbox
	// after each one, like a writer that keeps up. Say must never wait.
	const says = 3 * outbox
	var got []*chatpb.ServerEvent
	said := make(chan error, 1)
	go func() {
		for i := range says {
			if err := h.Say(bob, fmt.Sprint("message ", i)); err != nil {
				said <- err
				return
			}
			for len(bob.outbox) > 0 {
				got = append(got, <-bob.outbox)
			}
		}
		said <- nil
	}()
	select {
	case err := <-said:
		if err != nil {
			t.Fatalf("bob's Say failed: %v — task 3 in hub.go: only the member whose outbox is full is disconnected", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("Say blocked once slow's outbox was full — task 2 in member.go: deliver must never wait (select with a default case)")
	}

	select {
	case <-slow.Done(): // Say returned: whatever it did is done
	default:
		t.Fatalf("slow is still a member although its outbox overflowed — task 3 in hub.go: when deliver reports false, remove that member " +
			"(and task 2 in member.go: deliver reports false when the outbox is full)")
	}
	grpctest.WantCode(t, "slow.Err()", slow.Err(), codes.ResourceExhausted,
		"task 3 in hub.go: end the slow membership with status.Error(codes.ResourceExhausted, …)")

	// bob saw his join, every message in order, and slow leave once.
	var next uint64 = 1
	lefts := 0
	if len(got) != 2+says+1 {
		t.Errorf("bob received %d events, want %d: his join, every message and slow leaving — task 3 in hub.go", len(got), 2+says+1)
	}
	for _, ev := range got {
		switch {
		case ev.GetMessage() != nil:
			if ev.GetMessage().GetSeq() != next {
				t.Fatalf("bob got %s, want message #%d: no healthy member may lose a message — task 3 in hub.go", describe(ev), next)
			}
			next++
		case ev.GetLeft() != nil:
			lefts++
			if ev.GetLeft().GetName() != "slow" {
				t.Errorf("bob got %s, want only slow to leave — task 3 in hub.go", describe(ev))
			}
		}
	}
	if lefts != 1 {
		t.Errorf("bob was told %d times that slow left, want once — task 3 in hub.go: broadcast Left when you remove the slow member", lefts)
	}
	if _, err := h.Join("slow"); err != nil {
		t.Errorf(`Join("slow") after slow was disconnected failed: %v — task 3 in hub.go: remove the slow member from the room`, err)
	}
}

// When a broadcast finds full outboxes, the members it removes are
// announced after the event itself, for everyone: one order. The healthy
// members here keep up; the slow ones never read, and each overflows in turn.
// A map is visited in a random order, so the room is built many times over.
func TestTask3_OneOrderWhileSlowMembersAreDropped(t *testing.T) {
	// The rounds run on a goroutine of their own: a deliver that waits
	// (task 2 not done) would block them for good.
	failure := make(chan string, 1)
	go func() { failure <- oneOrderRounds(20) }()
	select {
	case f := <-failure:
		if f != "" {
			t.Fatal(f)
		}
	case <-time.After(waitLimit):
		t.Fatalf("a Join or a Say blocked once a slow member's outbox was full — task 2 in member.go: deliver must never wait (select with a default case)")
	}
}

// oneOrderRounds builds the room of TestTask3_OneOrderWhileSlowMembersAreDropped
// the given number of times, and describes the first failure ("": none).
func oneOrderRounds(rounds int) string {
	for round := range rounds {
		h := newHub(4)
		var healthy []*member
		got := map[*member][]string{}
		drain := func() {
			for _, m := range healthy {
				for len(m.outbox) > 0 {
					got[m] = append(got[m], describe(<-m.outbox))
				}
			}
		}
		for i := range 5 {
			m, err := h.Join(fmt.Sprint("healthy", i))
			if err != nil || m == nil {
				return fmt.Sprintf("Join failed: %v — task 1 in hub.go", err)
			}
			healthy = append(healthy, m)
			drain()
		}
		clear(got) // from here on, every healthy member is told the same things
		for i := range 12 {
			h.Join(fmt.Sprint("slow", i)) // slow members never read: each overflows two rounds after it came
			drain()
			if err := h.Say(healthy[0], fmt.Sprint("message ", i)); err != nil {
				return fmt.Sprintf("healthy0's Say failed: %v — task 3 in hub.go: only members whose outbox is full are disconnected", err)
			}
			drain()
		}
		want := got[healthy[0]]
		if !slices.Contains(want, `Left "slow0"`) {
			return `nobody was told that slow0 left, though its outbox overflowed — task 3 in hub.go: when deliver reports false, remove that member`
		}
		for _, m := range healthy[1:] {
			if i := firstDifference(got[m], want); i >= 0 {
				return fmt.Sprintf("round %d: after the same broadcasts, %s's event #%d is %s but %s's is %s — task 3 in hub.go: "+
					"all members hear the same events in the same order: collect the members whose outbox is full, "+
					"and remove them only after the loop has given the event to everyone", round+1,
					healthy[0].name, i+1, at(want, i), m.name, at(got[m], i))
			}
		}
	}
	return ""
}

// firstDifference returns the first index at which a and b differ, or -1.
func firstDifference(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if at(a, i) != at(b, i) {
			return i
		}
	}
	return -1
}

// at returns s[i], or "nothing" past the end.
func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "nothing"
}

func TestTask6_NewMemberGetsTheLast50Messages(t *testing.T) {
	h := newHub(100)
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
	h := newHub(8)
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
