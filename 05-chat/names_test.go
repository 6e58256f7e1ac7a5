package chat

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 8: names that cannot impersonate. The names of the issue that could
// pass for ada's, and others like them: each is refused while ada is in the
// room, with the code given.
func TestTask8_NamesThatImpersonateAreRefused(t *testing.T) {
	r := startRoom(t, testConfig())
	conn := r.srv.Dial(t)
	enter(t, conn, "ada")
	const (
		invalid = "task 8 in names.go: a name not in the normal form of the PRECIS Nickname profile, with an invisible or format character, " +
			"punctuation other than - _ . ' or letters of two scripts is refused with codes.InvalidArgument"
		alike = "task 8 in names.go: a name that compares equal to a present member's (case, normal form) is refused with codes.AlreadyExists"
	)
	for _, tc := range []struct {
		what, name string
		want       codes.Code
		hint       string
	}{
		{"a Cyrillic а in place of a Latin a", "\u0430da", codes.InvalidArgument, invalid},
		{"a zero-width space inside", "ad\u200Ba", codes.InvalidArgument, invalid},
		{"a soft hyphen inside", "ad\u00ADa", codes.InvalidArgument, invalid},
		{"a right-to-left override", "\u202Eada", codes.InvalidArgument, invalid},
		{"a trailing space", "ada ", codes.InvalidArgument, invalid},
		{"a leading space", " ada", codes.InvalidArgument, invalid},
		{"two spaces in a row", "ada  lovelace", codes.InvalidArgument, invalid},
		{"full-width letters", "\uFF41\uFF44\uFF41", codes.InvalidArgument, invalid},
		{"a decomposed é (not in normal form)", "ade\u0301le", codes.InvalidArgument, invalid},
		{"a name that prints as a line of ada's", "ada: I resign.", codes.InvalidArgument, invalid},
		{"a name that prints as a room notice", "* ada", codes.InvalidArgument, invalid},
		{"the same name in capitals", "ADA", codes.AlreadyExists, alike},
		{"the same name with a capital", "Ada", codes.AlreadyExists, alike},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := tryJoin(t, conn, tc.name)
			grpctest.WantCode(t, fmt.Sprintf("a Join as %q while ada is in the room", tc.name), err, tc.want, tc.hint)
		})
	}
}

// Names from many languages are fine: the rules refuse look-alikes, not
// alphabets.
func TestTask8_RealNamesAreWelcome(t *testing.T) {
	r := startRoom(t, testConfig())
	conn := r.srv.Dial(t)
	for _, name := range []string{"ada", "Zoë", "José María", "O'Brien", "jean-luc", "grace_h", "Ελένη", "Дмитрий", "李小龙", "r2d2", "ab.c", strings.Repeat("é", 32)} {
		if _, err := tryJoin(t, conn, name); err != nil {
			t.Errorf("a Join as %q ended with %v, want it to succeed — task 8 in names.go: letters of any one script, digits, inner spaces and - _ . ' are fine", name, err)
		}
	}
}

// Task 9: a cap on members.
func TestTask9_TheRoomHasACap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMembers = 3
	r := startRoom(t, cfg)
	conn := r.srv.Dial(t)
	var in []*participant
	for i := range cfg.MaxMembers {
		p, err := tryJoin(t, conn, fmt.Sprint("member", i))
		if err != nil {
			t.Fatalf("join #%d into a room for %d ended with %v, want it to succeed — task 9 in hub.go: the room takes MaxMembers members", i+1, cfg.MaxMembers, err)
		}
		in = append(in, p)
	}
	_, err := tryJoin(t, conn, "one too many")
	grpctest.WantCode(t, fmt.Sprintf("join #%d into a room for %d", cfg.MaxMembers+1, cfg.MaxMembers), err, codes.ResourceExhausted,
		"task 9 in hub.go: a join into a full room is refused with codes.ResourceExhausted")
	in[0].leave(t)
	if _, err := tryJoin(t, conn, "now there is room"); err != nil {
		t.Errorf("a join after a member left a full room ended with %v, want it to succeed — task 9 in hub.go: the cap counts the members in the room now", err)
	}
}

// A member who has left is out of the room at once, even while what was said
// before they left is still on its way to them: the cap counts members, not
// streams still being flushed.
func TestTask9_ALeaverStillBeingSentToHoldsNoPlace(t *testing.T) {
	const hint = "task 9 in hub.go: the cap counts the members in the room now"
	cfg := testConfig()
	cfg.MaxMembers = 2
	r := startRoom(t, cfg)
	conn := r.srv.Dial(t)
	ada, _ := enter(t, conn, "ada")
	carol, _ := enter(t, conn, "carol")
	ada.expectJoined(t, "carol")
	spied := r.spy.stream(t, "ada")
	spied.holdSends() // ada's network is slow: her own message cannot reach her yet
	ada.say(t, "bye")
	carol.expectMessage(t, "ada", "bye")
	ada.closeSend(t)
	carol.expectLeft(t, "ada", "task 2 in server.go: a member who half-closes leaves the room at once")
	bob, err := tryJoin(t, conn, "bob")
	if err != nil {
		t.Errorf("bob's join into a room for 2 that holds carol (ada has left, her last message still on its way to her) ended with %v, want bob in — %s", err, hint)
	}
	spied.release()
	if err := ada.expectEnd(t, "task 2 in server.go: once all that was said before she left is sent, ada's stream ends"); err != nil {
		t.Errorf("ada's stream ended with %v, want OK — task 2 in server.go", err)
	}
	if bob != nil {
		bob.leave(t)
	}
	carol.leave(t)
}
