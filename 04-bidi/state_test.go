package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// TestTask5_KeepsOneNumberNotEveryID measures what Factorize keeps of the
// ids of a long stream: the live heap (after a garbage collection) when the
// handler asks for its first request, and again when its Recv returns io.EOF
// after 2^19 requests with the ids 1, 2, 3, …, while it still holds whatever
// it kept. The last id costs nothing more; a set or a list of the ids costs
// 8 bytes an id or more: 4 MiB and up.
//
// It calls the handler directly, with a stream made up here that produces
// the requests as they are asked for and throws the replies away: no gRPC
// between them, so no transport buffers, pools or goroutines that allocate
// while it measures. And it measures in a process of its own, a second run
// of this test binary that runs this test alone, so that what the tests
// before it leave behind (the buffers of their closed in-memory connections,
// freed at the runtime's own pace) does not blur the measure. In that
// process, with no other goroutine at work, the heap after a collection is
// what the handler holds to within kilobytes, with the race detector too
// (its shadow memory is outside the Go heap). Its only waits bound how long
// a handler that never returns takes to fail.
func TestTask5_KeepsOneNumberNotEveryID(t *testing.T) {
	if !grpctest.InAProcessOfItsOwn(t, 60*time.Second, "task 1 in server.go: answer each request, and return nil when Recv returns io.EOF") {
		return
	}

	const n = 1 << 19
	const limit = n // bytes: 1 an id; keeping the ids costs 8 or more
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := &madeUpStream{ctx: ctx, n: n, stop: make(chan struct{})}

	returned := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				returned <- fmt.Errorf("Factorize panicked: %v", r)
			}
		}()
		returned <- (&Server{}).Factorize(&grpc.GenericServerStream[factorpb.FactorRequest, factorpb.Factorization]{ServerStream: stream})
	}()
	var err error
	select {
	case err = <-returned:
	case <-time.After(40 * time.Second):
		cancel()
		close(stream.stop) // the handler's next Recv or Send ends its goroutine
		t.Fatalf("Factorize, given %d requests (made up, no network), had not returned after 40 s; it had called Recv %d times — task 1 in server.go: answer each request, and return nil when Recv returns io.EOF", n, stream.asked.Load())
	}

	// The handler has returned: what it did is all in stream.
	switch {
	case stream.eofs == 0 && stream.delivered < 2:
		t.Fatalf("Factorize returned %s after %d of %d requests — task 1 in server.go comes first", describe(err), stream.delivered, n)
	case stream.eofs == 0:
		t.Fatalf("Factorize ended the stream with %s after %d of %d requests, whose ids were 1, 2, 3, …, each greater than the one before — task 5 in server.go: only an id that is not greater than the last one breaks the rule", describe(err), stream.delivered, n)
	case err != nil:
		t.Fatalf("Factorize returned %s at io.EOF, want nil — task 1 in server.go", describe(err))
	case stream.answered != n:
		t.Fatalf("Factorize answered %d of %d requests — task 1 in server.go: answer each request", stream.answered, n)
	}
	growth := int64(stream.heapAtEOF) - int64(stream.heapAtStart)
	t.Logf("live heap: %d B when Factorize asked for its first request, %d B at io.EOF after %d requests", stream.heapAtStart, stream.heapAtEOF, n)
	if growth > limit {
		t.Errorf("the live heap grew by %.1f MiB while Factorize answered %d requests with the ids 1 to %d (%.1f bytes an id), want under %.1f MiB — task 5 in server.go: "+
			"a stream may run for days; because its ids must increase, the last id is all you need to keep to check the next one, not every id so far",
			float64(growth)/(1<<20), n, n, float64(growth)/n, float64(limit)/(1<<20))
	}
}

// madeUpStream is the server's side of a Factorize stream with no network
// under it: RecvMsg makes up the requests {id: 1, number: 4}, {id: 2,
// number: 4}, … up to id n, then returns io.EOF, reading the live heap as it
// does; SendMsg counts the replies and drops them.
type madeUpStream struct {
	ctx   context.Context
	n     int
	asked atomic.Int64  // RecvMsg calls, read by the test while the handler runs
	stop  chan struct{} // closed when the test gives up on the handler

	// Only the handler's goroutine touches these, until it returns.
	delivered, answered, eofs int
	heapAtStart, heapAtEOF    uint64
}

// runaway is how many times a handler may call Recv after io.EOF before the
// made-up stream stops it: a loop that goes on after the end spins forever.
const runaway = 10

func (s *madeUpStream) RecvMsg(m any) error {
	s.asked.Add(1)
	s.stopped()
	if s.asked.Load() == 1 {
		s.heapAtStart = grpctest.LiveHeap()
	}
	if s.delivered == s.n {
		s.eofs++
		if s.eofs == 1 {
			s.heapAtEOF = grpctest.LiveHeap()
		}
		if s.eofs > runaway {
			panic(fmt.Sprintf("task 1 in server.go: Recv returned io.EOF, and Factorize called it %d more times: the stream is over then; return nil", runaway))
		}
		return io.EOF
	}
	s.delivered++
	req := m.(*factorpb.FactorRequest)
	req.Id, req.Number = uint64(s.delivered), 4
	return nil
}

func (s *madeUpStream) SendMsg(m any) error {
	s.stopped()
	if _, ok := m.(*factorpb.Factorization); !ok {
		return errors.New("not a Factorization")
	}
	s.answered++
	return nil
}

// stopped ends the handler's goroutine once the test has given up on it.
func (s *madeUpStream) stopped() {
	select {
	case <-s.stop:
		runtime.Goexit()
	default:
	}
}

func (s *madeUpStream) Context() context.Context     { return s.ctx }
func (s *madeUpStream) SetHeader(metadata.MD) error  { return nil }
func (s *madeUpStream) SendHeader(metadata.MD) error { return nil }
func (s *madeUpStream) SetTrailer(metadata.MD)       {}
