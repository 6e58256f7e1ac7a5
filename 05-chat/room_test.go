package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The room tests check the room as a whole, the way its users see it. They
// need every server task done: tasks 1–3 (the hub and the writer) and task 4
// (the stream handler), and task 6 for the history.

func TestTask4_ThreeMembersConverseInOrder(t *testing.T) {
	r := startRoom(t, testConfig())
	names := []string{"ada", "bob", "cy"}
	var ps []*participant
	for _, name := range names {
		p, _ := enter(t, r.srv.Dial(t), name)
		for _, earlier := range ps {
			earlier.expectJoined(t, name)
		}
		ps = append(ps, p)
	}

	// All three talk at once, each from one goroutine, while another reads
	// everything said.
	const each = 20
	seen := make([][]*chatpb.Message, len(ps))
	var g errgroup.Group
	for i, p := range ps {
		g.Go(func() error {
			for n := range each {
				if p.stream.Send(sayEvent(fmt.Sprintf("%s %d", p.name, n))) != nil {
					// The stream is over. Its status is what Recv returns, and
					// the goroutine below, the one receiving, reports it
					// (grpctest.Send would receive too: two receivers at once).
					return nil
				}
			}
			return nil
		})
		g.Go(func() error {
			for len(seen[i]) < each*len(ps) {
				ev, err := p.stream.Recv()
				if status.Code(err) == codes.DeadlineExceeded {
					return fmt.Errorf("%s received %d of %d messages, then waited until the test's deadline — "+
						"task 1 in hub.go: Say broadcasts to every member; task 4 in server.go: the writer sends them", p.name, len(seen[i]), each*len(ps))
				}
				if err != nil {
					return fmt.Errorf("%s received %d of %d messages, then the stream ended with %s — task 4 in server.go", p.name, len(seen[i]), each*len(ps), endedWith(err))
				}
				if msg := ev.GetMessage(); msg != nil {
					seen[i] = append(seen[i], msg)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	for i, msgs := range seen {
		next := map[string]int{}
		for j, msg := range msgs {
			if msg.GetSeq() != uint64(j+1) {
				t.Fatalf("%s's message %d has seq %d, want %d — task 1 in hub.go: sequence numbers count every message once", names[i], j+1, msg.GetSeq(), j+1)
			}
			if want := fmt.Sprintf("%s %d", msg.GetSender(), next[msg.GetSender()]); msg.GetText() != want {
				t.Fatalf("%s got %q from %s, want %q — task 2 in member.go and task 4 in server.go: each sender's messages arrive in the order sent", names[i], msg.GetText(), msg.GetSender(), want)
			}
			next[msg.GetSender()]++
			if other := seen[0][j]; msg.GetSender() != other.GetSender() || msg.GetText() != other.GetText() {
				t.Fatalf("message #%d is %q from %s for %s but %q from %s for %s — task 1 in hub.go: broadcast under h.mu, so that everyone sees one order",
					j+1, msg.GetText(), msg.GetSender(), names[i], other.GetText(), other.GetSender(), names[0])
			}
		}
	}
}

func TestTask6_HistoryIsReplayedOnJoin(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	for _, text := range []string{"one", "two", "three"} {
		ada.say(t, text)
		ada.expectMessage(t, "ada", text)
	}
	_, history := enter(t, r.srv.Dial(t), "bob")
	var got []string
	for _, msg := range history {
		got = append(got, fmt.Sprintf("#%d %s: %s", msg.GetSeq(), msg.GetSender(), msg.GetText()))
	}
	if want := "#1 ada: one|#2 ada: two|#3 ada: three"; strings.Join(got, "|") != want {
		t.Errorf("bob's History is %q, want %q — task 6 in hub.go: remember each message in Say; Join queues them as the History", strings.Join(got, "|"), want)
	}
}

// A member who stops reading fills the flow-control windows of gRPC, and
// then falls behind the room log; once it falls off the log it is cut, and
// nobody else waits for it.
func TestTask4_StalledReaderIsDisconnected(t *testing.T) {
	const size = 16
	r := startRoom(t, logOf(size))
	slow, _ := enter(t, r.srv.Dial(t), "stalled") // from here on, never reads
	talker, _ := enter(t, r.srv.Dial(t), "talker")
	listener, _ := enter(t, r.srv.Dial(t), "listener")
	talker.expectJoined(t, "listener")

	// talker says one message after another, each only once talker and
	// listener have both received the one before: they keep up, stalled
	// does not. Every message must reach them while stalled's windows and
	// stalled falls behind the log, until it is cut and they hear that it
	// left.
	const keepUp = "tasks 2 and 3: each writer follows the log on its own (task 2 in member.go), and only the member who fell off the log is cut (task 3 in hub.go); " +
		"the others receive every message"
	text := strings.Repeat("x", maxTextLen)
	const most = 20000 // far more than any window and the log hold
	var sent uint64
	for left := false; !left; {
		if sent == most {
			t.Fatalf("after %d messages stalled was still in the room — task 3 in hub.go: cut a member who fell off the log", most)
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

	// stalled still reads nothing: its writer is stuck in a Send that only
	// stalled could finish, so only the handler can end the stream.
	grpctest.WantCode(t, "stalled's Connect handler",
		r.spy.stream(t, "stalled").waitReturn(t, "task 4 in server.go: the hub ended stalled's membership, but its writer is stuck in a Send "+
			"that only the client could finish: return m.Err() when <-m.Done() is ready"),
		codes.ResourceExhausted, "task 3 in hub.go: end the membership of a member who fell off the log with codes.ResourceExhausted; task 4 in server.go: return m.Err() at <-m.Done()")

	// stalled reads at last: what was on its way, then the status.
	grpctest.WantCode(t, "the stalled member's stream", slow.expectEnd(t, "task 4 in server.go: return m.Err() when <-m.Done() is ready"),
		codes.ResourceExhausted, "task 3 in hub.go and task 4 in server.go: a member who fell off the log ends with codes.ResourceExhausted")
}

// The same, with stalled's network under the spy's control: it holds every
// Send to stalled, as full flow-control windows would, and never lets one
// through. So stalled's writer is stuck in a Send for sure when the hub
// disconnects stalled, and only the handler returning can end it.
func TestTask4_ADisconnectedMemberWithAStuckSendLeaves(t *testing.T) {
	const size = 4
	r := startRoom(t, logOf(size))
	stalled, _ := enter(t, r.srv.Dial(t), "stalled")
	spied := r.spy.stream(t, "stalled")
	spied.holdSends()
	talker, _ := enter(t, r.srv.Dial(t), "talker") // stalled's writer is stuck in the Send of Joined "talker"

	const keepUp = "task 3 in hub.go: only the member who fell off the log is cut; the others receive every message"
	for sent, left := uint64(1), false; !left; sent++ {
		if sent > size+2 {
			t.Fatalf("after %d messages stalled was still in the room, with a log of %d — task 3 in hub.go: cut a member who fell off the log", sent-1, size)
		}
		talker.say(t, "hello")
		ev := talker.next(t, keepUp)
		if ev.GetLeft().GetName() == "stalled" {
			left = true
			ev = talker.next(t, keepUp)
		}
		if got := ev.GetMessage().GetSeq(); got != sent {
			t.Fatalf("talker got %s, want message #%d — %s", describe(ev), sent, keepUp)
		}
	}

	grpctest.WantCode(t, "stalled's Connect handler",
		spied.waitReturn(t, "task 4 in server.go: the hub ended stalled's membership while its writer was stuck in a Send "+
			"that only the client could finish: return m.Err() when <-m.Done() is ready"),
		codes.ResourceExhausted, "task 3 in hub.go: end the membership of a member who fell off the log with codes.ResourceExhausted; task 4 in server.go: return m.Err() at <-m.Done()")
	grpctest.WantCode(t, "stalled's stream", stalled.expectEnd(t, "task 4 in server.go: return m.Err() when <-m.Done() is ready"),
		codes.ResourceExhausted, "task 4 in server.go: return m.Err() at <-m.Done()")
}

func TestTask4_GracefulStopEndsEveryStream(t *testing.T) {
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
		t.Fatalf("GracefulStop still waited %v after Close: a Connect handler did not return — task 4 in server.go: return m.Err() when <-m.Done() is ready", waitLimit)
	}
	for _, p := range []*participant{ada, bob} {
		grpctest.WantCode(t, p.name+"'s stream after Close", p.expectEnd(t, "task 4 in server.go: return m.Err() when <-m.Done() is ready"), codes.Unavailable,
			"task 4 in server.go: Close ends every membership with codes.Unavailable; return m.Err() when <-m.Done() is ready")
	}
}

// Every refusal ends the stream with its code (the table in README.md). Each
// case opens a stream, sends events, and reads until the stream ends.
func TestTask4_BadInput(t *testing.T) {
	const (
		badName  = "task 1 in hub.go: Join refuses it (validateName) with codes.InvalidArgument; task 4 in server.go: return the hub's error unchanged"
		badText  = "task 1 in hub.go: Say refuses it (validateText) with codes.InvalidArgument; task 4 in server.go: return the hub's error unchanged: a refused Say ends the stream"
		badOrder = "task 4 in server.go: a Join first, then only Says: anything else is refused with codes.FailedPrecondition"
	)
	for _, tc := range []struct {
		what   string
		joined bool // join as "ada" first
		send   []*chatpb.ClientEvent
		want   codes.Code
		hint   string
	}{
		{"an empty name", false, []*chatpb.ClientEvent{joinEvent("")}, codes.InvalidArgument, badName},
		{"a name of only whitespace", false, []*chatpb.ClientEvent{joinEvent(" ")}, codes.InvalidArgument, badName},
		{"a name over 32 characters", false, []*chatpb.ClientEvent{joinEvent(strings.Repeat("a", 33))}, codes.InvalidArgument, badName},
		{"a name with control characters", false, []*chatpb.ClientEvent{joinEvent("a\x07b")}, codes.InvalidArgument, badName},
		{"a name already in the room", false, []*chatpb.ClientEvent{joinEvent("bob")}, codes.AlreadyExists,
			"task 1 in hub.go: Join refuses a taken name with codes.AlreadyExists; task 4 in server.go: return the hub's error unchanged"},
		{"a name that looks like one in the room", false, []*chatpb.ClientEvent{joinEvent("BOB")}, codes.AlreadyExists,
			"task 8 in names.go: names are compared by their precis.Nickname.CompareKey; task 4 in server.go: return the hub's error unchanged"},
		{"a name with an invisible character", false, []*chatpb.ClientEvent{joinEvent("b\u200Bob")}, codes.InvalidArgument,
			"task 8 in names.go: precis.Nickname refuses invisible and format characters; task 4 in server.go: return the hub's error unchanged"},
		{"a say before the join", false, []*chatpb.ClientEvent{sayEvent("hi")}, codes.FailedPrecondition, badOrder},
		{"an event with nothing set", false, []*chatpb.ClientEvent{{}}, codes.FailedPrecondition, badOrder},
		{"a second join", true, []*chatpb.ClientEvent{joinEvent("ada")}, codes.FailedPrecondition, badOrder},
		{"an empty text", true, []*chatpb.ClientEvent{sayEvent("")}, codes.InvalidArgument, badText},
		{"a text of only whitespace", true, []*chatpb.ClientEvent{sayEvent(" \t")}, codes.InvalidArgument, badText},
		{"a text over 1000 characters", true, []*chatpb.ClientEvent{sayEvent(strings.Repeat("a", 1001))}, codes.InvalidArgument, badText},
		{"a say after a refused say", true, []*chatpb.ClientEvent{sayEvent(""), sayEvent("is anyone there?")}, codes.InvalidArgument, badText},
	} {
		t.Run(tc.what, func(t *testing.T) {
			r := startRoom(t, testConfig())
			enter(t, r.srv.Dial(t), "bob")
			var p *participant
			if tc.joined {
				p, _ = enter(t, r.srv.Dial(t), "ada")
			} else {
				p = connect(t, r.srv.Dial(t), "ada")
			}
			var err error
			for _, ev := range tc.send {
				if err = grpctest.Send(p.stream, ev); err != nil {
					break // the server ended the stream already: err is its status
				}
			}
			if err == nil {
				err = p.expectEnd(t, "a bad event ends the stream — "+tc.hint)
			}
			grpctest.WantCode(t, tc.what, err, tc.want, tc.hint)
		})
	}
	// A client who fell off the room log ends with ResourceExhausted: see
	// TestTask4_StalledReaderIsDisconnected.
}
