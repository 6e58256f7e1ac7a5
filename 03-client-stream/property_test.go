package clientstream

import (
	"context"
	"math"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Property tests: rapid makes up streams of samples, compares what Summarize
// answers with a small model of the contract, and on a failure shrinks the
// stream to a smallest one that still fails, which the message shows.

func init() { grpctest.RepeatableProperties() }

// edgeSamples are the values a summary gets wrong most easily: zeros of both
// signs, negatives, values a float32 cannot hold exactly, the smallest
// positive double and a large one.
var edgeSamples = []float64{0, math.Copysign(0, -1), -1, 1, -0.5, 0.1, -0.1, 1.0 / 3, 16777217, -16777217,
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1e300, -1e300, 123456.789}

// sampleIn draws a finite sample: an edge value, or any double within ±limit.
func sampleIn(limit float64) *rapid.Generator[float64] {
	return rapid.OneOf(
		rapid.SampledFrom(edgeSamples),
		rapid.Float64Range(-limit, limit),
		rapid.Map(rapid.IntRange(-1000, 1000), func(i int) float64 { return float64(i) }),
	)
}

// model is what Summarize must answer for samples: a summary, or, if the
// sum of the samples so far leaves the range of a double at sample i,
// InvalidArgument for that sample (refused is i, else -1). Sum and mean are
// checked within a rounding error, so any order of adding is fine.
func model(samples []float64) (want *statspb.Summary, refused int) {
	want = &statspb.Summary{}
	for i, v := range samples {
		if math.IsInf(want.Sum+v, 0) {
			return nil, i
		}
		if i == 0 {
			want.Min, want.Max = v, v
		}
		want.Count++
		want.Sum += v
		want.Min, want.Max = min(want.Min, v), max(want.Max, v)
	}
	if want.Count > 0 {
		want.Mean = want.Sum / float64(want.Count)
	}
	return want, -1
}

// summarizeAll streams samples and half-closes, like summarize, but reports
// instead of failing the test, so that rapid can shrink.
func summarizeAll(client statspb.StatsClient, samples []float64) (*statspb.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := client.Summarize(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range samples {
		if err := grpctest.Send(stream, &statspb.Sample{Value: v}); err != nil {
			return nil, err
		}
	}
	return stream.CloseAndRecv()
}

func checkAgainstModel(rt *rapid.T, client statspb.StatsClient, samples []float64, task string) {
	got, err := summarizeAll(client, samples)
	want, refused := model(samples)
	if refused >= 0 {
		if status.Code(err) != codes.InvalidArgument {
			rt.Fatalf("Summarize(%v) = %s, %v; want InvalidArgument: sample %d takes the sum out of the range of a double — %s in server.go", samples, show(got), err, refused, task)
		}
		return
	}
	if err != nil {
		rt.Fatalf("Summarize(%v) failed: %s, want %s — %s in server.go", samples, showErr(err), show(want), task)
	}
	// Sum and mean within what rounding allows in any order of adding.
	var size float64
	for _, v := range samples {
		size += math.Abs(v)
	}
	near := func(a, b, scale float64) bool {
		return a == b || math.Abs(a-b) <= 1e-12*scale+math.SmallestNonzeroFloat64
	}
	n := max(1, float64(len(samples)))
	if got.GetCount() != want.GetCount() || got.GetMin() != want.GetMin() || got.GetMax() != want.GetMax() ||
		!near(got.GetSum(), want.GetSum(), size) || !near(got.GetMean(), want.GetMean(), size/n) {
		rt.Fatalf("Summarize(%v) = %s,\n want %s — %s in server.go", samples, show(got), show(want), task)
	}
}

func startPlainStats(t *testing.T) statspb.StatsClient {
	t.Helper()
	return statspb.NewStatsClient(grpctest.Connect(t, func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &Server{})
	}))
}

func TestTask1_PropertySummaryOfRandomStreams(t *testing.T) {
	// One sample or more, and never a sum out of range: tasks 2 and 3 are
	// not needed here.
	client := startPlainStats(t)
	rapid.Check(t, func(rt *rapid.T) {
		samples := rapid.SliceOfN(sampleIn(1e300), 1, 50).Draw(rt, "samples")
		checkAgainstModel(rt, client, samples, "task 1")
	})
}

func TestTask3_PropertySummaryOfRandomStreams(t *testing.T) {
	// Any length, empty too, and the largest doubles, whose sums may leave
	// the range of a double.
	client := startPlainStats(t)
	largest := rapid.SampledFrom([]float64{math.MaxFloat64, -math.MaxFloat64, 1e308, -1e308})
	rapid.Check(t, func(rt *rapid.T) {
		samples := rapid.SliceOfN(rapid.OneOf(sampleIn(1e300), largest), 0, 20).Draw(rt, "samples")
		checkAgainstModel(rt, client, samples, "task 3")
	})
}
