package chat

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The names of the issue that could pass for ada's, and others like them:
// each is refused while ada is in the room, with the code given.
func TestTask8_NamesThatImpersonateAreRefused(t *testing.T) {
	h := newHub(testConfig())
	joinHub(t, h, "ada")
	const (
		invalid = "task 8 in names.go: a name that is not in the PRECIS Nickname normal form, holds an invisible or format character, " +
			"punctuation a client could print as a line of someone else's, or letters of two scripts, is refused with codes.InvalidArgument"
		confusable = "task 8 in names.go: compare names by their precis.Nickname.CompareKey, and key h.members by it: " +
			"a name that looks the same as a present member's is refused with codes.AlreadyExists"
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
		{"a name that prints as a line of ada's", "ada: I resign.", codes.InvalidArgument, invalid},
		{"a name that prints as a room notice", "* ada", codes.InvalidArgument, invalid},
		{"the same name in capitals", "ADA", codes.AlreadyExists, confusable},
		{"the same name with a capital", "Ada", codes.AlreadyExists, confusable},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := h.Join(tc.name)
			grpctest.WantCode(t, fmt.Sprintf("Join(%q) while ada is in the room", tc.name), err, tc.want, tc.hint)
		})
	}
}

// Names from many languages are fine: the rules refuse look-alikes, not
// alphabets.
func TestTask8_RealNamesAreWelcome(t *testing.T) {
	h := newHub(testConfig())
	for _, name := range []string{"ada", "Zoë", "José María", "O'Brien", "jean-luc", "grace_h", "Ελένη", "Дмитрий", "李小龙", "r2d2", strings.Repeat("é", maxNameLen)} {
		if _, err := h.Join(name); err != nil {
			t.Errorf("Join(%q) failed: %v, want it to succeed — task 8 in names.go: letters of any one script, digits, inner spaces and - _ . ' are fine", name, err)
		}
	}
}

func TestTask9_TheRoomHasACap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMembers = 3
	h := newHub(cfg)
	var in []*member
	for i := range cfg.MaxMembers {
		m, err := h.Join(fmt.Sprint("member", i))
		if err != nil {
			t.Fatalf("Join #%d into a room for %d failed: %v, want it to succeed — task 9 in hub.go: the room takes MaxMembers members, not one fewer",
				i+1, cfg.MaxMembers, err)
		}
		in = append(in, m)
	}
	_, err := h.Join("one too many")
	grpctest.WantCode(t, fmt.Sprintf("Join #%d into a room for %d", cfg.MaxMembers+1, cfg.MaxMembers), err, codes.ResourceExhausted,
		"task 9 in hub.go: refuse a member over cfg.MaxMembers with codes.ResourceExhausted and a message that says the room is full")
	h.Leave(in[0])
	if _, err := h.Join("now there is room"); err != nil {
		t.Errorf("Join after a member left a full room failed: %v — task 9 in hub.go: count the members in the room now", err)
	}
}
