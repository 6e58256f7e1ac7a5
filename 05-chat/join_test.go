package chat

import (
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// Task 1: joining and talking. Every test runs the whole server in memory
// and talks to it through gRPC, each participant on a Connect stream of its
// own, as a real client would. A spy (spy_test.go) watches each stream from
// the server's side.

func TestTask1_JoinSendsHistoryThenJoinedToEveryone(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, history := enter(t, r.srv.Dial(t), "ada")
	if len(history) != 0 {
		t.Errorf("the History of a room where nothing was said holds %d messages, want none — task 1 in server.go", len(history))
	}
	enter(t, r.srv.Dial(t), "bob")
	ada.expectJoined(t, "bob")
}

func TestTask1_SayReachesEveryoneIncludingTheSender(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	bob, _ := enter(t, r.srv.Dial(t), "bob")
	ada.expectJoined(t, "bob")

	ada.say(t, "hello")
	for _, p := range []*participant{ada, bob} {
		msg := p.expectMessage(t, "ada", "hello")
		if msg.GetSeq() != 1 {
			t.Errorf("%s got the room's first message with seq %d, want 1 — task 1 in server.go: seq counts the room's messages from 1", p.name, msg.GetSeq())
		}
		if msg.GetSentAt() == nil {
			t.Errorf("%s got a message without sent_at, want the server's time — task 1 in server.go", p.name)
		}
	}
	bob.say(t, "hi ada")
	for _, p := range []*participant{ada, bob} {
		if msg := p.expectMessage(t, "bob", "hi ada"); msg.GetSeq() != 2 {
			t.Errorf("%s got the room's second message with seq %d, want 2 — task 1 in server.go", p.name, msg.GetSeq())
		}
	}
}

// A member whose network is slow holds one Send at a time in progress:
// while it is held, everything else said must wait its turn, never start a
// second Send on the same stream.
func TestTask1_OneSendAtATimePerStream(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	spied := r.spy.stream(t, "ada")
	spied.holdSends()
	bob, _ := enter(t, r.srv.Dial(t), "bob")
	spied.waitHeld(t, "task 1 in server.go: ada is sent Joined \"bob\"")
	const said = 5
	for i := range said {
		bob.say(t, fmt.Sprint(i))
		bob.expectMessage(t, "bob", fmt.Sprint(i))
	}
	ada.say(t, "me too")
	bob.expectMessage(t, "ada", "me too")
	for range said + 2 {
		spied.release()
	}
	ada.expectJoined(t, "bob")
	for i := range said {
		ada.expectMessage(t, "bob", fmt.Sprint(i))
	}
	ada.expectMessage(t, "ada", "me too")
	// The spy reports a second Send started while one was held (startRoom's cleanup).
}

func TestTask1_ThreeMembersConverseInOrder(t *testing.T) {
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
					// the goroutine below, the one receiving, reports it.
					return nil
				}
			}
			return nil
		})
		g.Go(func() error {
			for len(seen[i]) < each*len(ps) {
				ev, err := p.stream.Recv()
				if status.Code(err) == codes.DeadlineExceeded {
					return fmt.Errorf("%s received %d of %d messages, then waited until the test's deadline — task 1 in server.go: every Say reaches every member",
						p.name, len(seen[i]), each*len(ps))
				}
				if err != nil {
					return fmt.Errorf("%s received %d of %d messages, then the stream ended with %s — task 1 in server.go", p.name, len(seen[i]), each*len(ps), endedWith(err))
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
				t.Fatalf("%s's message %d has seq %d, want %d — task 1 in server.go: seq counts every message once, in the order members receive them", names[i], j+1, msg.GetSeq(), j+1)
			}
			if want := fmt.Sprintf("%s %d", msg.GetSender(), next[msg.GetSender()]); msg.GetText() != want {
				t.Fatalf("%s got %q from %s, want %q — task 1 in server.go: each sender's messages arrive in the order sent", names[i], msg.GetText(), msg.GetSender(), want)
			}
			next[msg.GetSender()]++
			if other := seen[0][j]; msg.GetSender() != other.GetSender() || msg.GetText() != other.GetText() {
				t.Fatalf("message #%d is %q from %s for %s but %q from %s for %s — task 1 in server.go: every member sees the room in one order",
					j+1, msg.GetText(), msg.GetSender(), names[i], other.GetText(), other.GetSender(), names[0])
			}
		}
	}
}
