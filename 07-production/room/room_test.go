package room

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The room's own bounds, tested without gRPC: the step's tests reach the
// rest through its server.

func TestTheRoomTakesMaxMembers(t *testing.T) {
	r := New("test")
	for i := range MaxMembers {
		if _, err := r.Join(fmt.Sprint("m", i)); err != nil {
			t.Fatalf("join %d of %d: %v", i+1, MaxMembers, err)
		}
	}
	if _, err := r.Join("one-too-many"); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("join %d: %v, want ResourceExhausted", MaxMembers+1, err)
	}
	r.Close()
	if _, err := r.Join("late"); status.Code(err) != codes.Unavailable {
		t.Fatalf("a join after Close: %v, want Unavailable", err)
	}
}

// A member that reads nothing is cut once more than Queue events wait for
// it; the room does not wait for it.
func TestAMemberThatDoesNotReadIsCutAsSlow(t *testing.T) {
	r := New("test")
	idle, err := r.Join("idle")
	if err != nil {
		t.Fatal(err)
	}
	// Each Join and Remove queues one event for idle: Joined, then Left.
	for i := 0; i < Queue; i++ {
		name := fmt.Sprint("passer-by-", i)
		if _, err := r.Join(name); err != nil {
			t.Fatal(err)
		}
		if err := r.Remove(name); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-idle.ended:
	case <-time.After(5 * time.Second):
		t.Fatalf("idle was not cut with more than %d events waiting", Queue)
	}
	if idle.reason != Slow || status.Code(idle.err) != codes.ResourceExhausted {
		t.Fatalf("idle ended %q with %v, want %q and ResourceExhausted", idle.reason, idle.err, Slow)
	}
}
