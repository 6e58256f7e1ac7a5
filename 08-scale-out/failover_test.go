package scaleout

import (
	"fmt"
	"slices"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// Task 4: when a replica stops, gracefully or not, its members carry on on
// the others, and no member misses an event or sees one twice.

func TestTask4_FailoverKeepsEveryTranscript(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 3, Config{})
	conn, err := Dial(addrs(reps), insecureCreds)
	if err != nil {
		t.Fatalf("Dial: %v — task 3 in client.go", err)
	}
	defer conn.Close()
	names := []string{"ada", "bob", "cy", "dee", "eve", "fay"}
	var members []*chatting
	for _, name := range names {
		m := startChat(t, conn, name)
		m.shown.waitFor(t, name, "their own Joined", hasJoined(name), "task 4 in client.go: Chat joins the room")
		members = append(members, m)
	}

	// talk has every member say one line, and waits until every member
	// was shown every line.
	talk := func(round string) {
		t.Helper()
		for _, m := range members {
			m.say(t, round+" from "+m.name, "task 4 in client.go: Chat says each text of says")
		}
		for _, m := range members {
			m.shown.waitFor(t, m.name, fmt.Sprintf("the %q lines of all %d members", round, len(members)), hasLines(round, names),
				"task 4 in client.go: a member whose replica stopped resumes on another, and misses nothing")
		}
	}
	talk("first")

	// The replica with the most members stops gracefully: Close, then
	// GracefulStop. Then the busiest of the others is killed: its
	// connections drop, it publishes nothing more.
	busiest := func(candidates []*replica) *replica {
		return slices.MaxFunc(candidates, func(a, b *replica) int { return a.spy.streams() - b.spy.streams() })
	}
	stopped := busiest(reps)
	if stopped.spy.streams() == 0 {
		t.Fatalf("no replica holds a member's stream — task 3 in client.go")
	}
	stopped.stop(t)
	rest := slices.DeleteFunc(slices.Clone(reps), func(r *replica) bool { return r == stopped })
	// A Say handed to Chat while its stream is dying may be lost (README):
	// the members speak again once every one of them has a stream.
	moved := "task 4 in client.go: a stream that ends with Unavailable is followed by another, on a replica still running"
	room.waitForStreams(t, rest, len(members), moved)
	talk("second")
	killed := busiest(rest)
	killed.kill()
	rest = slices.DeleteFunc(rest, func(r *replica) bool { return r == killed })
	room.waitForStreams(t, rest, len(members), moved)
	talk("third")

	for _, m := range members {
		if err := m.leave(t, "task 4 in client.go: once says is closed, Chat half-closes and returns at the end of the stream"); err != nil {
			t.Fatalf("%s closed says and Chat returned %v, want nil — task 4 in client.go", m.name, err)
		}
	}
	hint := "task 4 in client.go and task 2 in server.go: a member that moves resumes right after the last event it was shown"
	for i, m := range members {
		checkTranscript(t, m.name, m.shown.all(), hint)
		if i > 0 {
			checkSameEvents(t, names[0], members[0].shown.all(), m.name, m.shown.all(), hint)
		}
	}
}

// hasJoined is whether name's own Joined was shown.
func hasJoined(name string) func([]*roompb.ServerEvent) bool {
	return func(evs []*roompb.ServerEvent) bool {
		return slices.ContainsFunc(evs, func(ev *roompb.ServerEvent) bool { return ev.GetJoined().GetName() == name })
	}
}

// hasLines is whether the line of round from each of names was shown.
func hasLines(round string, names []string) func([]*roompb.ServerEvent) bool {
	return func(evs []*roompb.ServerEvent) bool {
		got := messages(evs)
		for _, name := range names {
			if !slices.Contains(got, round+" from "+name) {
				return false
			}
		}
		return true
	}
}
