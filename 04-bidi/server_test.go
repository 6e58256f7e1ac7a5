package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The server tasks are tested through the generated client stub, one message
// at a time, so that each test controls exactly what the server sees and when.

// rawStream is the client's end of a Factorize stream, used directly.
type rawStream = grpc.BidiStreamingClient[factorpb.FactorRequest, factorpb.Factorization]

// bigPrime is the largest prime below 2^63: trial division takes seconds.
const bigPrime = 9223372036854775783

// startServer starts the learner's Server in memory and returns a client for
// it, and a channel that receives what each Factorize handler returned.
func startServer(t *testing.T) (factorpb.FactorizerClient, <-chan error) {
	t.Helper()
	returned := make(chan error, 10)
	conn := grpctest.Connect(t,
		func(s *grpc.Server) { factorpb.RegisterFactorizerServer(s, &Server{}) },
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			err := handler(srv, ss)
			returned <- err
			return err
		}),
	)
	return factorpb.NewFactorizerClient(conn), returned
}

// openStream opens a Factorize stream that gives up after a few seconds.
func openStream(t *testing.T, ctx context.Context, client factorpb.FactorizerClient) rawStream {
	t.Helper()
	s, err := client.Factorize(ctx)
	if err != nil {
		t.Fatalf("opening the Factorize stream: %v", err)
	}
	return s
}

// ask sends one request and returns the reply that comes back for it.
func ask(t *testing.T, s rawStream, id uint64, number int64) *factorpb.Factorization {
	t.Helper()
	if err := s.Send(&factorpb.FactorRequest{Id: id, Number: number}); err != nil {
		// Send reports a stream that has already ended as io.EOF; Recv says why.
		_, err = s.Recv()
		t.Fatalf("sending {id: %d, number: %d}: the stream had already ended with %v — task 1 in server.go: keep receiving until io.EOF", id, number, err)
	}
	reply, err := s.Recv()
	switch {
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("no reply to {id: %d, number: %d} before the test's deadline — task 1 in server.go: stream.Send each reply as soon as it is computed, inside the loop", id, number)
	case err != nil:
		t.Fatalf("waiting for the reply to {id: %d, number: %d}, Recv returned %s — task 1 in server.go", id, number, describe(err))
	}
	return reply
}

// wantEndOK half-closes the stream and checks that the server ends it with
// OK, which the client's Recv reports as io.EOF.
func wantEndOK(t *testing.T, s rawStream) {
	t.Helper()
	if err := s.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	_, err := s.Recv()
	switch {
	case errors.Is(err, io.EOF):
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("the stream did not end after CloseSend — task 1 in server.go: when Recv returns io.EOF, return nil")
	case err != nil && status.Convert(err).Message() == "EOF":
		t.Fatalf("after CloseSend, Recv returned %s, want io.EOF — task 1 in server.go: return nil at io.EOF, not io.EOF itself (gRPC sends that as an Unknown error)", describe(err))
	default:
		t.Fatalf("after CloseSend, Recv returned %s, want io.EOF (the stream ended with OK) — task 1 in server.go: return nil at io.EOF", describe(err))
	}
}

func describe(err error) string {
	if err == nil {
		return "no error"
	}
	return fmt.Sprintf("%s (%q)", status.Code(err), status.Convert(err).Message())
}

func TestTask1_AnswersEachNumberAsItArrives(t *testing.T) {
	client, _ := startServer(t)
	s := openStream(t, grpctest.Context(t, 5*time.Second), client)
	// Lock-step: each request is sent only after the previous reply came
	// back, so a server that collects requests before answering never answers.
	for i, tc := range []struct {
		number int64
		want   []int64
	}{
		{12, []int64{2, 2, 3}},
		{97, []int64{97}},
		{360360, []int64{2, 2, 2, 3, 3, 5, 7, 11, 13}},
		{9223372036854775807, []int64{7, 7, 73, 127, 337, 92737, 649657}},
	} {
		reply := ask(t, s, uint64(i+1), tc.number)
		if !slices.Equal(reply.GetPrimes(), tc.want) || reply.GetError() != "" {
			t.Errorf("reply to %d = primes %v, error %q; want primes %v, no error — task 1 in server.go: answer with factorize(stream.Context(), req)",
				tc.number, reply.GetPrimes(), reply.GetError(), tc.want)
		}
	}
	wantEndOK(t, s)
}

func TestTask1_RepliesCarryTheRequestID(t *testing.T) {
	client, _ := startServer(t)
	s := openStream(t, grpctest.Context(t, 5*time.Second), client)
	// Any ids will do, in any order, as long as none repeats.
	for _, req := range []struct {
		id     uint64
		number int64
	}{{7, 10}, {3, 30}, {1000, 4}, {0, 9}} {
		reply := ask(t, s, req.id, req.number)
		if reply.GetId() != req.id || reply.GetNumber() != req.number {
			t.Errorf("reply to {id: %d, number: %d} has id %d, number %d; want the request's own — task 1 in server.go: answer with factorize(stream.Context(), req), which copies them",
				req.id, req.number, reply.GetId(), reply.GetNumber())
		}
	}
	wantEndOK(t, s)
}

func TestTask1_EndsWithOKWhenTheClientIsDone(t *testing.T) {
	client, returned := startServer(t)
	s := openStream(t, grpctest.Context(t, 5*time.Second), client)
	wantEndOK(t, s) // a stream with no request at all is fine too
	if err := <-returned; err != nil {
		t.Errorf("Factorize returned %v after the client's CloseSend, want nil — task 1 in server.go", err)
	}
}

func TestTask2_InBandErrorForNumbersBelowTwo(t *testing.T) {
	client, _ := startServer(t)
	s := openStream(t, grpctest.Context(t, 5*time.Second), client)
	for i, n := range []int64{1, 0, -12} {
		id := uint64(i + 1)
		if err := s.Send(&factorpb.FactorRequest{Id: id, Number: n}); err != nil {
			t.Fatalf("sending {id: %d, number: %d}: %v", id, n, err)
		}
		reply, err := s.Recv()
		if status.Code(err) == codes.Unimplemented {
			t.Fatalf("the reply to %d: Recv returned %s — task 1 in server.go comes first", n, describe(err))
		}
		if err != nil {
			t.Fatalf("the reply to %d: Recv returned %s, want a Factorization with Error set — task 2 in server.go: a number below 2 must not end the stream; answer it with reply.Error set and a nil error",
				n, describe(err))
		}
		if reply.GetError() == "" || !strings.Contains(reply.GetError(), "2") {
			t.Errorf("the reply to %d has Error %q, want a message saying the number must be at least 2 — task 2 in server.go", n, reply.GetError())
		}
		if len(reply.GetPrimes()) > 0 || reply.GetId() != id || reply.GetNumber() != n {
			t.Errorf("the reply to {id: %d, number: %d} = {id: %d, number: %d, primes: %v}, want the request's id and number and no primes — task 2 in server.go",
				id, n, reply.GetId(), reply.GetNumber(), reply.GetPrimes())
		}
	}
	// The stream goes on: the next good number is answered as usual.
	if reply := ask(t, s, 4, 12); !slices.Equal(reply.GetPrimes(), []int64{2, 2, 3}) {
		t.Errorf("after the bad numbers, the reply to 12 = %v, want [2 2 3] — task 2 in server.go", reply.GetPrimes())
	}
	wantEndOK(t, s)
}

func TestTask4_HandlerStopsWhenTheClientCancels(t *testing.T) {
	client, returned := startServer(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, 5*time.Second))
	defer cancel()
	s := openStream(t, ctx, client)
	ask(t, s, 1, 12)

	// The server is now busy for seconds on a large prime, or about to be;
	// the client walks away. The handler must notice and return.
	if err := s.Send(&factorpb.FactorRequest{Id: 2, Number: bigPrime}); err != nil {
		t.Fatalf("sending the large prime: %v", err)
	}
	cancel()
	select {
	case err := <-returned:
		grpctest.WantCode(t, "Factorize, after the client cancelled,", err, codes.Canceled,
			"task 4 in server.go: when primes.Factor fails, return status.FromContextError(err).Err()")
	case <-time.After(2 * time.Second):
		t.Fatalf("Factorize was still running 2s after the client cancelled, factoring %d for nobody — task 4 in server.go: pass ctx to primes.Factor, not context.TODO()", int64(bigPrime))
	}
}

func TestTask5_RepeatedIDEndsTheStream(t *testing.T) {
	client, returned := startServer(t)
	s := openStream(t, grpctest.Context(t, 5*time.Second), client)
	ask(t, s, 1, 12)
	ask(t, s, 2, 97)
	if err := s.Send(&factorpb.FactorRequest{Id: 1, Number: 15}); err != nil {
		t.Fatalf("sending the repeated id: %v", err)
	}
	_, err := s.Recv()
	grpctest.WantCode(t, "Recv after a request that reuses id 1", err, codes.AlreadyExists,
		"task 5 in server.go: remember the ids seen on this stream and end it with status.Errorf(codes.AlreadyExists, …) on a repeat")
	if status.Code(err) == codes.AlreadyExists && !strings.Contains(status.Convert(err).Message(), "1") {
		t.Errorf("the AlreadyExists message %q does not name the id — task 5 in server.go", status.Convert(err).Message())
	}
	if status.Code(err) == codes.AlreadyExists {
		if err := <-returned; status.Code(err) != codes.AlreadyExists {
			t.Errorf("Factorize returned %v, want the AlreadyExists error — task 5 in server.go", err)
		}
	}
}
