package clientstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The server tasks are tested against your Server, served in memory. Between
// gRPC and your handler sits a spy (handlerSpy), a stream interceptor: it
// sees every Recv your handler makes and what came back, every Send, and
// what the handler returned. The tests judge from that record, never from
// how long something took; their waits only bound how long a failure takes.

// startStats serves the learner's Server in memory, behind a handlerSpy, and
// returns a client for it. If sendErr is set, the handler's SendAndClose
// fails with it, as it would on a connection that broke.
func startStats(t *testing.T, sendErr error) (statspb.StatsClient, *handlerSpy) {
	t.Helper()
	spy := &handlerSpy{t: t, sendErr: sendErr, calls: make(chan *watchedCall, 16)}
	// Registered before the server's cleanup, so it runs after the server
	// has stopped: from then on the spy reports nothing.
	t.Cleanup(spy.end)
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &Server{})
	}, grpc.StreamInterceptor(spy.intercept))
	return statspb.NewStatsClient(conn), spy
}

// handlerSpy watches the Summarize handler of every call through the stream
// it hands it. It fails the test at once, naming the task, when a handler
// does what no handler may: return io.EOF, answer after Recv failed, or go
// on calling Recv after the stream has ended.
type handlerSpy struct {
	t       testing.TB
	sendErr error             // if set, SendMsg fails with it, sending nothing
	calls   chan *watchedCall // each call as its handler starts; extra calls are dropped
	mu      sync.Mutex        // serializes reports
	over    bool              // the test has ended: report nothing more
}

func (s *handlerSpy) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.over = true
}

func (s *handlerSpy) errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.over {
		s.t.Errorf(format, args...)
	}
}

func (s *handlerSpy) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	c := &watchedCall{ServerStream: ss, spy: s, changed: make(chan struct{})}
	select {
	case s.calls <- c:
	default:
	}
	err := handler(srv, c)
	if errors.Is(err, io.EOF) {
		s.errorf("the Summarize handler returned io.EOF, which the client sees as Unknown: \"EOF\" — task 1 in server.go: io.EOF from Recv is the end of the input, not an error: answer with stream.SendAndClose and return what it returns")
	}
	c.update(func(st *callState) { st.returned, st.result = true, err })
	return err
}

// nextCall returns the next call the server started.
func (s *handlerSpy) nextCall(t *testing.T) *watchedCall {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("10 s after the call started, the server had not started its Summarize handler (tasks 1 to 3 in server.go need it)")
		return nil
	}
}

// callState is what the spy has seen of one call so far.
type callState struct {
	recvs    int   // Recv calls started
	samples  int   // samples Recv delivered
	recvErr  error // the first error Recv returned (io.EOF included)
	sends    int   // SendMsg calls (SendAndClose makes one)
	returned bool  // the handler has returned
	result   error // what it returned
}

// watchedCall is the stream the handler of one call gets.
type watchedCall struct {
	grpc.ServerStream
	spy     *handlerSpy
	mu      sync.Mutex
	state   callState
	changed chan struct{} // closed at each change of state
}

func (c *watchedCall) update(f func(*callState)) callState {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.state)
	close(c.changed)
	c.changed = make(chan struct{})
	return c.state
}

// await waits up to d for cond to hold, and returns the state then and
// whether cond held.
func (c *watchedCall) await(d time.Duration, cond func(callState) bool) (callState, bool) {
	timeout := time.After(d)
	for {
		c.mu.Lock()
		st, changed := c.state, c.changed
		c.mu.Unlock()
		if cond(st) {
			return st, true
		}
		select {
		case <-changed:
		case <-timeout:
			return st, false
		}
	}
}

// runaway is how many Recv calls after the stream has ended the spy lets
// pass before it stops the handler with a panic (which fails the test).
const runaway = 100

func (c *watchedCall) RecvMsg(m any) error {
	st := c.update(func(st *callState) { st.recvs++ })
	if st.recvErr != nil && st.recvs-st.samples > runaway {
		panic(fmt.Sprintf("task 1 in server.go: Recv returned %s, and the handler called it %d more times: the stream is over then; return", showErr(st.recvErr), runaway))
	}
	err := c.ServerStream.RecvMsg(m)
	c.update(func(st *callState) {
		if err == nil {
			st.samples++
		} else if st.recvErr == nil {
			st.recvErr = err
		}
	})
	return err
}

func (c *watchedCall) SendMsg(m any) error {
	st := c.update(func(st *callState) { st.sends++ })
	if st.recvErr != nil && !errors.Is(st.recvErr, io.EOF) {
		c.spy.errorf("the handler answered with a Summary although Recv had failed with %s — task 1 in server.go: only io.EOF means that the client has sent everything; any other error means the call is over, and nobody waits for a Summary: return the error", showErr(st.recvErr))
	}
	if c.spy.sendErr != nil {
		return c.spy.sendErr
	}
	return c.ServerStream.SendMsg(m)
}

// onTheWire is the code the client gets for a handler's error: gRPC turns a
// context's error into Canceled or DeadlineExceeded, anything else that is
// not a status into Unknown.
func onTheWire(err error) codes.Code {
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	return status.FromContextError(err).Code()
}

// summarize streams values to the server, half-closes, and returns the reply,
// or the status the server ended the call with.
func summarize(t *testing.T, client statspb.StatsClient, values []float64) (*statspb.Summary, error) {
	t.Helper()
	ctx := grpctest.Context(t, 10*time.Second)
	stream, err := client.Summarize(ctx)
	if err != nil {
		t.Fatalf("opening the Summarize stream: %v (tasks 1 to 3 in server.go need it)", err)
	}
	var summary *statspb.Summary
	for _, v := range values {
		if err = grpctest.Send(stream, &statspb.Sample{Value: v}); err != nil {
			break // the server has ended the call: err is its status
		}
	}
	if err == nil {
		summary, err = stream.CloseAndRecv()
	}
	if ctx.Err() != nil {
		t.Fatalf("Summarize(%d samples) got no answer in 10 s — task 1 in server.go: Recv every sample; after the last one Recv returns io.EOF: answer then with stream.SendAndClose", len(values))
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
	client, _ := startStats(t, nil)
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
				t.Fatalf("Summarize(%s) failed: %s — task 1 in server.go: Recv until io.EOF, then stream.SendAndClose(&statspb.Summary{…})", tc.what, showErr(err))
			}
			checkSummary(t, tc.what, got, reference(tc.values),
				"task 1 in server.go: keep a running count, sum, min and max; start min and max at the first sample, not at 0")
		})
	}
}

func TestTask1_ReturnsTheErrorOfSendAndClose(t *testing.T) {
	broken := status.Error(codes.Unavailable, "the connection broke (made up by the test's interceptor)")
	client, spy := startStats(t, broken)
	_, err := summarize(t, client, []float64{1, 2, 3})
	c := spy.nextCall(t)
	st, ok := c.await(10*time.Second, func(st callState) bool { return st.returned })
	switch {
	case !ok:
		t.Fatalf("the handler was still running 10 s after the client half-closed, and the client got %s — task 1 in server.go: at io.EOF, return stream.SendAndClose(…)", showErr(err))
	case st.sends == 0:
		t.Fatalf("the handler returned %s without calling SendAndClose — task 1 in server.go: at io.EOF, answer with stream.SendAndClose(&statspb.Summary{…})", showErr(st.result))
	case !errors.Is(st.result, broken):
		t.Errorf("SendAndClose failed with %s, and the handler returned %s — task 1 in server.go: return what SendAndClose returns: the client did not get its Summary, and the handler's error is all it and the server's logs learn of why", showErr(broken), showErr(st.result))
	}
}

func TestTask1_ReturnsWhenTheClientCancels(t *testing.T) {
	const sent = 3
	client, spy := startStats(t, nil)
	ctx, cancel := context.WithCancel(grpctest.Context(t, 20*time.Second))
	defer cancel()
	stream, err := client.Summarize(ctx)
	if err != nil {
		t.Fatalf("opening the Summarize stream: %v (tasks 1 to 3 in server.go need it)", err)
	}
	for i := range sent {
		if err := grpctest.Send(stream, &statspb.Sample{Value: float64(i + 1)}); err != nil {
			t.Fatalf("Send(sample %d) failed: the server ended the call with %s — task 1 in server.go: Recv until io.EOF", i, showErr(err))
		}
	}
	c := spy.nextCall(t)
	st, ok := c.await(10*time.Second, func(st callState) bool { return st.samples == sent || st.returned })
	switch {
	case st.returned:
		t.Fatalf("the handler returned %s after %d of %d samples, before the client had finished — task 1 in server.go: Recv until io.EOF", showErr(st.result), st.samples, sent)
	case !ok:
		t.Fatalf("the handler received %d of the %d samples sent in 10 s — task 1 in server.go: Recv them one at a time", st.samples, sent)
	}

	// The handler has every sample and waits for more: the client cancels.
	cancel()
	st, ok = c.await(10*time.Second, func(st callState) bool { return st.returned })
	if !ok {
		t.Fatalf("the handler was still running 10 s after the client cancelled the call (its Recv returned %s) — task 1 in server.go: when Recv returns an error other than io.EOF, the call is over: return the error", showErr(st.recvErr))
	}
	if onTheWire(st.result) != codes.Canceled {
		t.Errorf("after the client cancelled, Recv returned %s and the handler returned %s, want Recv's error as it is — task 1 in server.go: return it unchanged, so that the server's logs say why the call ended", showErr(st.recvErr), showErr(st.result))
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

// checkIndex fails the test unless msg names index i, and not i+1 (counting
// from 1). The messages this step asks for hold no other number but "0" in
// "(counting from 0)", and what the test's samples look like when printed.
func checkIndex(t *testing.T, task, call, msg string, i int) {
	t.Helper()
	numbers := regexp.MustCompile(`\d+`).FindAllString(msg, -1)
	if !slices.Contains(numbers, fmt.Sprint(i)) || slices.Contains(numbers, fmt.Sprint(i+1)) {
		t.Errorf("%s error %q should name the bad sample's index %d — %s: the index is how many samples came before it, counting from 0", call, msg, i, task)
	}
}

// refusal is a stream the handler must refuse at its last sample, and the
// words to say so when it does not.
type refusal struct {
	call   string    // the stream as the messages show it
	values []float64 // sent in order, with no half-close: the last is refused
	what   string    // what is wrong with the last sample
	task   string    // where it is refused, e.g. "task 2 in server.go"
	check  string    // how to refuse it at once
	early  string    // what to do about a handler that returned before it
}

// wantRefusedAtOnce sends r.values and does not half-close. The handler
// must return InvalidArgument, naming the last sample's index, after exactly
// as many Recv calls as there are samples: one that reads on, looking for
// the end of the input or skipping the bad sample, asks for one more.
func wantRefusedAtOnce(t *testing.T, r refusal) {
	t.Helper()
	bad := len(r.values) - 1 // index of the bad sample, counting from 0
	client, spy := startStats(t, nil)
	ctx := grpctest.Context(t, 20*time.Second)
	stream, err := client.Summarize(ctx)
	if err != nil {
		t.Fatalf("opening the Summarize stream: %v (tasks 1 to 3 in server.go need it)", err)
	}
	for i, v := range r.values {
		if err := grpctest.Send(stream, &statspb.Sample{Value: v}); err != nil {
			t.Fatalf("%s: Send(sample %d) failed: the server ended the call with %s before the bad sample — %s", r.call, i, showErr(err), r.early)
		}
	}

	// The client has not half-closed: a handler that waits for io.EOF
	// before it checks, or skips the bad sample, asks for one more.
	c := spy.nextCall(t)
	st, ok := c.await(10*time.Second, func(st callState) bool { return st.returned || st.recvs > bad+1 })
	switch {
	case st.recvs > bad+1:
		t.Fatalf("%s: after sample %d (%s), Recv was called again, for sample %d, instead of the handler returning an error — %s: %s; read no further: the client may send forever and never half-close", r.call, bad, r.what, bad+1, r.task, r.check)
	case !ok:
		t.Fatalf("%s: 10 s after sample %d the handler had received %d samples and not returned — %s: %s", r.call, bad, st.samples, r.task, r.check)
	case st.samples < bad+1:
		t.Fatalf("%s: the handler returned %s after %d samples, before the bad one — %s", r.call, showErr(st.result), st.samples, r.early)
	}
	if onTheWire(st.result) != codes.InvalidArgument {
		t.Errorf("%s: the handler returned %s, want InvalidArgument — %s: a sample that cannot be summarized is an invalid argument: return status.Errorf(codes.InvalidArgument, …)", r.call, showErr(st.result), r.task)
		return
	}
	checkIndex(t, r.task, r.call, status.Convert(st.result).Message(), bad)

	// The client learns it from CloseAndRecv.
	_, err = stream.CloseAndRecv()
	grpctest.WantCode(t, r.call, err, codes.InvalidArgument, r.task)
}

func TestTask2_RejectsNonFiniteSamplesAtOnce(t *testing.T) {
	for _, tc := range nonFinite {
		t.Run(tc.name, func(t *testing.T) {
			// Samples 0 to 6 are 1 to 7; sample 7 is the bad one.
			values := []float64{1, 2, 3, 4, 5, 6, 7, tc.value}
			wantRefusedAtOnce(t, refusal{
				call:   fmt.Sprintf("Summarize(1, 2, …, 7, %s, and no half-close)", tc.name),
				values: values,
				what:   tc.name,
				task:   "task 2 in server.go",
				check:  "check each sample as it arrives (math.IsNaN, math.IsInf) and return at once",
				early:  "task 1 in server.go: Recv every sample until io.EOF",
			})
		})
	}
}

func TestTask2_RejectsAFirstSampleThatIsNaN(t *testing.T) {
	client, _ := startStats(t, nil)
	const call = "Summarize(NaN, 1, 2)"
	_, err := summarize(t, client, []float64{math.NaN(), 1, 2})
	grpctest.WantCode(t, call, err, codes.InvalidArgument,
		"task 2 in server.go: check every sample, the first one included")
	if status.Code(err) == codes.InvalidArgument {
		checkIndex(t, "task 2 in server.go", call, status.Convert(err).Message(), 0)
	}
}

func TestTask3_EmptyStreamHasCountZero(t *testing.T) {
	client, _ := startStats(t, nil)
	got, err := summarize(t, client, nil)
	if err != nil {
		t.Fatalf("Summarize(no samples) failed: %s, want a Summary with count 0 — task 3 in server.go: an empty stream is not an error", showErr(err))
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

func TestTask3_RefusesASumOutOfRange(t *testing.T) {
	const largest = math.MaxFloat64 // 1.7976931348623157e+308
	for _, tc := range []struct {
		name   string
		values []float64
	}{
		{"1e308, 5e307, 6e307", []float64{1e308, 5e307, 6e307}},
		{"-1e308, -5e307, -6e307", []float64{-1e308, -5e307, -6e307}},
		{"the largest double twice", []float64{largest, largest}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last := tc.values[len(tc.values)-1]
			wantRefusedAtOnce(t, refusal{
				call:   fmt.Sprintf("Summarize(%s, and no half-close)", tc.name),
				values: tc.values,
				what:   fmt.Sprintf("%g, which takes the sum to %g", last, sum(tc.values)),
				task:   "task 3 in server.go",
				check:  "as each sample arrives, ask whether the sum with it would be ±Inf (math.IsInf), and if so return the error at once, as for a NaN: from there the sum and the mean stay ±Inf whatever follows",
				early:  "task 3 in server.go: every sum before the last sample is finite; refuse a sample only when the sum with it would be ±Inf",
			})
		})
	}
}

// sum adds values in order, as a float64 does: ±Inf once it overflows.
func sum(values []float64) float64 {
	var s float64
	for _, v := range values {
		s += v
	}
	return s
}

func TestTask3_SumsUpToTheLargestDouble(t *testing.T) {
	// Every sum along the way is finite: 1.8e308, 0, 1.8e308, 7.98e307.
	values := []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64, -1e308}
	const what = "the largest double, its opposite, the largest again, -1e308"
	client, _ := startStats(t, nil)
	got, err := summarize(t, client, values)
	if err != nil {
		t.Fatalf("Summarize(%s) failed: %s, want a Summary — task 3 in server.go: each sample is finite and so is every sum along the way; refuse a sample only when the sum with it would be ±Inf", what, showErr(err))
	}
	checkSummary(t, what, got, reference(values),
		"tasks 1 and 3 in server.go: a sum near the largest double is a sum like any other")
}
