package chat

import (
	"unicode"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	maxNameLen = 32   // longest name, in characters (runes)
	maxTextLen = 1000 // longest text, in characters (runes)
)

// nameSymbols are the only characters besides letters, marks, digits and
// inner single spaces that a name may hold. No ':' (a name "ada: hi" would
// print as a line of ada's), no '*' (the client's "* bob joined").
const nameSymbols = "-_.'"

// validateName checks that name cannot pass for someone else's, and returns
// the key under which the room compares names: two names with the same key
// look alike, so only one of them may be in the room. The rules:
//
//   - it is in the normal form of the PRECIS Nickname profile (RFC 8266):
//     no control, format or invisible characters (the profile refuses
//     them), NFKC-normalised (no full-width or composed look-alikes), no
//     leading, trailing or double spaces;
//   - 1 to 32 characters: letters, marks, digits, inner spaces and - _ . ';
//   - its letters come from one script, so that a Cyrillic "а" cannot stand
//     in for a Latin "a".
//
// The key is the profile's comparison key (case-folded as well).
func validateName(name string) (key string, err error) {
	// TODO(task 1): refuse (codes.InvalidArgument, saying why) a blank name,
	// one over maxNameLen characters or with a control character.
	// TestTask1_JoinRejectsBadNames.
	//
	// TODO(task 8): the rules above, with golang.org/x/text/secure/precis (the
	// Nickname profile) and the key it compares by. TestTask8_NamesThatImpersonateAreRefused.
	return "", status.Error(codes.Unimplemented, "TODO(task 1): check names in 05-chat/names.go — see 05-chat/README.md")
}

// scriptOf names the script of a letter (Latin, Cyrillic, …), or "" for a
// character shared by all scripts (digits, spaces, combining marks).
func scriptOf(r rune) string {
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// validateText returns an InvalidArgument error saying what is wrong with
// text, or nil.
func validateText(text string) error {
	// TODO(task 1): refuse a blank text and one over maxTextLen characters
	// with codes.InvalidArgument. TestTask1_SayRejectsBadText.
	return status.Error(codes.Unimplemented, "TODO(task 1): check texts in 05-chat/names.go — see 05-chat/README.md")
}
