package console

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

func TestLinesSkipsBlankLinesAndTrims(t *testing.T) {
	var got []string
	for line := range Lines(context.Background(), strings.NewReader("12\n\n  97 \r\n\t\nfoo")) {
		got = append(got, line)
	}
	if want := []string{"12", "97", "foo"}; !slices.Equal(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func TestLinesStopsWhenContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	lines := Lines(ctx, strings.NewReader("1\n2\n3\n"))
	<-lines
	cancel()
	for range lines { // at most the line already read may still arrive; then the channel closes
	}
}

func TestFormatAnswer(t *testing.T) {
	for _, tc := range []struct {
		f    *factorpb.Factorization
		want string
	}{
		{&factorpb.Factorization{Number: 12, Primes: []int64{2, 2, 3}}, "12 = 2 × 2 × 3"},
		{&factorpb.Factorization{Number: 97, Primes: []int64{97}}, "97 is prime"},
		{&factorpb.Factorization{Number: 1, Error: "number must be at least 2, got 1"}, "1: error: number must be at least 2, got 1"},
	} {
		if got := formatAnswer(tc.f); got != tc.want {
			t.Errorf("formatAnswer(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
	if got, want := formatNotANumber("foo"), `"foo" is not a number: skipped`; got != want {
		t.Errorf("formatNotANumber(\"foo\") = %q, want %q", got, want)
	}
}
