package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The room tests need every server task done: they check the room as a
// whole, the way its users would see it.

func TestRoom_ThreeMembersConverseInOrder(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	names := []string{"ada", "bob", "cy"}
	var ps []*participant
	for _, name := range names {
		p, _ := enter(t, srv.Dial(t), name)
		for _, earlier := range ps {
			earlier.expectJoined(t, name)
		}
		ps = append(ps, p)
	}

	// All three talk at once; each reads everything said.
	const each = 20
	seen := make([][]*chatpb.Message, len(ps))
	var g errgroup.Group
	for i, p := range ps {
		g.Go(func() error {
			for n := range each {
				if err := p.stream.Send(sayEvent(fmt.Sprintf("%s %d", p.name, n))); err != nil {
					return fmt.Errorf("%s: Send: %w", p.name, err)
				}
			}
			return nil
		})
		g.Go(func() error {
			for len(seen[i]) < each*len(ps) {
				ev, err := p.stream.Recv()
				if err != nil {
					return fmt.Errorf("%s received %d of %d messages, then %w%s", p.name, len(seen[i]), each*len(ps), err, stalled(err))
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
				t.Fatalf("%s's message %d has seq %d, want %d: sequence numbers count every message once", names[i], j+1, msg.GetSeq(), j+1)
			}
			if want := fmt.Sprintf("%s %d", msg.GetSender(), next[msg.GetSender()]); msg.GetText() != want {
				t.Fatalf("%s got %q from %s, want %q: each sender's messages arrive in the order sent", names[i], msg.GetText(), msg.GetSender(), want)
			}
			next[msg.GetSender()]++
			if other := seen[0][j]; msg.GetSender() != other.GetSender() || msg.GetText() != other.GetText() {
				t.Fatalf("message #%d is %q from %s for %s but %q from %s for %s: everyone sees one order",
					j+1, msg.GetText(), msg.GetSender(), names[i], other.GetText(), other.GetSender(), names[0])
			}
		}
	}
}

func TestRoom_HistoryIsReplayedOnJoin(t *testing.T) {
	srv, _ := startRoom(t, DefaultOutboxSize)
	ada, _ := enter(t, srv.Dial(t), "ada")
	for _, text := range []string{"one", "two", "three"} {
		ada.say(t, text)
		ada.expectMessage(t, "ada", text)
	}
	_, history := enter(t, srv.Dial(t), "bob")
	var got []string
	for _, msg := range history {
		got = append(got, fmt.Sprintf("#%d %s: %s", msg.GetSeq(), msg.GetSender(), msg.GetText()))
	}
	if want := "#1 ada: one|#2 ada: two|#3 ada: three"; strings.Join(got, "|") != want {
		t.Errorf("bob's History is %q, want %q — task 6 in hub.go", strings.Join(got, "|"), want)
	}
}

// A member who stops reading fills the flow-control windows of gRPC and then
// its outbox; from then on it is disconnected, and nobody else waits for it.
func TestRoom_StalledReaderIsDisconnected(t *testing.T) {
	const outbox = 16
	srv, _ := startRoom(t, outbox)
	slow, _ := enter(t, srv.Dial(t), "stalled") // from here on, never reads
	talker, _ := enter(t, srv.Dial(t), "talker")
	listener, _ := enter(t, srv.Dial(t), "listener")
	talker.expectJoined(t, "listener")

	// talker says one message after another, each only once talker and
	// listener have both received the one before: they keep up, stalled
	// does not. Every message must reach them (within the test's deadline)
	// while stalled's windows and outbox fill up, until stalled is
	// disconnected and they hear that it left.
	text := strings.Repeat("x", maxTextLen)
	const most = 20000 // far more than any window and outbox hold
	var sent uint64
	for left := false; !left; {
		if sent == most {
			t.Fatalf("after %d messages stalled was still in the room — task 3 in hub.go: disconnect a member whose outbox is full", most)
		}
		talker.say(t, text)
		sent++
		for _, p := range []*participant{talker, listener} {
			ev := p.next(t, "only the stalled member may be disconnected; the others must receive every message")
			if ev.GetLeft().GetName() == "stalled" {
				left = true
				ev = p.next(t, "only the stalled member may be disconnected; the others must receive every message")
			}
			if got := ev.GetMessage().GetSeq(); got != sent {
				t.Fatalf("%s got %s, want message #%d: a healthy member may not lose a message", p.name, describe(ev), sent)
			}
		}
	}
	t.Logf("stalled was disconnected after %d messages of %d characters", sent, len(text))

	// stalled reads at last: what was on its way, then the status.
	grpctest.WantCode(t, "the stalled member's stream", slow.expectEnd(t, "task 4 in server.go: return m.Err() when <-m.Done() is ready"),
		codes.ResourceExhausted, "task 3 in hub.go and task 4 in server.go: a member too slow for its outbox ends with codes.ResourceExhausted")
}

func TestRoom_GracefulStopEndsEveryStream(t *testing.T) {
	srv, room := startRoom(t, DefaultOutboxSize)
	ada, _ := enter(t, srv.Dial(t), "ada")
	bob, _ := enter(t, srv.Dial(t), "bob")
	ada.expectJoined(t, "bob")

	stopped := make(chan struct{})
	go func() {
		srv.GRPC.GracefulStop() // waits for every handler to return
		close(stopped)
	}()
	room.Close() // what cmd/server does as shutdown begins
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		srv.GRPC.Stop()
		t.Fatalf("GracefulStop still waited after Close: a Connect handler did not return — task 4 in server.go: return m.Err() when <-m.Done() is ready")
	}
	for _, p := range []*participant{ada, bob} {
		grpctest.WantCode(t, p.name+"'s stream after Close", p.expectEnd(t, "Close ends every stream"), codes.Unavailable,
			"the server is going away: the hub ends every membership with codes.Unavailable")
	}
}

func TestBadInput(t *testing.T) {
	// Every refusal ends the stream with its code. Each case opens a stream,
	// sends events, and reads until the stream ends.
	for _, tc := range []struct {
		what   string
		joined bool // join as "ada" first
		send   []*chatpb.ClientEvent
		want   codes.Code
	}{
		{"an empty name", false, []*chatpb.ClientEvent{joinEvent("")}, codes.InvalidArgument},
		{"a name of only whitespace", false, []*chatpb.ClientEvent{joinEvent(" ")}, codes.InvalidArgument},
		{"a name over 32 characters", false, []*chatpb.ClientEvent{joinEvent(strings.Repeat("a", 33))}, codes.InvalidArgument},
		{"a name with control characters", false, []*chatpb.ClientEvent{joinEvent("a\x07b")}, codes.InvalidArgument},
		{"a name already in the room", false, []*chatpb.ClientEvent{joinEvent("bob")}, codes.AlreadyExists},
		{"a say before the join", false, []*chatpb.ClientEvent{sayEvent("hi")}, codes.FailedPrecondition},
		{"an event with nothing set", false, []*chatpb.ClientEvent{{}}, codes.FailedPrecondition},
		{"a second join", true, []*chatpb.ClientEvent{joinEvent("ada")}, codes.FailedPrecondition},
		{"an empty text", true, []*chatpb.ClientEvent{sayEvent("")}, codes.InvalidArgument},
		{"a text of only whitespace", true, []*chatpb.ClientEvent{sayEvent(" \t")}, codes.InvalidArgument},
		{"a text over 1000 characters", true, []*chatpb.ClientEvent{sayEvent(strings.Repeat("a", 1001))}, codes.InvalidArgument},
		{"a say after a refused say", true, []*chatpb.ClientEvent{sayEvent(""), sayEvent("is anyone there?")}, codes.InvalidArgument},
	} {
		t.Run(tc.what, func(t *testing.T) {
			srv, _ := startRoom(t, DefaultOutboxSize)
			enter(t, srv.Dial(t), "bob")
			var p *participant
			if tc.joined {
				p, _ = enter(t, srv.Dial(t), "ada")
			} else {
				p = connect(t, srv.Dial(t), "ada", 5*time.Second)
			}
			for _, ev := range tc.send {
				p.send(t, ev)
			}
			err := p.expectEnd(t, "a bad event ends the stream")
			grpctest.WantCode(t, tc.what, err, tc.want, "see the bad-input table in 05-chat/README.md")
		})
	}
	// A client whose outbox overflowed ends with ResourceExhausted: see
	// TestRoom_StalledReaderIsDisconnected.
}
