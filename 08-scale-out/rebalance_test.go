package scaleout

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// Task 5: a replica closes old connections, so that long-lived streams move
// to the other replicas (a new one included) instead of staying pinned.

// age is how long the tests' connections live: seconds or minutes in a real
// room, a fraction of a second here.
const age = 300 * time.Millisecond

func TestTask5_OldConnectionsCloseAndStreamsResume(t *testing.T) {
	room := openRoom(t)
	// One replica to start with: every stream lands on it.
	params, err := Rebalance(age)
	if err != nil {
		t.Fatalf("Rebalance(%v): %v — task 5 in rebalance.go", age, err)
	}
	room.startWith(t, replicaOptions{grpc: []grpc.ServerOption{grpc.KeepaliveParams(params)}})
	conn, err := Dial(addrs(room.replicas), insecureCreds)
	if err != nil {
		t.Fatalf("Dial: %v — task 3 in client.go", err)
	}
	defer conn.Close()
	ada := startChat(t, conn, "ada")
	ada.shown.waitFor(t, "ada", "her own Joined", hasJoined("ada"), "task 4 in client.go: Chat joins the room")
	ada.say(t, "still here?", "task 4 in client.go: Chat says each text of says")

	hint := "task 5 in rebalance.go: after about MaxConnectionAge (and its grace), a replica closes the connection, and the stream resumes on a new one"
	ada.shown.waitFor(t, "ada", "a second Joined of her own: her first connection closed by the replica, her stream resumed on another", func(evs []*roompb.ServerEvent) bool {
		return countJoined(evs, "ada") >= 2
	}, hint)
	ada.say(t, "moved", "task 4 in client.go: Chat says each text of says")
	ada.shown.waitFor(t, "ada", `her "moved"`, func(evs []*roompb.ServerEvent) bool { return slices.Contains(messages(evs), "moved") }, hint)
	if err := ada.leave(t, "task 4 in client.go"); err != nil {
		t.Fatalf("ada closed says and Chat returned %v, want nil — task 4 in client.go", err)
	}
	checkTranscript(t, "ada", ada.shown.all(), hint)

}

func TestTask5_RebalanceKeepsThePings(t *testing.T) {
	p, err := Rebalance(time.Minute)
	if err != nil {
		t.Fatalf("Rebalance(1m): %v — task 5 in rebalance.go", err)
	}
	if p.MaxConnectionAge != time.Minute {
		t.Fatalf("Rebalance(1m).MaxConnectionAge is %v, want 1m — task 5 in rebalance.go", p.MaxConnectionAge)
	}
	if p.Time != serve.KeepaliveTime || p.Timeout != serve.KeepaliveTimeout {
		t.Fatalf("Rebalance(1m) pings after %v and waits %v for the answer, want %v and %v as every workshop server (internal/serve) — task 5 in rebalance.go: a replica still notices a client that vanished",
			p.Time, p.Timeout, serve.KeepaliveTime, serve.KeepaliveTimeout)
	}
}

func TestTask5_RebalanceRefusesAnAgeOfZero(t *testing.T) {
	if _, err := Rebalance(time.Minute); err != nil {
		t.Fatalf("Rebalance(1m): %v — task 5 in rebalance.go", err)
	}
	for _, age := range []time.Duration{0, -time.Second} {
		_, err := Rebalance(age)
		grpctest.WantCode(t, fmt.Sprintf("Rebalance(%v)", age), err, codes.InvalidArgument, "task 5 in rebalance.go: keepalive reads an age of 0 as forever")
	}
}

// countJoined is how many times name's Joined is among evs.
func countJoined(evs []*roompb.ServerEvent, name string) int {
	n := 0
	for _, ev := range evs {
		if ev.GetJoined().GetName() == name {
			n++
		}
	}
	return n
}
