package serverstream

import (
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// BenchmarkPrimeFactors weighs one more streamed message against a whole
// call. Each round factors 2 (a call that streams one factor) and 2^62 (a
// call that streams sixty-two, with no search to speak of), so the
// difference between the two is the price of 61 messages on an open stream.
// The ratio it reports, factors/call, is how many streamed factors cost as
// much as one call: the reason to stream many results rather than make a
// call for each.
func BenchmarkPrimeFactors(b *testing.B) {
	client := newFactorizerClient(b)
	ctx := grpctest.Context(b, time.Minute)
	var oneFactor, manyFactors time.Duration
	rounds := 0
	for b.Loop() {
		start := time.Now()
		if _, err := drain(ctx, client, 2); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := drain(ctx, client, 1<<62); err != nil {
			b.Fatal(err)
		}
		oneFactor += mid.Sub(start)
		manyFactors += time.Since(mid)
		rounds++
	}
	perCall := float64(oneFactor.Nanoseconds()) / float64(rounds)
	perFactor := float64((manyFactors - oneFactor).Nanoseconds()) / float64(rounds) / 61
	b.ReportMetric(perCall, "ns/call")
	b.ReportMetric(perFactor, "ns/extra-factor")
	b.ReportMetric(perCall/perFactor, "factors/call")
}
