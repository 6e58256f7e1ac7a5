package chat

import (
	"fmt"
	"strings"
	"testing"
)

// Task 6: a new member's History holds the last 50 messages, oldest first.

func historyOf(msgs []string) string { return strings.Join(msgs, "|") }

func sayAll(t *testing.T, p *participant, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		p.say(t, fmt.Sprint("m", i))
		p.expectMessage(t, p.name, fmt.Sprint("m", i))
	}
}

func historyTexts(t *testing.T, r *room, name string) []string {
	t.Helper()
	_, history := enter(t, r.srv.Dial(t), name)
	var got []string
	for _, msg := range history {
		got = append(got, fmt.Sprintf("#%d %s: %s", msg.GetSeq(), msg.GetSender(), msg.GetText()))
	}
	return got
}

func TestTask6_YoungRoomReplaysAllItHas(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	sayAll(t, ada, 3)
	got := historyTexts(t, r, "bob")
	if want := "#1 ada: m1|#2 ada: m2|#3 ada: m3"; historyOf(got) != want {
		t.Errorf("bob's History is %q, want %q — task 6 in hub.go: a new member's History holds the messages said so far, oldest first", historyOf(got), want)
	}
}

func TestTask6_NewMemberGetsTheLast50Messages(t *testing.T) {
	for _, said := range []int{49, 50, 51, 120} {
		t.Run(fmt.Sprint(said, " said"), func(t *testing.T) {
			r := startRoom(t, testConfig())
			ada, _ := enter(t, r.srv.Dial(t), "ada")
			sayAll(t, ada, said)
			got := historyTexts(t, r, "bob")
			var want []string
			for i := max(1, said-49); i <= said; i++ {
				want = append(want, fmt.Sprintf("#%d ada: m%d", i, i))
			}
			if historyOf(got) != historyOf(want) {
				t.Errorf("after %d messages, bob's History holds %d: %s … %s; want the last %d, #%d to #%d — task 6 in hub.go",
					said, len(got), first(got), last(got), len(want), max(1, said-49), said)
			}
		})
	}
}

// A History is what was said before the member came in: what is said later
// comes as events, and a History already sent never changes.
func TestTask6_HistoryIsASnapshot(t *testing.T) {
	r := startRoom(t, testConfig())
	ada, _ := enter(t, r.srv.Dial(t), "ada")
	sayAll(t, ada, 2)
	bob, history := enter(t, r.srv.Dial(t), "bob")
	ada.expectJoined(t, "bob")
	ada.say(t, "m3")
	bob.expectMessageFor(t, "ada", "m3", "task 6 in hub.go: what is said after a member came in reaches them as a Message")
	if len(history) != 2 {
		t.Errorf("bob's History held %d messages once m3 was said, want the 2 said before he came in — task 6 in hub.go: a History sent never changes", len(history))
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return s[len(s)-1]
}
