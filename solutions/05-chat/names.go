package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
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
	if strings.TrimSpace(name) == "" {
		return "", status.Error(codes.InvalidArgument, "name must not be empty")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return "", status.Errorf(codes.InvalidArgument, "name is %d characters long, at most %d are allowed", n, maxNameLen)
	}
	normal, err := precis.Nickname.String(name)
	if err != nil {
		return "", status.Errorf(codes.InvalidArgument, "name %q holds a control, format or invisible character", name)
	}
	if normal != name {
		return "", status.Errorf(codes.InvalidArgument, "name %q is not in normal form (no leading, trailing or double spaces, no look-alike forms): join as %q", name, normal)
	}
	script := ""
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == ' ' || strings.ContainsRune(nameSymbols, r):
		default:
			return "", status.Errorf(codes.InvalidArgument, "name must hold only letters, digits, spaces and %s; found %q", nameSymbols, r)
		}
		if s := scriptOf(r); s != "" {
			if script != "" && s != script {
				return "", status.Errorf(codes.InvalidArgument, "name mixes %s and %s letters, which can look alike", script, s)
			}
			script = s
		}
	}
	key, err = precis.Nickname.CompareKey(name)
	if err != nil {
		return "", status.Errorf(codes.InvalidArgument, "name %q: %v", name, err)
	}
	return key, nil
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
	if strings.TrimSpace(text) == "" {
		return status.Error(codes.InvalidArgument, "text must not be empty")
	}
	if n := utf8.RuneCountInString(text); n > maxTextLen {
		return status.Errorf(codes.InvalidArgument, "text is %d characters long, at most %d are allowed", n, maxTextLen)
	}
	return nil
}
