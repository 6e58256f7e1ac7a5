package primes

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestFactor(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want []int64
	}{
		{-7, nil},
		{0, nil},
		{1, nil},
		{2, []int64{2}},
		{12, []int64{2, 2, 3}},
		{97, []int64{97}},
		{360360, []int64{2, 2, 2, 3, 3, 5, 7, 11, 13}},
		{1 << 62, slices.Repeat([]int64{2}, 62)},
		{9223372036854775807, []int64{7, 7, 73, 127, 337, 92737, 649657}}, // 2^63−1
		{1000006000009, []int64{1000003, 1000003}},                        // 1000003², the root is the answer
	} {
		got, err := Factor(context.Background(), tc.n)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Factor(%d) = %v, %v; want %v, nil", tc.n, got, err, tc.want)
		}
	}
}

func TestFactorStopsWhenContextIsDone(t *testing.T) {
	const bigPrime = 9223372036854775783 // the largest prime below 2^63: seconds of trial division
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	got, err := Factor(ctx, bigPrime)
	if err != context.DeadlineExceeded {
		t.Errorf("Factor(%d) with a 50ms deadline = %v, %v; want nil, context.DeadlineExceeded", int64(bigPrime), got, err)
	}
}
