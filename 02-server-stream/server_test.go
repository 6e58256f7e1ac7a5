package serverstream

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Numbers whose factoring takes a known, long time: trial division must try
// about √p candidates before it knows that p is prime.
const (
	// bigPrime is the largest prime below 2^63: about 3·10^9 candidates,
	// many seconds of work.
	bigPrime int64 = 9223372036854775783
	// twiceHugePrime is 2 × (2^62 - 57): the factor 2 at once, then about
	// 2·10^9 candidates before the second factor, seconds of work.
	twiceHugePrime int64 = 2 * 4611686018427387847
	// twiceLargePrime is 2 × (10^17 - 3): the factor 2 at once, then about
	// 3·10^8 candidates, a fraction of a second to a second or two.
	twiceLargePrime int64 = 2 * 99999999999999997
)

// newFactorizerClient starts the learner's Server in memory and returns a client for it.
func newFactorizerClient(t testing.TB) factorspb.FactorizerClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &Server{})
	})
	return factorspb.NewFactorizerClient(conn)
}

// collect makes one PrimeFactors call, with a deadline, and returns every
// factor it streamed and the error the stream ended with (nil for OK).
func collect(t testing.TB, client factorspb.FactorizerClient, number int64) ([]int64, error) {
	t.Helper()
	return drain(grpctest.Context(t, 5*time.Second), client, number)
}

// drain makes one PrimeFactors call with ctx and reads it to the end.
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
	got, err := collect(t, newFactorizerClient(t), 12)
	if err != nil || !slices.Equal(got, []int64{2, 2, 3}) {
		t.Fatalf("PrimeFactors(12) streamed %v and ended with %v, want [2 2 3] and OK — do task 1 in server.go first (TestTask1_FactorsInAscendingOrder)", got, err)
	}
}

func TestTask1_FactorsInAscendingOrder(t *testing.T) {
	client := newFactorizerClient(t)
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
			got, err := collect(t, client, tc.number)
			if err != nil {
				t.Fatalf("PrimeFactors(%d) ended with %v after %v, want OK — task 1 in server.go: send every factor with stream.Send, then return nil", tc.number, err, got)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("PrimeFactors(%d) streamed %v, want %v — task 1 in server.go: send each factor every time it divides the number, and the last n > 1", tc.number, got, tc.want)
			}
		})
	}
}

func TestTask1_SendsEachFactorAsSoonAsFound(t *testing.T) {
	requireTask1(t)
	client, watch := newWatchedClient(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, 10*time.Second))
	defer cancel()

	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: twiceLargePrime})
	if err != nil {
		t.Fatalf("PrimeFactors(%d): %v", twiceLargePrime, err)
	}
	first, err := stream.Recv()
	if err != nil {
		t.Fatalf("PrimeFactors(%d): the first Recv returned %v, want the factor 2 — task 1 in server.go: Send each factor as soon as it divides n", twiceLargePrime, err)
	}
	if first.GetPrime() != 2 {
		t.Errorf("PrimeFactors(%d): first factor %d, want 2 — task 1 in server.go", twiceLargePrime, first.GetPrime())
	}
	select {
	case <-watch.returned:
		t.Fatalf("PrimeFactors(%d): the factor 2 reached the client only after the handler had returned, want it while the search for the other factor still runs — task 1 in server.go: call stream.Send inside the loop, not after it", twiceLargePrime)
	default: // still searching, as it should be
	}

	// Hang up. Before task 3 the handler notices only when it tries to send
	// the next factor, at the end of its search; after, at once.
	cancel()
	select {
	case <-watch.returned:
	case <-grpctest.Context(t, 10*time.Second).Done():
		t.Errorf("the handler had not returned 10 s after the client cancelled — task 3 in server.go: check stream.Context() in the loop")
	}
}

func TestTask2_RejectsNumbersBelowTwo(t *testing.T) {
	client := newFactorizerClient(t)
	for _, number := range []int64{0, 1, -1, -12, math.MinInt64} {
		t.Run(strconv.FormatInt(number, 10), func(t *testing.T) {
			got, err := collect(t, client, number)
			grpctest.WantCode(t, "PrimeFactors("+strconv.FormatInt(number, 10)+")", err, codes.InvalidArgument,
				"task 2 in server.go: reject a number below 2 with status.Error(codes.InvalidArgument, …) before searching")
			if len(got) > 0 {
				t.Errorf("PrimeFactors(%d) streamed %v before its error, want no factors — task 2 in server.go: check the number first", number, got)
			}
		})
	}
}

func TestTask3_StopsWhenTheClientCancels(t *testing.T) {
	requireTask1(t)
	client, watch := newWatchedClient(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, 10*time.Second))
	defer cancel()

	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: twiceHugePrime})
	if err != nil {
		t.Fatalf("PrimeFactors(%d): %v", twiceHugePrime, err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("PrimeFactors(%d): the first Recv returned %v, want the factor 2 at once — task 1 in server.go: Send each factor as soon as it divides n", twiceHugePrime, err)
	}
	// The handler is now searching for the second factor, seconds of work.
	cancel()
	ended := watch.waitReturn(t, 100*time.Millisecond,
		"after the client cancelled mid-stream — task 3 in server.go: check stream.Context().Err() on every pass of the loop and return")
	wantContextError(t, ended)
}

func TestTask3_StopsAtTheDeadline(t *testing.T) {
	requireTask1(t)
	client, watch := newWatchedClient(t)
	ctx, cancel := context.WithTimeout(grpctest.Context(t, 10*time.Second), 200*time.Millisecond)
	defer cancel()

	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: bigPrime})
	if err == nil {
		_, err = stream.Recv()
	}
	grpctest.WantCode(t, "PrimeFactors(a large prime) with a 200 ms deadline", err, codes.DeadlineExceeded,
		"the search takes many seconds, so the deadline must end the call")
	ended := watch.waitReturn(t, 100*time.Millisecond,
		"after the call's deadline passed — task 3 in server.go: check stream.Context().Err() on every pass of the loop and return")
	wantContextError(t, ended)
}

// wantContextError checks that a handler stopped by its context returned
// the context's error as a status: Canceled or DeadlineExceeded, whichever
// ended the call on the server's side. (A client whose deadline passes
// cancels the stream, so the server often sees Canceled even then.)
func wantContextError(t *testing.T, ended handlerResult) {
	t.Helper()
	want := status.FromContextError(ended.ctxErr).Code()
	if got := wireCode(ended.err); ended.ctxErr == nil || got != want {
		t.Errorf("the handler returned %v (code %s) when its context had ended with %v, want code %s — task 3 in server.go: return status.FromContextError(err).Err()", ended.err, got, ended.ctxErr, want)
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
