package clientstream

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// newStatsClient starts the learner's Server in memory and returns a client
// for it, with an observer that sees every Recv the handler makes.
func newStatsClient(t *testing.T) (statspb.StatsClient, *observer) {
	t.Helper()
	obs := newObserver()
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &Server{})
	}, grpc.StreamInterceptor(obs.intercept))
	return statspb.NewStatsClient(conn), obs
}

// observer watches the handler from the outside, as a stream interceptor: it
// counts the handler's Recv calls and records how the handler returned.
type observer struct {
	recvs    atomic.Int64 // over all calls to the server
	returned chan error   // receives the first handler's error when it returns
}

func newObserver() *observer { return &observer{returned: make(chan error, 1)} }

func (o *observer) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, countingStream{ss, &o.recvs})
	select {
	case o.returned <- err:
	default: // a later call of the same test: nobody is waiting for it
	}
	return err
}

// countingStream counts calls to RecvMsg, which stream.Recv makes.
type countingStream struct {
	grpc.ServerStream
	recvs *atomic.Int64
}

func (s countingStream) RecvMsg(m any) error {
	s.recvs.Add(1)
	return s.ServerStream.RecvMsg(m)
}

// summarize streams values to the server, half-closes, and returns the reply.
func summarize(t *testing.T, client statspb.StatsClient, values []float64) (*statspb.Summary, error) {
	t.Helper()
	ctx := grpctest.Context(t, 5*time.Second)
	stream, err := client.Summarize(ctx)
	if err != nil {
		t.Fatalf("opening the Summarize stream: %v", err)
	}
	for _, v := range values {
		if err := stream.Send(&statspb.Sample{Value: v}); err != nil {
			// io.EOF: the server ended the call early; CloseAndRecv says why.
			break
		}
	}
	summary, err := stream.CloseAndRecv()
	if ctx.Err() != nil {
		t.Fatalf("Summarize(%d samples) never answered — task 1 in server.go: after the last sample Recv returns io.EOF; answer then with stream.SendAndClose", len(values))
	}
	return summary, err
}

// reference computes, the obvious way, the Summary Summarize should return.
func reference(values []float64) *statspb.Summary {
	if len(values) == 0 {
		return &statspb.Summary{}
	}
	want := &statspb.Summary{Count: int64(len(values)), Min: values[0], Max: values[0]}
	for _, v := range values {
		want.Sum += v
		want.Min = min(want.Min, v)
		want.Max = max(want.Max, v)
	}
	want.Mean = want.Sum / float64(want.Count)
	return want
}

// checkSummary compares got with want: count, min and max exactly, sum and
// mean to a relative 1e-9, so that adding in another order (or more
// carefully) is fine.
func checkSummary(t *testing.T, what string, got, want *statspb.Summary, hint string) {
	t.Helper()
	near := func(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-9*max(math.Abs(a), math.Abs(b)) }
	if got.GetCount() != want.GetCount() || !near(got.GetSum(), want.GetSum()) || !near(got.GetMean(), want.GetMean()) ||
		got.GetMin() != want.GetMin() || got.GetMax() != want.GetMax() {
		t.Errorf("Summarize(%s) = %s,\n want %s — %s", what, show(got), show(want), hint)
	}
}

func show(s *statspb.Summary) string {
	return fmt.Sprintf("{count %d, sum %g, mean %g, min %g, max %g}", s.GetCount(), s.GetSum(), s.GetMean(), s.GetMin(), s.GetMax())
}

func TestTask1_SummarizesTheStream(t *testing.T) {
	client, _ := newStatsClient(t)
	rng := rand.New(rand.NewPCG(3, 3)) // fixed seed: the same values every run
	random := make([]float64, 10_000)
	for i := range random {
		random[i] = (rng.Float64() - 0.5) * 2e6
	}
	for _, tc := range []struct {
		what   string
		values []float64
	}{
		{"one sample", []float64{42}},
		{"1, 2, 3, 4", []float64{1, 2, 3, 4}},
		{"only positive samples", []float64{5, 3, 9, 7}},
		{"only negative samples", []float64{-5, -3, -9, -7}},
		{"10,000 random samples", random},
	} {
		t.Run(tc.what, func(t *testing.T) {
			got, err := summarize(t, client, tc.values)
			if err != nil {
				t.Fatalf("Summarize(%s) failed: %v — task 1 in server.go: Recv until io.EOF, then stream.SendAndClose(&statspb.Summary{…})", tc.what, err)
			}
			checkSummary(t, tc.what, got, reference(tc.values),
				"task 1 in server.go: keep a running count, sum, min and max; start min and max at the first sample, not at 0")
		})
	}
}

// nonFinite are the bad inputs of task 2: each must be rejected with InvalidArgument.
var nonFinite = []struct {
	name  string
	value float64
}{
	{"NaN", math.NaN()},
	{"+Inf", math.Inf(+1)},
	{"-Inf", math.Inf(-1)},
}

func TestTask2_RejectsNonFiniteSamplesAtOnce(t *testing.T) {
	const bad = 7 // index of the bad sample, counting from 0
	indexed := regexp.MustCompile(`\b` + fmt.Sprint(bad) + `\b`)
	for _, tc := range nonFinite {
		t.Run(tc.name, func(t *testing.T) {
			client, obs := newStatsClient(t)
			ctx := grpctest.Context(t, 5*time.Second)
			stream, err := client.Summarize(ctx)
			if err != nil {
				t.Fatalf("opening the Summarize stream: %v", err)
			}
			for i := range bad {
				if err := stream.Send(&statspb.Sample{Value: float64(i + 1)}); err != nil {
					t.Fatalf("Send(sample %d = %d) failed: %v — the server ended the call before the bad sample arrived", i, i+1, err)
				}
			}
			if err := stream.Send(&statspb.Sample{Value: tc.value}); err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("Send(sample %d = %s) failed: %v", bad, tc.name, err)
			}

			// The client has not half-closed: a handler that waits for
			// io.EOF before checking is still waiting.
			var handlerErr error
			select {
			case handlerErr = <-obs.returned:
			case <-time.After(2 * time.Second):
				t.Fatalf("after sample %d (%s) the handler was still running, waiting for more — task 2 in server.go: check each sample as it arrives and return the error at once, not after io.EOF", bad, tc.name)
			}
			recvs := obs.recvs.Load()

			// The client keeps sending, unaware; the server has stopped
			// reading, so none of this reaches the handler.
			for i := range 100 {
				if err := stream.Send(&statspb.Sample{Value: float64(i)}); err != nil {
					break // io.EOF: the call is over
				}
			}
			_, err = stream.CloseAndRecv()
			call := fmt.Sprintf("Summarize(1, 2, …, 7, %s)", tc.name)
			grpctest.WantCode(t, call, err, codes.InvalidArgument,
				"task 2 in server.go: return status.Errorf(codes.InvalidArgument, …) for a sample that is NaN or ±Inf (math.IsNaN, math.IsInf)")
			if status.Code(err) != codes.InvalidArgument {
				return
			}
			if msg := status.Convert(err).Message(); !indexed.MatchString(msg) {
				t.Errorf("%s error %q does not name the bad sample's index %d — task 2 in server.go: samples count from 0", call, msg, bad)
			}
			if recvs != bad+1 {
				t.Errorf("the handler called Recv %d times, want %d (samples 0 to %d) — task 2 in server.go: stop reading at the bad sample", recvs, bad+1, bad)
			}
			if status.Code(handlerErr) != codes.InvalidArgument {
				t.Errorf("the handler returned %v, but the client saw InvalidArgument", handlerErr)
			}
		})
	}
}

func TestTask2_RejectsAFirstSampleThatIsNaN(t *testing.T) {
	client, _ := newStatsClient(t)
	_, err := summarize(t, client, []float64{math.NaN(), 1, 2})
	grpctest.WantCode(t, "Summarize(NaN, 1, 2)", err, codes.InvalidArgument,
		"task 2 in server.go: check every sample, the first one included")
	if msg := status.Convert(err).Message(); status.Code(err) == codes.InvalidArgument && !regexp.MustCompile(`\b0\b`).MatchString(msg) {
		t.Errorf("Summarize(NaN, 1, 2) error %q does not name index 0 — task 2 in server.go: samples count from 0", msg)
	}
}

func TestTask3_EmptyStreamHasCountZero(t *testing.T) {
	client, _ := newStatsClient(t)
	got, err := summarize(t, client, nil)
	if err != nil {
		t.Fatalf("Summarize(no samples) failed: %v, want a Summary with count 0 — task 3 in server.go: an empty stream is not an error", err)
	}
	if got.GetCount() != 0 || got.GetSum() != 0 || got.GetMean() != 0 || got.GetMin() != 0 || got.GetMax() != 0 {
		var why []string
		if math.IsNaN(got.GetMean()) {
			why = append(why, "the mean is 0/0: only divide when count > 0")
		}
		if math.IsInf(got.GetMin(), 0) || math.IsInf(got.GetMax(), 0) {
			why = append(why, "min or max kept its ±Inf start value")
		}
		t.Errorf("Summarize(no samples) = %s, want every field 0 — task 3 in server.go: %s", show(got), strings.Join(append(why, "see stats.proto"), "; "))
	}
}

func TestTask1_KeepsRunningValuesNotTheSamples(t *testing.T) {
	const small, large = 10_000, 100_000
	probe := &heapProbe{}
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &Server{})
	}, grpc.StreamInterceptor(probe.intercept))
	client := statspb.NewStatsClient(conn)

	heapAfter := func(n int) uint64 {
		t.Helper()
		ctx := grpctest.Context(t, 20*time.Second)
		if _, err := streamOneToN(ctx, client, n); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("Summarize(1, 2, …, %d) never answered — task 1 in server.go: after the last sample Recv returns io.EOF; answer then with stream.SendAndClose", n)
			}
			t.Fatalf("Summarize(1, 2, …, %d) failed: %v — task 1 in server.go", n, err)
		}
		return probe.heapAtEOF.Load()
	}
	heapAfter(small) // warm up the connection
	before, after := heapAfter(small), heapAfter(large)

	// Keeping the samples in a []float64 costs at least 8 bytes each: 0.7 MB
	// more at the end of the long stream. Running values cost nothing more.
	const limit = 1 << 19
	if growth := int64(after) - int64(before); growth > limit {
		t.Errorf("the server's live heap at the end of a stream of %d samples was %.1f MB larger than after %d samples (%.1f bytes per extra sample), want under %.1f MB — task 1 in server.go: keep running values (count, sum, min, max), not a slice of the samples",
			large, float64(growth)/(1<<20), small, float64(growth)/(large-small), float64(limit)/(1<<20))
	}
}
