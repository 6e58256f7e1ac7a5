package scaleout

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/broker"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 1: the replicas share one room through the broker.

func TestTask1_ASayReachesEveryReplica(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 3, Config{})
	ada := enter(t, reps[0].dial(t), "ada", nil)
	bob := enter(t, reps[1].dial(t), "bob", nil)
	cy := enter(t, reps[2].dial(t), "cy", nil)
	ada.until(t, joinedOf("cy"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	bob.until(t, joinedOf("cy"), "task 1 in server.go: a Join on one replica reaches the members of every replica")

	for i, speaker := range []*participant{ada, bob, cy} {
		text := fmt.Sprintf("hello from %s on replica %d", speaker.name, i)
		speaker.say(t, text)
		for _, p := range []*participant{ada, bob, cy} {
			ev := p.next(t, "task 1 in server.go: a Say on any replica reaches every member of every replica, the sender included")
			if ev.GetMessage().GetText() != text || ev.GetMessage().GetSender() != speaker.name {
				t.Fatalf("%s received %s, want the Message from %q: %q — task 1 in server.go: a Say reaches every member of every replica",
					p.name, describe(ev), speaker.name, text)
			}
		}
	}
	hint := "task 1 in server.go: an event's seq is its sequence number in the room's stream, the same everywhere"
	for _, p := range []*participant{ada, bob, cy} {
		checkTranscript(t, p.name, p.seen[len(p.seen)-3:], hint)
	}
	checkSameEvents(t, "ada", ada.seen, "bob", bob.seen, hint)
	checkSameEvents(t, "ada", ada.seen, "cy", cy.seen, hint)
}

func TestTask1_TheSeqIsTheBrokersSequence(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 2, Config{})
	ada := enter(t, reps[0].dial(t), "ada", nil)
	bob := enter(t, reps[1].dial(t), "bob", nil)
	ada.until(t, joinedOf("bob"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	bob.say(t, "what seq am I?")
	got := ada.until(t, messageOf("what seq am I?"), "task 1 in server.go: a Say on any replica reaches every member of every replica")

	stream, err := room.js.Stream(grpctest.Context(t, streamLimit), broker.Stream)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := stream.GetMsg(grpctest.Context(t, streamLimit), got.GetSeq())
	if err != nil {
		t.Fatalf("the broker has no message %d (%v), yet ada received %s — task 1 in server.go: an event's seq is the sequence number of its message in the room's stream",
			got.GetSeq(), err, describe(got))
	}
	want := &roompb.ServerEvent{}
	if err := proto.Unmarshal(stored.Data, want); err != nil {
		t.Fatalf("message %d of the room's stream is not a ServerEvent (%v) — task 1 in server.go: publish what broker.Encode returns", got.GetSeq(), err)
	}
	want.Seq = stored.Sequence
	if !proto.Equal(got, want) {
		t.Fatalf("ada received %s, and the stream's message %d is %s — task 1 in server.go: an event's seq is the sequence number of its message in the room's stream",
			describe(got), stored.Sequence, describe(want))
	}
}

func TestTask1_SaysFromEveryReplicaAtOnceGetOneOrder(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 3, Config{})
	names := []string{"ada", "bob", "cy"}
	var members []*participant
	for i, name := range names {
		members = append(members, enter(t, reps[i].dial(t), name, nil))
	}
	for _, p := range members[:2] {
		p.until(t, joinedOf("cy"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	}
	const each = 10
	// Each member says its lines while the others say theirs: the
	// replicas publish at the same time. Each Send is on the member's own
	// goroutine: one sender per stream.
	var wg sync.WaitGroup
	errs := make(chan error, len(members))
	for _, p := range members {
		wg.Go(func() {
			for i := range each {
				if err := grpctest.Send(p.stream, sayEvent(fmt.Sprintf("%s %d", p.name, i))); err != nil {
					errs <- fmt.Errorf("%s could not say line %d: %v", p.name, i, endedWith(err))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("%v — task 1 in server.go: a valid Say must not end the stream", err)
	}
	var received [][]*roompb.ServerEvent
	for _, p := range members {
		var got []*roompb.ServerEvent
		for len(got) < len(members)*each {
			got = append(got, p.next(t, fmt.Sprintf("task 1 in server.go: every member receives all %d Says", len(members)*each)))
		}
		received = append(received, got)
	}
	hint := "task 1 in server.go: every member of every replica receives the stream's events in the stream's order"
	for i, p := range members {
		checkTranscript(t, p.name, received[i], hint)
		if i > 0 && !slices.EqualFunc(received[0], received[i], func(a, b *roompb.ServerEvent) bool { return proto.Equal(a, b) }) {
			t.Fatalf("ada and %s received different transcripts — %s\nada:\n%s%s:\n%s", p.name, hint, render(received[0]), p.name, render(received[i]))
		}
	}
	for _, name := range names {
		var theirs []string
		for _, text := range messages(received[0]) {
			if len(text) > len(name) && text[:len(name)+1] == name+" " {
				theirs = append(theirs, text)
			}
		}
		for i := range each {
			if i >= len(theirs) || theirs[i] != fmt.Sprintf("%s %d", name, i) {
				t.Fatalf("%s's Says arrived as %q, want %d of them in the order said — task 1 in server.go", name, theirs, each)
			}
		}
	}
}

func TestTask1_LeavingIsAnnouncedEverywhere(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 2, Config{})
	ada := enter(t, reps[0].dial(t), "ada", nil)
	// bob's connection keeps gRPC's first window of 64 KiB (a fixed window
	// does not grow), and he reads nothing until his replica has read his
	// CloseSend. Before a Send to him blocks, his replica's transport takes
	// about 130 KiB (his window, and gRPC's 64 KiB write quota): what ada
	// says first, far more, is still on its way to him when he leaves.
	bob := enter(t, reps[1].grpc.Dial(t, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10)), "bob", nil)
	ada.until(t, joinedOf("bob"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	const backlog = 600 // Says of 1000 characters: about 600 KiB, far more than bob's window
	var last string
	for i := range backlog {
		last = fmt.Sprintf("%03d", i) + strings.Repeat(".", MaxTextLength-3)
		ada.say(t, last)
	}
	ada.until(t, messageOf(last), "task 1 in server.go: a Say on any replica reaches every member")
	bob.say(t, "bye")
	if err := bob.stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	wait := patience(streamLimit)
	select {
	case <-reps[1].spy.readCloseSend("bob"):
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("bob's replica did not read his CloseSend within %v — task 1 in server.go: a member leaves with CloseSend", wait)
	}
	// bob receives what was on its way, his own "bye", and then the end.
	if err := bob.expectEnd(t, "task 1 in server.go: after CloseSend the stream ends with OK"); err != nil {
		t.Fatalf("bob left with CloseSend and his stream ended with %v, want OK — task 1 in server.go", err)
	}
	if got := messages(bob.seen); len(got) != backlog+1 || got[backlog] != "bye" {
		t.Fatalf("ada said %d messages, then bob said \"bye\" and left; bob received %d messages, the last %.20q, want all of ada's and his \"bye\" — task 1 in server.go: what was on its way reaches a member who leaves",
			backlog, len(got), lastOf(got))
	}
	ada.until(t, messageOf("bye"), "task 1 in server.go: a Say on any replica reaches every member")
	ev := ada.next(t, "task 1 in server.go: when a member's stream ends, every member of every replica sees Left")
	if ev.GetLeft().GetName() != "bob" {
		t.Fatalf("after bob's \"bye\" and his CloseSend, ada received %s, want Left \"bob\" — task 1 in server.go", describe(ev))
	}
	// A cancelled stream is a leave too.
	cy := enter(t, reps[1].dial(t), "cy", nil)
	ada.until(t, joinedOf("cy"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	cy.cancel()
	ev = ada.next(t, "task 1 in server.go: a member whose stream is cancelled leaves, and everyone sees Left")
	if ev.GetLeft().GetName() != "cy" {
		t.Fatalf("after cy cancelled her stream, ada received %s, want Left \"cy\" — task 1 in server.go", describe(ev))
	}
}

func TestTask1_CloseEndsEveryStreamWithUnavailable(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 1, Config{})
	ada := enter(t, reps[0].dial(t), "ada", nil)
	done := make(chan struct{})
	go func() { reps[0].closeServer(); close(done) }()
	err := ada.expectEnd(t, "task 1 in server.go: Close ends every member's stream")
	grpctest.WantCode(t, "ada's stream at Close", err, codes.Unavailable, "task 1 in server.go: Close ends every stream with Unavailable, so that its clients resume elsewhere")
	wait := patience(streamLimit)
	select {
	case <-done:
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("Close did not return within %v — task 1 in server.go", wait)
	}
}

// lastOf returns the last of texts, or "" if there is none.
func lastOf(texts []string) string {
	if len(texts) == 0 {
		return ""
	}
	return texts[len(texts)-1]
}
