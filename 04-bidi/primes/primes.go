// Package primes factors numbers by trial division. It is provided, not a
// task: step 04 is about the stream around the arithmetic, so the arithmetic
// lives here and the step's server calls it.
package primes

import "context"

// checkEvery is how many trial divisions Factor does between two looks at
// its context: often enough to stop within microseconds, rarely enough that
// looking costs nothing next to the dividing.
const checkEvery = 1 << 12

// Factor returns the prime factors of n in ascending order, each repeated as
// often as it divides n (Factor(ctx, 12) is [2 2 3]). Numbers below 2 have no
// prime factors: Factor returns an empty slice for them.
//
// Trial division costs up to √n steps: instant for most numbers, seconds for
// a prime near 2^63. So Factor watches ctx and, once it is done, gives up and
// returns ctx.Err(): a server must not keep computing an answer nobody is
// waiting for.
func Factor(ctx context.Context, n int64) ([]int64, error) {
	var factors []int64
	steps := 0
	for d := int64(2); n > 1; d++ {
		if d > n/d { // d*d > n, written so that it cannot overflow
			factors = append(factors, n) // what is left has no divisor up to its root: a prime
			break
		}
		for n%d == 0 {
			factors = append(factors, d)
			n /= d
		}
		if steps++; steps%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return factors, nil
}
