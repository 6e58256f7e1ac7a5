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

// prompt bounds how long a test waits for what a right handler does at
// once: a factor found on the first pass of its loop, or its return once its
// call is over. It decides nothing but how long a failure takes to show; a
// handler that does the thing takes microseconds, and one that does not
// would take the billions of candidates below.
const prompt = 3 * time.Second

// stopBound bounds how long a handler may take to return once its call is
// over. One that looks at its context returns in microseconds; one that
// searches on takes seconds more even on a fast desktop (a billion and more
// divisions), so this bound is kept short enough that a fast machine does
// not finish such a search inside it.
const stopBound = time.Second

// Numbers whose search is far longer than any test waits: billions of
// candidates, seconds of work on any machine. A handler that stops when its
// call is over returns in microseconds instead; one that does not is still
// searching when the test's bound runs out.
const (
	// bigPrime is the largest prime an int64 holds: trial division tries
	// some 3 billion candidates before it knows, and has nothing to send
	// before then.
	bigPrime int64 = 9223372036854775783
	// bigFactor is the largest prime below half of that, and twiceBig is
	// 2 × bigFactor: the factor 2 is found on the very first pass of the
	// loop, then some 2 billion candidates go by before bigFactor.
	bigFactor int64 = 4611686018427387847
	twiceBig  int64 = 2 * bigFactor
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
			w := &watch{failSend: broken}
			client := newWatchedClient(t, w)
			requireTask1(t)
			ctx := grpctest.Context(t, wait)

			call := "PrimeFactors(" + strconv.FormatInt(tc.number, 10) + ")"
			drain(ctx, client, tc.number) // the handler's side tells what went wrong
			ended, sends := w.waitReturn(t, wait, call, "its Send failed")
			switch {
			case len(sends) == 0:
				t.Fatalf("%s never called stream.Send — task 1 in server.go", call)
			case ended.err == nil:
				t.Errorf("%s returned nil (OK) after stream.Send failed with %v: the client would read io.EOF and think it had every factor — task 1 in server.go: a failed Send ends the call with Send's error", call, broken)
			case wireCode(ended.err) != codes.Unavailable:
				t.Errorf("after stream.Send failed with code Unavailable, %s returned %q, which ends the call with %s instead — task 1 in server.go: the call must end with Send's own error, code and all",
					call, ended.err, wireCode(ended.err))
			}
			for _, s := range sends {
				if s.afterFail {
					t.Errorf("%s called stream.Send(%d) after an earlier Send had failed: the stream is over once Send fails — task 1 in server.go", call, s.prime)
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
				"task 2 in server.go: a number below 2 has no prime factorization")
			if len(got) > 0 {
				t.Errorf("PrimeFactors(%d) streamed %v before its error, want no factors — task 2 in server.go", number, got)
			}
		})
	}
	// The boundary: 2 is the smallest number with a factorization.
	if got, err := drain(ctx, client, 2); status.Code(err) == codes.InvalidArgument {
		t.Errorf("PrimeFactors(2) was refused with %v (streamed %v), want the factor 2 — task 2 in server.go: only numbers below 2 are refused", err, got)
	}
}

func TestTask3_StopsWhenTheClientCancels(t *testing.T) {
	// The client hangs up while the handler searches, some 3 billion
	// candidates from its answer: a handler that notices returns at once,
	// with the context's status; one that does not is still searching when
	// the test stops waiting.
	w := &watch{}
	client := newWatchedClient(t, w)
	requireTask1(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, wait))
	defer cancel()

	call := "PrimeFactors(" + strconv.FormatInt(bigPrime, 10) + ")"
	if _, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: bigPrime}); err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	w.waitStarted(t, call)
	cancel() // the client hangs up while the handler searches

	ended, sends := w.waitReturn(t, stopBound, call, "the client cancelled the call")
	wantNothingSentAfterTheEnd(t, call, "the client cancelled", sends)
	wantContextError(t, ended)
}

func TestTask3_SendsEachFactorAsSoonAsFound(t *testing.T) {
	// 2 divides twiceBig at the very first candidate; the other factor comes
	// some 2 billion candidates later. A handler that streams sends 2 at
	// once, and the client can hang up after it; one that collects sends
	// nothing until its search is over, long after the test stops waiting.
	w := &watch{}
	client := newWatchedClient(t, w)
	requireTask1(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, wait))
	defer cancel()

	call := "PrimeFactors(" + strconv.FormatInt(twiceBig, 10) + ")"
	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: twiceBig})
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	gave := time.AfterFunc(prompt, cancel)
	first, err := stream.Recv()
	if !gave.Stop() {
		t.Fatalf("%s sent nothing in %v (the stream then ended with %v), though 2 divides the number at the first candidate and the next factor is some 2 billion candidates further: want the factor 2 on the client while the search goes on — task 1 in server.go: each factor reaches the client the moment the search finds it",
			call, prompt, err)
	}
	if err != nil || first.GetPrime() != 2 {
		t.Fatalf("%s: the first Recv got %v and %v, want the factor 2 — task 1 in server.go", call, first, err)
	}
	cancel() // the client has what it wanted, and hangs up

	ended, sends := w.waitReturn(t, stopBound, call, "the client cancelled the call after the factor 2")
	wantNothingSentAfterTheEnd(t, call, "the client cancelled", sends)
	wantContextError(t, ended)
}

func TestTask3_StopsAtTheDeadline(t *testing.T) {
	call := "PrimeFactors(" + strconv.FormatInt(bigPrime, 10) + ")"
	t.Run("the client's deadline", func(t *testing.T) {
		// The client gives the call 200 ms of a search of billions of
		// candidates: the call ends with DeadlineExceeded, and the handler
		// must stop searching once it has.
		w := &watch{}
		client := newWatchedClient(t, w)
		requireTask1(t)
		ctx, cancel := context.WithTimeout(grpctest.Context(t, wait), 200*time.Millisecond)
		defer cancel()

		_, err := drain(ctx, client, bigPrime)
		grpctest.WantCode(t, call+" with a 200 ms deadline", err, codes.DeadlineExceeded,
			"task 3 in server.go: the call's deadline passed while the handler was searching")
		ended, sends := w.waitReturn(t, stopBound, call, "the call's deadline passed")
		wantNothingSentAfterTheEnd(t, call, "the call's deadline passed", sends)
		wantContextError(t, ended)
	})

	t.Run("the server's deadline", func(t *testing.T) {
		// The same, with the deadline on the handler's context alone: the
		// client does not race it, so the context ends with
		// DeadlineExceeded, for certain, and so must the call.
		w := &watch{deadline: 50 * time.Millisecond}
		client := newWatchedClient(t, w)
		requireTask1(t)
		ctx := grpctest.Context(t, wait)

		result := make(chan error, 1)
		go func() {
			_, err := drain(ctx, client, bigPrime)
			result <- err
		}()
		ended, sends := w.waitReturn(t, stopBound, call, "its context's deadline passed")
		wantNothingSentAfterTheEnd(t, call, "its context's deadline passed", sends)
		wantContextError(t, ended)
		err := <-result
		if !t.Failed() {
			grpctest.WantCode(t, call+" whose context's deadline passed mid-search", err, codes.DeadlineExceeded,
				"task 3 in server.go: the stream ends with the status that matches the context's error, and its deadline ended this one")
		}
	})
}

// wantNothingSentAfterTheEnd fails the test if the handler sent anything
// once its call had ended: it went on searching for nobody.
func wantNothingSentAfterTheEnd(t *testing.T, call, what string, sends []sent) {
	t.Helper()
	for _, s := range sends {
		if s.afterEnd {
			t.Errorf("after %s, %s went on searching and called stream.Send(%d) (its Sends: %s); want the search to stop once the call is over — task 3 in server.go", what, call, s.prime, primes(sends))
			return
		}
	}
}

// wantContextError checks that a handler stopped by its context ended the
// call with the context's status: Canceled or DeadlineExceeded, whichever
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
		t.Errorf("PrimeFactors returned nil (OK) when it stopped because its context had ended (%s): the call's status would say it succeeded; want code %s — task 3 in server.go", what, want)
		return
	}
	if got := wireCode(ended.err); got != want {
		t.Errorf("PrimeFactors returned %v (code %s) when its context had ended (%s), want code %s, the one that says whether the call was cancelled or ran out of time — task 3 in server.go", ended.err, got, what, want)
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
