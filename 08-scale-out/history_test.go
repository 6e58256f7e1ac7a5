package scaleout

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 2: history, and resuming after the last seq a member saw.

func TestTask2_AFirstJoinGetsTheRecentEvents(t *testing.T) {
	room := openRoom(t)
	first := room.start(t, Config{})
	ada := enter(t, first.dial(t), "ada", nil)
	for i := range HistoryLength + 5 {
		ada.say(t, fmt.Sprintf("line %d", i))
	}
	last := fmt.Sprintf("line %d", HistoryLength+4)
	ada.until(t, messageOf(last), "task 1 in server.go: a Say reaches every member, the sender included")

	// A replica started now, and a member who joins it for the first time.
	later := room.start(t, Config{})
	bob := enter(t, later.dial(t), "bob", nil)
	history := bob.seen[:len(bob.seen)-1] // all but his own Joined
	want := ada.seen[len(ada.seen)-HistoryLength:]
	hint := fmt.Sprintf("task 2 in server.go: a first Join is sent the room's last %d events, oldest first, then its own Joined", HistoryLength)
	if len(history) != HistoryLength {
		t.Fatalf("bob joined a room of %d events and received %d before his Joined, want the last %d — %s\nbob received:\n%s",
			ada.lastSeq(), len(history), HistoryLength, hint, render(bob.seen))
	}
	for i := range history {
		if !proto.Equal(history[i], want[i]) {
			t.Fatalf("bob's history holds %s where ada received %s — %s\nbob received:\n%s", describe(history[i]), describe(want[i]), hint, render(bob.seen))
		}
	}
	checkTranscript(t, "bob", bob.seen, hint)
}

func TestTask2_AResumeStartsRightAfterTheLastSeqSeen(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 3, Config{})
	ada := enter(t, reps[0].dial(t), "ada", nil)
	bob := enter(t, reps[1].dial(t), "bob", nil)
	ada.until(t, joinedOf("bob"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	for i := range 3 {
		ada.say(t, fmt.Sprintf("before %d", i))
	}
	bob.until(t, messageOf("before 2"), "task 1 in server.go: a Say reaches every member of every replica")
	seen := bob.lastSeq()
	bob.cancel() // bob's connection is gone; ada talks on
	for i := range 3 {
		ada.say(t, fmt.Sprintf("after %d", i))
	}
	ada.until(t, messageOf("after 2"), "task 1 in server.go: a Say reaches every member, the sender included")

	// bob comes back on another replica, after the last event he saw.
	back := enter(t, reps[2].dial(t), "bob", ptr(seen))
	hint := fmt.Sprintf("task 2 in server.go: a Join with after %d is sent every event from seq %d on, and nothing before", seen, seen+1)
	if got := back.seen[0].GetSeq(); got != seen+1 {
		t.Fatalf("bob joined with after %d and first received %s — %s\nbob received:\n%s", seen, describe(back.seen[0]), hint, render(back.seen))
	}
	checkTranscript(t, "bob", back.seen, hint)
	checkSameEvents(t, "ada", ada.seen, "bob", back.seen, hint)
	if got := messages(back.seen); len(got) < 3 || got[0] != "after 0" || got[2] != "after 2" {
		t.Fatalf("bob came back and received the Messages %q, want \"after 0\" to \"after 2\" — %s", got, hint)
	}
}

func TestTask2_AResumeAfterTheLastEventWaitsForTheNext(t *testing.T) {
	room := openRoom(t)
	rep := room.start(t, Config{})
	ada := enter(t, rep.dial(t), "ada", nil)
	now := ada.lastSeq()
	bob := enter(t, rep.dial(t), "bob", ptr(now))
	if got := bob.seen[0]; got.GetSeq() != now+1 || got.GetJoined().GetName() != "bob" {
		t.Fatalf("bob joined with after %d, the room's last seq, and received %s first, want his own Joined at seq %d — task 2 in server.go", now, describe(got), now+1)
	}
}

func TestTask2_AResumeOutOfRangeIsRefused(t *testing.T) {
	room := openRoom(t)
	const logSize = 8
	rep := room.start(t, Config{LogSize: logSize})
	ada := enter(t, rep.dial(t), "ada", nil)
	for i := range 2 * logSize { // in step, so that ada is never far behind
		ada.say(t, fmt.Sprintf("line %d", i))
		ada.until(t, messageOf(fmt.Sprintf("line %d", i)), "task 1 in server.go: a Say reaches every member, the sender included")
	}
	last := ada.lastSeq()
	cases := []struct {
		name  string
		after uint64
	}{
		{"after a seq the room has not reached", last + 1000},
		{fmt.Sprintf("after a seq more than LogSize (%d) events old", logSize), last - 2*logSize},
	}
	for _, c := range cases {
		p := connect(t, rep.dial(t), "bob")
		p.send(t, joinEvent("bob", ptr(c.after)), "task 2 in server.go: a Join ends the stream only with a status")
		err := p.expectEnd(t, fmt.Sprintf("task 2 in server.go: a Join %s (%d; the last is %d) is refused", c.name, c.after, last))
		grpctest.WantCode(t, "a Join "+c.name, err, codes.OutOfRange, "task 2 in server.go: a resume the replica cannot serve exactly is refused, not served with a gap")
	}
	// A resume within what the replica holds is taken.
	within := last - logSize/2
	bob := enter(t, rep.dial(t), "bob", ptr(within))
	if bob.seen[0].GetSeq() != within+1 {
		t.Fatalf("bob joined with after %d (%d events ago, LogSize %d) and first received %s, want seq %d — task 2 in server.go", within, logSize/2, logSize, describe(bob.seen[0]), within+1)
	}
	checkTranscript(t, "bob", bob.seen, "task 2 in server.go")
}
