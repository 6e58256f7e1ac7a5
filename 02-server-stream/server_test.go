package serverstream

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// wait bounds how long a test waits for something that, done right, takes
// microseconds: it only decides how long a failure takes to show, so it is
// generous enough for a loaded laptop.
const wait = 10 * time.Second

// A number whose factoring takes a known amount of searching: after the
// factor 2, found on the very first pass of the loop, trial division tries
// about 3.2 million more candidates (√q) before it knows that the rest, q, is
// prime. That is milliseconds of work, and it is the same work on every
// machine, so the tests can tell "while the search went on" from "after"
// by counting the loop's passes (through its looks at the context), never by
// the clock.
const (
	bigFactor int64 = 9999999999971 // a prime: 10^13 - 29
	twiceBig  int64 = 2 * bigFactor

	// searchAfterTwo is how many candidates the loop tries after the
	// factor 2 of twiceBig, with nothing to send: 3 … ⌊√bigFactor⌋ (3162277).
	searchAfterTwo = 3162277 - 2
	// lookGap is the most candidates the search may try without asking
	// whether its call is over: a stretch of about a millisecond.
	lookGap = 100_000
)

// newFactorizerClient starts the learner's Server in memory and returns a client for it.
func newFactorizerClient(t testing.TB) factorspb.FactorizerClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &Server{})
	})
	return factorspb.NewFactorizerClient(conn)
}

// drain makes one PrimeFactors call with ctx and reads it to the end: every
// factor it streamed and the error it ended with (nil for OK).
func drain(ctx context.Context, client factorspb.FactorizerClient, number int64) ([]int64, error) {
	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: number})
	if err != nil {
		return nil, err
	}
	var factors []int64
	for {
		f, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return factors, nil
		}
		if err != nil {
			return factors, err
		}
		factors = append(factors, f.GetPrime())
	}
}

// requireTask1 stops a test that needs the factors to stream until task 1 is
// done, rather than let it wait for a search the skeleton never reports.
func requireTask1(t *testing.T) {
	t.Helper()
	got, err := drain(grpctest.Context(t, wait), newFactorizerClient(t), 12)
	if err != nil || !slices.Equal(got, []int64{2, 2, 3}) {
		t.Fatalf("PrimeFactors(12) streamed %v and ended with %v, want [2 2 3] and OK — do task 1 in server.go first (TestTask1_FactorsInAscendingOrder)", got, err)
	}
}

// endHint explains the usual reasons a stream that should end with OK did
// not: the skeleton's return, io.EOF, or a handler that never returns.
func endHint(err error) string {
	st := status.Convert(err)
	switch {
	case st.Code() == codes.Unimplemented:
		return "the skeleton's `return status.Error(codes.Unimplemented, …)` is still there: once every factor is sent, return nil"
	case st.Code() == codes.Unknown && st.Message() == io.EOF.Error():
		return "the handler returned io.EOF; a handler ends its stream with OK by returning nil (io.EOF is what the client's Recv reports then)"
	case st.Code() == codes.DeadlineExceeded:
		return "the call did not end within " + wait.String() + ": does the handler return nil after the loop? Or does it wait on stream.Context().Done() (task 3)? A receive from Done, or a select on it with no default case, waits until the call is over"
	}
	return "send every factor with stream.Send, then return nil"
}

func TestTask1_FactorsInAscendingOrder(t *testing.T) {
	client := newFactorizerClient(t)
	ctx := grpctest.Context(t, wait)
	for _, tc := range []struct {
		number int64
		want   []int64
	}{
		{2, []int64{2}},
		{12, []int64{2, 2, 3}},
		{97, []int64{97}},
		{1024, []int64{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
		{360, []int64{2, 2, 2, 3, 3, 5}},
		{600851475143, []int64{71, 839, 1471, 6857}},
		{999966000289, []int64{999983, 999983}},
		{math.MaxInt64, []int64{7, 7, 73, 127, 337, 92737, 649657}},
	} {
		t.Run(strconv.FormatInt(tc.number, 10), func(t *testing.T) {
			got, err := drain(ctx, client, tc.number)
			if err != nil {
				t.Fatalf("PrimeFactors(%d) streamed %v, then ended with %v, want OK — task 1 in server.go: %s", tc.number, got, err, endHint(err))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("PrimeFactors(%d) streamed %v, want %v — task 1 in server.go: send p each time it divides n, and what is left of n at the end if it is more than 1", tc.number, got, tc.want)
			}
		})
	}
}

func TestTask1_ReturnsTheErrorOfSend(t *testing.T) {
	// The connection breaks: Send fails. The handler must stop and return
	// that error, whichever Send it was.
	for _, tc := range []struct {
		name   string
		number int64
	}{
		{"a factor found in the loop", 12},
		{"the last factor, after the loop", 97},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := status.Error(codes.Unavailable, "the test broke the connection")
			p := &probe{failSend: broken}
			client := newProbedClient(t, p)
			requireTask1(t)
			ctx := grpctest.Context(t, wait)

			call := "PrimeFactors(" + strconv.FormatInt(tc.number, 10) + ")"
			drain(ctx, client, tc.number) // the handler's side tells what went wrong
			ended, sends := p.waitReturn(t, ctx, "after its Send failed")
			switch {
			case len(sends) == 0:
				t.Fatalf("%s never called stream.Send — task 1 in server.go", call)
			case ended.err == nil:
				t.Errorf("%s returned nil (OK) after stream.Send failed with %v: the client would read io.EOF and think it had every factor — task 1 in server.go: if Send fails, return its error", call, broken)
			case wireCode(ended.err) != codes.Unavailable:
				t.Errorf("after stream.Send failed with code Unavailable, %s returned %q, which ends the call with %s instead — task 1 in server.go: return Send's error itself (fmt.Errorf with %%v, or a new status, loses its code)",
					call, ended.err, wireCode(ended.err))
			}
			for _, s := range sends {
				if s.afterFail {
					t.Errorf("%s called stream.Send(%d) after an earlier Send had failed: the stream is over once Send fails — task 1 in server.go: return Send's error at once", call, s.prime)
					break
				}
			}
		})
	}
}

func TestTask2_RejectsNumbersBelowTwo(t *testing.T) {
	client := newFactorizerClient(t)
	ctx := grpctest.Context(t, wait)
	for _, number := range []int64{0, 1, -1, -12, math.MinInt64} {
		t.Run(strconv.FormatInt(number, 10), func(t *testing.T) {
			got, err := drain(ctx, client, number)
			grpctest.WantCode(t, "PrimeFactors("+strconv.FormatInt(number, 10)+")", err, codes.InvalidArgument,
				"task 2 in server.go: reject a number below 2 with status.Error(codes.InvalidArgument, …) before searching")
			if len(got) > 0 {
				t.Errorf("PrimeFactors(%d) streamed %v before its error, want no factors — task 2 in server.go: check the number first", number, got)
			}
		})
	}
}

// wantSentAtOnce fails the test if the handler finished its search before it
// sent the factor 2, which divides the number at the very first pass of the
// loop: that handler collects the factors instead of streaming them.
//
// The evidence is the handler's looks at its context, one per pass of the
// loop (task 3): a handler that streams has looked once or twice when it
// sends 2, and looks again as the search goes on; one that collects has made
// all its looks, thousands or millions of them, before its first Send, and
// none after. (A handler that looks only once or twice in all, before its
// loop, is left to the checks of task 3.)
func wantSentAtOnce(t *testing.T, p *probe, number int64, sends []sent) {
	t.Helper()
	if len(sends) == 0 {
		return
	}
	before := sends[0].looks
	if after := p.looks.Load() - before; after == 0 && before > 2 {
		t.Fatalf("PrimeFactors(%d) checked its context %d times before it sent its first factor, %d, and never after: it searched all the way first, yet 2 divides the number on the very first pass of the loop — task 1 in server.go: call stream.Send inside the loop, the moment a factor divides n, not after the search",
			number, before, sends[0].prime)
	}
}

func TestTask3_SendsEachFactorAsSoonAsFound(t *testing.T) {
	// The factor 2 must leave before the search for the other one goes on.
	// The handler's own looks at its context, one per pass of the loop (task
	// 3), say how far the search had gone when it sent 2: no clock involved.
	p := &probe{}
	client := newProbedClient(t, p)
	requireTask1(t)
	ctx := grpctest.Context(t, wait)

	got, err := drain(ctx, client, twiceBig)
	if err != nil || !slices.Equal(got, []int64{2, bigFactor}) {
		t.Fatalf("PrimeFactors(%d) streamed %v and ended with %v, want [2 %d] and OK — task 1 in server.go: %s", twiceBig, got, err, bigFactor, endHint(err))
	}
	_, sends := p.waitReturn(t, ctx, "after its stream ended")
	wantSentAtOnce(t, p, twiceBig, sends)
	if p.looks.Load() == sends[0].looks {
		t.Fatalf("PrimeFactors(%d) searched some 3.2 million candidates for the factor after 2 without once checking stream.Context() — task 3 in server.go: the search must ask its call's context whether the call is over while it goes on. (Those looks are also how this test sees that task 1 sends each factor before the search goes on.)",
			twiceBig)
	}
}

func TestTask3_LooksWhileItSearches(t *testing.T) {
	// Between the factor 2 and the other one the search tries some 3.2
	// million candidates with nothing to send. A client that hangs up in that
	// stretch is noticed only by a handler that asks about its call there
	// too, not only when it has a factor to send (Send fails on a call that
	// is over anyway). Counted, not timed: the looks between the two Sends.
	p := &probe{}
	client := newProbedClient(t, p)
	requireTask1(t)
	ctx := grpctest.Context(t, wait)

	got, err := drain(ctx, client, twiceBig)
	if err != nil || !slices.Equal(got, []int64{2, bigFactor}) {
		t.Fatalf("PrimeFactors(%d) streamed %v and ended with %v, want [2 %d] and OK — task 1 in server.go: %s", twiceBig, got, err, bigFactor, endHint(err))
	}
	_, sends := p.waitReturn(t, ctx, "after its stream ended")
	wantSentAtOnce(t, p, twiceBig, sends)
	if len(sends) < 2 {
		t.Fatalf("PrimeFactors(%d) made %d Sends (%s), want one per factor — task 1 in server.go", twiceBig, len(sends), primes(sends))
	}
	if looked := sends[len(sends)-1].looks - sends[0].looks; looked < searchAfterTwo/lookGap {
		t.Fatalf("between the factors 2 and %d, PrimeFactors(%d) tried some 3.2 million candidates with nothing to send, and in all that stretch it asked stream.Context() whether the call was over %d time(s), want at least %d: a client that hangs up during that stretch leaves the search running for nobody until it ends — task 3 in server.go: the search must notice the end of its call while it goes on, at least once every %d candidates, not only when it has a factor to send",
			bigFactor, twiceBig, looked, searchAfterTwo/lookGap, lookGap)
	}
}

func TestTask3_StopsWhenTheClientCancels(t *testing.T) {
	// The first Send returns only once the cancellation has reached the
	// server, so whatever the handler does next, it does for a client that is
	// gone: a handler that checks its context stops at its next pass.
	p := &probe{holdFirstSend: true}
	client := newProbedClient(t, p)
	requireTask1(t)
	bound := grpctest.Context(t, wait)
	ctx, cancel := context.WithCancel(bound)
	defer cancel()

	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: twiceBig})
	if err != nil {
		t.Fatalf("PrimeFactors(%d): %v", twiceBig, err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("PrimeFactors(%d): the first Recv returned %v, want the factor 2 — task 1 in server.go: Send each factor as soon as it divides n", twiceBig, err)
	}
	cancel() // the client hangs up while the handler searches for the other factor

	ended, sends := p.waitReturn(t, bound, wait.String()+" after the client cancelled mid-stream")
	wantSentAtOnce(t, p, twiceBig, sends)
	wantStoppedAtOnce(t, "the client cancelled", sends)
	wantContextError(t, ended)
}

func TestTask3_StopsAtTheDeadline(t *testing.T) {
	t.Run("the client's deadline", func(t *testing.T) {
		// The client gives the call 200 ms. The first Send returns only once
		// the call has ended on the server's side, so the handler's next pass
		// comes after the deadline, for certain.
		p := &probe{holdFirstSend: true}
		client := newProbedClient(t, p)
		requireTask1(t)
		bound := grpctest.Context(t, wait)
		ctx, cancel := context.WithTimeout(bound, 200*time.Millisecond)
		defer cancel()

		_, err := drain(ctx, client, twiceBig)
		grpctest.WantCode(t, "PrimeFactors("+strconv.FormatInt(twiceBig, 10)+") with a 200 ms deadline", err, codes.DeadlineExceeded,
			"task 3 in server.go: the call's deadline passed while the handler was searching, so the call must end with it")
		ended, sends := p.waitReturn(t, bound, wait.String()+" after the call's deadline passed")
		wantSentAtOnce(t, p, twiceBig, sends)
		wantStoppedAtOnce(t, "the call's deadline passed", sends)
		wantContextError(t, ended)
	})

	t.Run("the server's deadline", func(t *testing.T) {
		// The same, with the deadline on the handler's context alone: the
		// client does not race it, so the context ends with
		// DeadlineExceeded, for certain, and so must the handler.
		p := &probe{holdFirstSend: true, deadline: 50 * time.Millisecond}
		client := newProbedClient(t, p)
		requireTask1(t)
		ctx := grpctest.Context(t, wait)

		_, err := drain(ctx, client, twiceBig)
		ended, sends := p.waitReturn(t, ctx, wait.String()+" after its context's deadline passed")
		wantSentAtOnce(t, p, twiceBig, sends)
		wantStoppedAtOnce(t, "its context's deadline passed", sends)
		wantContextError(t, ended)
		if !t.Failed() {
			grpctest.WantCode(t, "PrimeFactors("+strconv.FormatInt(twiceBig, 10)+") whose context's deadline passed mid-search", err, codes.DeadlineExceeded,
				"task 3 in server.go: end the stream with the status of the context's error, which is DeadlineExceeded when the deadline ended the call (status.FromContextError)")
		}
	})
}

// wantStoppedAtOnce fails the test if the handler sent anything once its
// call had ended: it went on searching for nobody. The first Send is left
// out: on a loaded machine the call may end between a correct handler's
// look at its context and that Send, a moment apart; every later factor
// of these numbers is millions of candidates further, past many looks.
func wantStoppedAtOnce(t *testing.T, what string, sends []sent) {
	t.Helper()
	for i, s := range sends {
		if s.afterEnd && i > 0 {
			t.Errorf("after %s, PrimeFactors went on searching and called stream.Send(%d) (its Sends: %s) — task 3 in server.go: nothing interrupts the search; it must ask stream.Context() whether the call is over as it goes, and stop once it is", what, s.prime, primes(sends))
			return
		}
	}
}

// wantContextError checks that a handler stopped by its context returned
// the context's error as a status: Canceled or DeadlineExceeded, whichever
// ended the call on the server's side. (A client whose deadline passes
// cancels the stream, so the server often sees Canceled even then.)
func wantContextError(t *testing.T, ended handlerResult) {
	t.Helper()
	if ended.ctxErr == nil {
		t.Errorf("PrimeFactors returned %v while its call was still on, want it to run until its context ended — task 3 in server.go", ended.err)
		return
	}
	want := status.FromContextError(ended.ctxErr).Code()
	what := strings.TrimPrefix(ended.ctxErr.Error(), "context ")
	if ended.err == nil {
		t.Errorf("PrimeFactors returned nil (OK) when it stopped because its context had ended (%s): the call's status would hide why it ended — task 3 in server.go: end the stream with the context's error as a status, code %s (status.FromContextError)", what, want)
		return
	}
	if got := wireCode(ended.err); got != want {
		t.Errorf("PrimeFactors returned %v (code %s) when its context had ended (%s), want code %s — task 3 in server.go: end the stream with the status of the context's own error, which says whether it was cancelled or ran out of time (status.FromContextError)", ended.err, got, what, want)
	}
}

// wireCode is the status code a handler's error puts on the wire: gRPC sends
// a plain context error as the matching code, any other plain error as Unknown.
func wireCode(err error) codes.Code {
	if _, ok := status.FromError(err); ok {
		return status.Code(err)
	}
	return status.FromContextError(err).Code()
}
