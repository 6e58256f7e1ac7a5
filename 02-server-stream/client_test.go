package serverstream

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tasks are tested against fake Factorizers defined here, so that
// they do not depend on your server: each fake does one thing, on purpose.

// scriptedFactorizer streams factors, then ends the stream with err (nil: OK).
type scriptedFactorizer struct {
	factorspb.UnimplementedFactorizerServer
	factors []int64
	err     error
}

func (f *scriptedFactorizer) PrimeFactors(_ *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	for _, p := range f.factors {
		if err := stream.Send(&factorspb.Factor{Prime: p}); err != nil {
			return err
		}
	}
	return f.err
}

// pausingFactorizer sends the factor 2, then waits until resume is closed
// before it sends 3 and 5. A client that collects every factor before it
// calls onFactor never closes it: after a generous pause the fake gives up
// waiting, says so in gaveUp, and sends the rest anyway.
type pausingFactorizer struct {
	factorspb.UnimplementedFactorizerServer
	resume chan struct{}
	gaveUp atomic.Bool
}

// pause is how long pausingFactorizer waits for onFactor to see the first
// factor, which done right takes microseconds.
const pause = 5 * time.Second

func (f *pausingFactorizer) PrimeFactors(_ *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	if err := stream.Send(&factorspb.Factor{Prime: 2}); err != nil {
		return err
	}
	timer := time.NewTimer(pause)
	defer timer.Stop()
	select {
	case <-f.resume:
	case <-timer.C:
		f.gaveUp.Store(true)
	case <-stream.Context().Done():
		return status.FromContextError(stream.Context().Err()).Err()
	}
	for _, p := range []int64{3, 5} {
		if err := stream.Send(&factorspb.Factor{Prime: p}); err != nil {
			return err
		}
	}
	return nil
}

// endlessFactorizer reports on calls whether the call came with a deadline
// (and ends one that has none at once, with FailedPrecondition), sends the
// factors 2, 3 and 5, then keeps the stream open until the client hangs up,
// and reports on hungUp the error the call's context ended with.
type endlessFactorizer struct {
	factorspb.UnimplementedFactorizerServer
	calls  chan bool
	hungUp chan error
}

func newEndlessFactorizer() *endlessFactorizer {
	return &endlessFactorizer{calls: make(chan bool, 1), hungUp: make(chan error, 1)}
}

func (f *endlessFactorizer) PrimeFactors(_ *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	ctx := stream.Context()
	_, hasDeadline := ctx.Deadline()
	f.calls <- hasDeadline
	if !hasDeadline {
		return status.Error(codes.FailedPrecondition, "the test's server wants every call to carry the deadline of Factorize's ctx, and this one has none")
	}
	for _, p := range []int64{2, 3, 5} {
		if stream.Send(&factorspb.Factor{Prime: p}) != nil {
			break // the client hung up already
		}
	}
	<-ctx.Done()
	f.hungUp <- ctx.Err()
	return status.FromContextError(ctx.Err()).Err()
}

func fakeClient(t *testing.T, fake factorspb.FactorizerServer) factorspb.FactorizerClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { factorspb.RegisterFactorizerServer(s, fake) })
	return factorspb.NewFactorizerClient(conn)
}

// callRecorder is a FactorizerClient that keeps the context each call was
// made with, so a test can see whether Factorize had cancelled it by the
// time it returned.
type callRecorder struct {
	factorspb.FactorizerClient
	mu  sync.Mutex
	ctx context.Context
}

func (c *callRecorder) PrimeFactors(ctx context.Context, in *factorspb.FactorRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[factorspb.Factor], error) {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
	return c.FactorizerClient.PrimeFactors(ctx, in, opts...)
}

func (c *callRecorder) callContext() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctx
}

// tooMany is more calls of onFactor than any test's stream has factors.
const tooMany = 100

// factorize calls the learner's Factorize(ctx, client, number, first, …) and
// returns what it passed to onFactor, in order, and what it returned. also,
// if not nil, is called with each factor after it is recorded.
//
// Factorize runs on a goroutine of its own, so that the test fails with a
// reason, rather than hangs, if Factorize does not return 5 s after ctx is
// done (its call cannot be using ctx), or keeps calling onFactor long after
// the stream's last factor (it ignores an error from Recv).
func factorize(t *testing.T, ctx context.Context, client factorspb.FactorizerClient, number int64, first int, also func(int64)) ([]int64, error) {
	t.Helper()
	var (
		got      []int64
		err      error
		runaway  bool
		returned = make(chan struct{})
	)
	go func() {
		defer close(returned)
		err = Factorize(ctx, client, number, first, func(p int64) {
			if len(got) == tooMany {
				runaway = true
				runtime.Goexit() // ends Factorize, running its deferred calls
			}
			got = append(got, p)
			if also != nil {
				also(p)
			}
		})
	}()
	select {
	case <-returned:
	case <-ctx.Done():
		grace := time.NewTimer(5 * time.Second)
		defer grace.Stop()
		select {
		case <-returned:
		case <-grace.C:
			t.Fatalf("Factorize(%d, first %d) had not returned 5 s after its ctx was done — task 4 in client.go: make the call with ctx (or a context made from it, never context.Background()), so that its deadline and cancellation end the call", number, first)
		}
	}
	if runaway {
		t.Fatalf("Factorize(%d, first %d) called onFactor more than %d times, with %v…, for a stream of at most 3 factors — task 4 in client.go: when Recv returns an error other than io.EOF, return it; the stream is over", number, first, tooMany, got[:5])
	}
	return got, err
}

// requireTask4 stops a task 5 test whose Factorize still returns the
// skeleton's Unimplemented.
func requireTask4(t *testing.T, err error) {
	t.Helper()
	if status.Code(err) == codes.Unimplemented {
		t.Fatalf("Factorize returned %v — do task 4 in client.go first (TestTask4_DeliversEveryFactorUntilEOF)", err)
	}
}

func TestTask4_DeliversEveryFactorUntilEOF(t *testing.T) {
	client := fakeClient(t, &scriptedFactorizer{factors: []int64{2, 2, 3}})
	got, err := factorize(t, grpctest.Context(t, wait), client, 12, 0, nil)
	if err != nil {
		t.Fatalf("Factorize(12) returned %v, want nil — task 4 in client.go: Recv until it returns io.EOF, which means the server ended the stream with OK, then return nil", err)
	}
	want := []int64{2, 2, 3}
	if len(got) > 0 && len(got) < len(want) && slices.Equal(got, want[:len(got)]) {
		t.Fatalf("Factorize(12, first 0) passed %v to onFactor and stopped, want %v: first = 0 means every factor — task 5 in client.go if you count factors (a count that starts at 1 never equals 0), task 4 otherwise: Recv until io.EOF", got, want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Factorize(12) passed %v to onFactor, want %v in the order they came — task 4 in client.go", got, want)
	}
}

func TestTask4_DeliversEachFactorAsItArrives(t *testing.T) {
	fake := &pausingFactorizer{resume: make(chan struct{})}
	client := fakeClient(t, fake)
	var once sync.Once
	got, err := factorize(t, grpctest.Context(t, wait), client, 30, 0, func(int64) {
		once.Do(func() { close(fake.resume) }) // the server sends the rest only once onFactor has seen the first
	})
	if fake.gaveUp.Load() {
		t.Fatalf("Factorize(30) did not pass the first factor to onFactor while the stream was open: the server waited %v for it before sending the rest (Factorize then returned %v, after delivering %v) — task 4 in client.go: call onFactor inside the Recv loop, for each factor as it arrives, not after the stream ends", pause, err, got)
	}
	if err != nil {
		t.Fatalf("Factorize(30) returned %v, want nil — task 4 in client.go", err)
	}
	if want := []int64{2, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("Factorize(30) passed %v to onFactor, want %v — task 4 in client.go", got, want)
	}
}

func TestTask4_PassesErrorsThrough(t *testing.T) {
	sent := status.Error(codes.InvalidArgument, "number must be at least 2, got 1")
	client := fakeClient(t, &scriptedFactorizer{err: sent})
	got, err := factorize(t, grpctest.Context(t, wait), client, 1, 0, nil)
	grpctest.WantCode(t, "Factorize(1)", err, codes.InvalidArgument,
		"task 4 in client.go: return the error Recv gave you")
	if status.Code(err) == codes.InvalidArgument && err.Error() != sent.Error() {
		t.Errorf("Factorize(1) returned the error %q, want it unchanged: %q — task 4 in client.go: return err itself, not wrapped", err, sent)
	}
	if len(got) > 0 {
		t.Errorf("Factorize(1) passed %v to onFactor, want nothing — task 4 in client.go", got)
	}
}

func TestTask4_ErrorAfterSomeFactors(t *testing.T) {
	client := fakeClient(t, &scriptedFactorizer{factors: []int64{2, 3}, err: status.Error(codes.Unavailable, "server going away")})
	got, err := factorize(t, grpctest.Context(t, wait), client, 30, 0, nil)
	grpctest.WantCode(t, "Factorize(30) from a server that fails after two factors", err, codes.Unavailable,
		"task 4 in client.go: a stream can fail after some messages; return the error Recv gave you")
	if want := []int64{2, 3}; !slices.Equal(got, want) {
		t.Errorf("Factorize(30) passed %v to onFactor before the error, want %v — task 4 in client.go", got, want)
	}
}

func TestTask4_CallsWithTheCallersContext(t *testing.T) {
	// The caller's ctx has a deadline, and the caller cancels it once it has
	// seen the first factor: both must reach the call.
	fake := newEndlessFactorizer()
	client := fakeClient(t, fake)
	ctx, cancel := context.WithCancel(grpctest.Context(t, wait))
	defer cancel()

	got, err := factorize(t, ctx, client, 30, 0, func(int64) { cancel() })
	select {
	case hasDeadline := <-fake.calls:
		if !hasDeadline {
			t.Fatalf("the call reached the server without a deadline, though Factorize's ctx has one — task 4 in client.go: call client.PrimeFactors with ctx, or a context derived from it, never context.Background()")
		}
	default: // no call reached the server: what Factorize returned says why
	}
	grpctest.WantCode(t, "Factorize(30) whose caller cancelled ctx after the first factor", err, codes.Canceled,
		"task 4 in client.go: make the call with ctx, so that cancelling it ends the call, and return Recv's error unchanged")
	if len(got) == 0 || got[0] != 2 {
		t.Errorf("Factorize(30) passed %v to onFactor, want 2 first — task 4 in client.go", got)
	}
}

func TestTask5_StopsAfterTheFirstK(t *testing.T) {
	for _, first := range []int{1, 2} {
		t.Run("first="+strconv.Itoa(first), func(t *testing.T) {
			fake := newEndlessFactorizer()
			client := &callRecorder{FactorizerClient: fakeClient(t, fake)}
			ctx := grpctest.Context(t, wait)

			got, err := factorize(t, ctx, client, 30, first, nil)
			requireTask4(t, err)
			if err != nil && ctx.Err() != nil && len(got) == first {
				t.Fatalf("Factorize(30, first %d) had delivered the factors it wanted, %v, yet was still reading the stream when the deadline of its ctx (%v) passed, and returned %v, want nil at once — task 5 in client.go: the rest of a stream does not stop coming because nobody wants it; once you have enough, the call has to be ended", first, got, wait, err)
			}
			if err != nil {
				t.Fatalf("Factorize(30, first %d) returned %v, want nil — task 5 in client.go: stopping early, as asked, is a success", first, err)
			}
			if want := []int64{2, 3, 5}[:first]; !slices.Equal(got, want) {
				t.Errorf("Factorize(30, first %d) passed %v to onFactor, want %v — task 5 in client.go: count the factors you deliver, and return once you have delivered first of them", first, got, want)
			}
			// By the time Factorize has returned, the call must be cancelled:
			// its deferred cancel has run. Nothing to wait for.
			if call := client.callContext(); call == nil || call.Err() == nil {
				t.Fatalf("Factorize(30, first %d) returned with its call still open: the server keeps the stream and goes on searching — task 5 in client.go: returning does not end a call, and neither does CloseSend (it only says the client will send nothing more); a call is over when the context it was made with is cancelled (see the doc of grpc.ClientConn.NewStream)", first)
			}
			select {
			case cause := <-fake.hungUp:
				if cause != context.Canceled {
					t.Errorf("the server's stream ended with %v, want context.Canceled — task 5 in client.go: cancel the call", cause)
				}
			case <-ctx.Done():
				t.Errorf("Factorize(30, first %d) cancelled the call, but the server's stream was still open %v later — task 5 in client.go: cancel the context the call was made with", first, wait)
			}
		})
	}
}

func TestTask5_FirstZeroMeansAll(t *testing.T) {
	client := fakeClient(t, &scriptedFactorizer{factors: []int64{2, 2, 3}})
	ctx := grpctest.Context(t, wait)
	for _, first := range []int{0, 3, 10} {
		got, err := factorize(t, ctx, client, 12, first, nil)
		requireTask4(t, err)
		if err != nil || !slices.Equal(got, []int64{2, 2, 3}) {
			t.Errorf("Factorize(12, first %d) delivered %v and returned %v, want [2 2 3] and nil — task 5 in client.go: first 0 means every factor, and a stream shorter than first ends at io.EOF", first, got, err)
		}
	}
}
