package production_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 3: metadata on a stream. The headers say where you are and who the
// server thinks you are; the trailer says why the stream ended.

const task3 = "task 3 in server.go"

func TestTask3_HeadersNameTheRoomAndTheMember(t *testing.T) {
	w := startWorld(t, production.Config{Room: "kitchen"})
	ada := w.connect(t, "ada", "") // a Join without a name: the header says which
	md, err := ada.stream.Header()
	if err != nil {
		t.Fatalf("ada's Header(): %v — %s", describe(err), task3)
	}
	for key, want := range map[string]string{production.HeaderRoom: "kitchen", production.HeaderMember: "ada"} {
		if got := md.Get(key); len(got) != 1 || got[0] != want {
			t.Errorf("header %q is %q, want [%q] — %s: set the headers before the stream's first message (after it they cannot change)",
				key, got, want, task3)
		}
	}
	ada.expectJoined("ada", task3)
}

func TestTask3_TheTrailerSaysWhyTheStreamEnded(t *testing.T) {
	w := startWorld(t, production.Config{})
	const hint = task3 + ": every way out of Connect sets the trailer"
	want := func(m *member, what string, err error, code codes.Code, reason string) {
		t.Helper()
		grpctest.WantCode(t, what, err, code, hint)
		if got := m.endReason(); got != reason {
			t.Errorf("%s: trailer %s is %q, want %q — %s", what, production.TrailerEndReason, got, reason, hint)
		}
	}

	ada := w.join(t, "ada", hint)
	if err := ada.stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	want(ada, "ada's stream after CloseSend", ada.end(), codes.OK, "left")

	grace := w.join(t, "grace", hint)
	root := w.client(t, w.token("root", token.Admin))
	if _, err := root.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "grace"}); err != nil {
		t.Fatalf("Remove(grace) by root: %v — task 2 in server.go", describe(err))
	}
	want(grace, "grace's stream after root removed her", grace.end(), codes.PermissionDenied, "removed")

	impostor := w.connect(t, "bob", "ada")
	want(impostor, "bob's stream joining as ada", impostor.end(), codes.PermissionDenied, "refused")

	mute := w.join(t, "mute", hint)
	if err := mute.say(""); err != nil {
		t.Fatal(err)
	}
	want(mute, "mute's stream after an empty Say", mute.end(), codes.InvalidArgument, "refused")

	last := w.join(t, "last", hint)
	w.room.Close()
	want(last, "last's stream when the server closes the room", last.end(), codes.Unavailable, "shutdown")
}
