package chat

import (
	"fmt"
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
	for _, tc := range []struct{ what, text string }{
		{"an empty text", ""},
		{"a text of only whitespace", " \n\t"},
		{"a text of 1001 characters", strings.Repeat("a", 1001)},
	} {
		t.Run(tc.what, func(t *testing.T) {
			h := newHub(8)
			ada := joinHub(t, h, "ada")
			grpctest.WantCode(t, "Say(ada, "+short(tc.text)+")", h.Say(ada, tc.text), codes.InvalidArgument,
				"task 1 in hub.go: refuse "+tc.what+" with codes.InvalidArgument")
		})
	}
	t.Run("a text of 1000 two-byte characters is fine", func(t *testing.T) {
		h := newHub(8)
		if err := h.Say(joinHub(t, h, "ada"), strings.Repeat("é", 1000)); err != nil {
			t.Errorf("Say(<1000 characters>) failed: %v — task 1 in hub.go: count characters; 1000 are allowed", err)
		}
	})
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
	case <-slow.Done():
	case <-time.After(waitLimit):
		t.Fatalf("slow is still a member although its outbox overflowed — task 3 in hub.go: when deliver reports false, remove that member")
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
		t.Fatalf("after 60 messages, bob's History holds %d messages, want the last %d — task 6 in hub.go: remember each message in Say, keep only the last historySize",
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
