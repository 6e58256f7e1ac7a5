package bidi

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/console"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// This test types at random: rapid makes up an input of numbers, words and
// blank lines, Factorize runs it against a server that answers at once, and
// what Factorize prints and sends is compared with a small model of the
// contract. When an input disagrees, rapid shrinks it to the smallest one
// that still does and prints it.

func init() { grpctest.RepeatableProperties() }

// inputLine draws one line of input: a number (edge values included: the
// smallest and largest int64, 0, 1, 2), something that is not a number in
// base 10, or a blank line, with spaces around it or not.
var inputLine = rapid.Custom(func(t *rapid.T) string {
	word := rapid.OneOf(
		rapid.Map(rapid.Int64Range(-1000, 100000), func(n int64) string { return strconv.FormatInt(n, 10) }),
		rapid.SampledFrom([]string{"0", "1", "2", "-7", "+12", "9223372036854775807", "-9223372036854775808", "4611686018427387904"}),
		rapid.SampledFrom([]string{"foo", "12abc", "0x10", "1e3", "3.5", "9223372036854775808", "-", "١٢", "12 13"}),
		rapid.Just(""),
	).Draw(t, "word")
	return strings.Repeat(" ", rapid.IntRange(0, 2).Draw(t, "spaces before")) + word + strings.Repeat(" ", rapid.IntRange(0, 2).Draw(t, "spaces after"))
})

// factorizeModel is what Factorize must do with lines: the numbers it
// sends, in order, and what it prints, split into the answers (in the order
// of the numbers) and the skipped lines (in the order typed). The two kinds
// of lines may interleave in any way: the skips are printed while typing,
// the answers as they arrive.
func factorizeModel(lines []string) (sent []int64, answers, skipped []string) {
	var out bytes.Buffer
	p := console.NewPrinter(&out)
	for _, l := range lines {
		l = strings.TrimSpace(l) // console.Lines trims lines and skips blank ones
		if l == "" {
			continue
		}
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			p.NotANumber(l)
			skipped = append(skipped, strings.TrimSuffix(out.String(), "\n"))
			out.Reset()
			continue
		}
		sent = append(sent, n)
		p.Answer(answer(&factorpb.FactorRequest{Number: n}))
		answers = append(answers, strings.TrimSuffix(out.String(), "\n"))
		out.Reset()
	}
	return sent, answers, skipped
}

func TestTask3_AnyInputIsSentAndAnswered(t *testing.T) {
	const hint = "task 3 in client.go: each line that is a number is sent, with ids from 1 up, and its answer printed; any other line is reported as skipped"
	fake := newPromptFactorizer()
	client := fakeClient(t, fake)
	rapid.Check(t, func(rt *rapid.T) {
		lines := rapid.SliceOfN(inputLine, 0, 15).Draw(rt, "input")
		wantSent, wantAnswers, wantSkipped := factorizeModel(lines)

		before := len(fake.requests())
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		var out grpctest.Buffer
		if err := Factorize(ctx, client, strings.NewReader(strings.Join(lines, "\n")), &out); err != nil {
			rt.Fatalf("Factorize returned %s at the end of input, want nil — %s", describe(err), hint)
		}

		var gotAnswers, gotSkipped []string
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			switch {
			case l == "":
			case strings.HasSuffix(l, "is not a number: skipped"):
				gotSkipped = append(gotSkipped, l)
			default:
				gotAnswers = append(gotAnswers, l)
			}
		}
		if !slices.Equal(gotAnswers, wantAnswers) || !slices.Equal(gotSkipped, wantSkipped) {
			rt.Fatalf("Factorize printed the answers %q and the skipped lines %q, want %q and %q — %s",
				gotAnswers, gotSkipped, wantAnswers, wantSkipped, hint)
		}
		got := fake.requests()[before:]
		var gotSent []int64
		for i, r := range got {
			gotSent = append(gotSent, r[1])
			if id, last := uint64(r[0]), uint64(0); i > 0 {
				last = uint64(got[i-1][0])
				if id <= last {
					rt.Fatalf("the server received the ids %v, want each greater than the one before (factor.proto) — %s", got, hint)
				}
			} else if id < 1 {
				rt.Fatalf("the server received the ids %v, want them to start at 1 or above (factor.proto) — %s", got, hint)
			}
		}
		if !slices.Equal(gotSent, wantSent) {
			rt.Fatalf("the server received the numbers %v, want %v — %s", gotSent, wantSent, hint)
		}
	})
}
