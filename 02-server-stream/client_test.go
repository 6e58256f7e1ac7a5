package serverstream

import (
	"context"
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
// before it sends 3 and 5: a client that collects every factor before it
// calls onFactor waits forever.
type pausingFactorizer struct {
	factorspb.UnimplementedFactorizerServer
	resume chan struct{}
}

func (f *pausingFactorizer) PrimeFactors(_ *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	if err := stream.Send(&factorspb.Factor{Prime: 2}); err != nil {
		return err
	}
	select {
	case <-f.resume:
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

// endlessFactorizer sends the factors 2, 3 and 5, then keeps the stream open
// until the client hangs up, and reports on hungUp the error the call's
// context ended with.
type endlessFactorizer struct {
	factorspb.UnimplementedFactorizerServer
	hungUp chan error
}

func (f *endlessFactorizer) PrimeFactors(_ *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	for _, p := range []int64{2, 3, 5} {
		if stream.Send(&factorspb.Factor{Prime: p}) != nil {
			break // the client hung up already
		}
	}
	<-stream.Context().Done()
	f.hungUp <- stream.Context().Err()
	return status.FromContextError(stream.Context().Err()).Err()
}

func fakeClient(t *testing.T, fake factorspb.FactorizerServer) factorspb.FactorizerClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { factorspb.RegisterFactorizerServer(s, fake) })
	return factorspb.NewFactorizerClient(conn)
}

// record returns an onFactor callback that appends to *got.
func record(got *[]int64) func(int64) {
	return func(p int64) { *got = append(*got, p) }
}

func TestTask4_DeliversEveryFactorUntilEOF(t *testing.T) {
	client := fakeClient(t, &scriptedFactorizer{factors: []int64{2, 2, 3}})
	var got []int64
	err := Factorize(grpctest.Context(t, 2*time.Second), client, 12, 0, record(&got))
	if err != nil {
		t.Fatalf("Factorize(12) returned %v, want nil — task 4 in client.go: Recv until it returns io.EOF, then return nil", err)
	}
	if want := []int64{2, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("Factorize(12) passed %v to onFactor, want %v in the order they came — task 4 in client.go", got, want)
	}
}

func TestTask4_DeliversEachFactorAsItArrives(t *testing.T) {
	resume := make(chan struct{})
	client := fakeClient(t, &pausingFactorizer{resume: resume})
	ctx := grpctest.Context(t, 2*time.Second)
	var got []int64
	err := Factorize(ctx, client, 30, 0, func(p int64) {
		got = append(got, p)
		if len(got) == 1 {
			close(resume) // the server sends the rest only once we have seen the first
		}
	})
	if ctx.Err() != nil {
		t.Fatalf("Factorize(30) did not pass the first factor to onFactor while the stream was open (it ended with %v after %v) — task 4 in client.go: call onFactor inside the Recv loop, for each factor as it arrives, not after the stream ends", err, got)
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
	var got []int64
	err := Factorize(grpctest.Context(t, 2*time.Second), client, 1, 0, record(&got))
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
	var got []int64
	err := Factorize(grpctest.Context(t, 2*time.Second), client, 30, 0, record(&got))
	grpctest.WantCode(t, "Factorize(30) from a server that fails after two factors", err, codes.Unavailable,
		"task 4 in client.go: a stream can fail after some messages; return the error Recv gave you")
	if want := []int64{2, 3}; !slices.Equal(got, want) {
		t.Errorf("Factorize(30) passed %v to onFactor before the error, want %v — task 4 in client.go", got, want)
	}
}

func TestTask5_StopsAfterTheFirstK(t *testing.T) {
	for _, first := range []int{1, 2} {
		t.Run("first="+strconv.Itoa(first), func(t *testing.T) {
			fake := &endlessFactorizer{hungUp: make(chan error, 1)}
			client := fakeClient(t, fake)
			ctx := grpctest.Context(t, 2*time.Second)
			var got []int64
			err := Factorize(ctx, client, 30, first, record(&got))
			if err != nil {
				t.Fatalf("Factorize(30, first %d) returned %v, want nil — task 5 in client.go: stopping early, as asked, is a success", first, err)
			}
			if want := []int64{2, 3, 5}[:first]; !slices.Equal(got, want) {
				t.Errorf("Factorize(30, first %d) passed %v to onFactor, want %v — task 5 in client.go", first, got, want)
			}
			select {
			case cause := <-fake.hungUp:
				if cause != context.Canceled {
					t.Errorf("the server's stream ended with %v, want context.Canceled — task 5 in client.go: cancel the call", cause)
				}
			case <-ctx.Done():
				t.Errorf("Factorize(30, first %d) returned but the call was never cancelled: the server still holds the stream open — task 5 in client.go: make the call with context.WithCancel and defer cancel()", first)
			}
		})
	}
}

func TestTask5_FirstZeroMeansAll(t *testing.T) {
	client := fakeClient(t, &scriptedFactorizer{factors: []int64{2, 2, 3}})
	var got []int64
	for _, first := range []int{0, 3, 10} {
		got = got[:0]
		err := Factorize(grpctest.Context(t, 2*time.Second), client, 12, first, record(&got))
		if err != nil || !slices.Equal(got, []int64{2, 2, 3}) {
			t.Errorf("Factorize(12, first %d) delivered %v and returned %v, want [2 2 3] and nil — task 5 in client.go: first 0 means every factor, and a stream shorter than first ends at io.EOF", first, got, err)
		}
	}
}
