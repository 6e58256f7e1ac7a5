package scaleout

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

func init() { grpctest.RepeatableProperties() }

// TestTask1_AnyInterleavingGivesOneTranscript: whatever the members of
// three replicas say, in whatever order across replicas, every member
// receives the same transcript, holding every Say once, each speaker's in
// the order said. The model is that: one sequence, each speaker's lines a
// subsequence of it.
func TestTask1_AnyInterleavingGivesOneTranscript(t *testing.T) {
	room := openRoom(t)
	reps := room.startN(t, 3, Config{})
	names := []string{"ada", "bob", "cy"}
	var members []*participant
	for i, name := range names {
		members = append(members, enter(t, reps[i].dial(t), name, nil))
	}
	for _, p := range members[:2] {
		p.until(t, joinedOf("cy"), "task 1 in server.go: a Join on one replica reaches the members of every replica")
	}
	round := 0
	rapid.Check(t, func(rt *rapid.T) {
		round++
		speakers := rapid.SliceOfN(rapid.IntRange(0, len(members)-1), 0, 12).Draw(rt, "speakers")
		said := make([][]string, len(members))
		for i, who := range speakers {
			text := fmt.Sprintf("r%d line %d", round, i)
			said[who] = append(said[who], text)
			// Sent in the drawn order, without waiting for delivery: the
			// replicas publish as their members' streams are read.
			members[who].say(t, text)
		}
		var transcripts [][]*roompb.ServerEvent
		for _, p := range members {
			var got []*roompb.ServerEvent
			for range speakers {
				got = append(got, p.next(t, "task 1 in server.go: every member receives every Say"))
			}
			transcripts = append(transcripts, got)
		}
		for i, p := range members {
			if !slices.EqualFunc(transcripts[0], transcripts[i], func(a, b *roompb.ServerEvent) bool { return proto.Equal(a, b) }) {
				rt.Fatalf("ada and %s received different transcripts — task 1 in server.go: one order for every member on every replica\nada:\n%s%s:\n%s",
					p.name, render(transcripts[0]), p.name, render(transcripts[i]))
			}
		}
		checkTranscript(t, "ada", transcripts[0], "task 1 in server.go")
		for who, lines := range said {
			var theirs []string
			for _, ev := range transcripts[0] {
				if ev.GetMessage().GetSender() == names[who] {
					theirs = append(theirs, ev.GetMessage().GetText())
				}
			}
			if !slices.Equal(theirs, lines) {
				rt.Fatalf("%s said %q and the room received %q from them — task 1 in server.go: every Say once, in the order said", names[who], lines, theirs)
			}
		}
	})
}
