package clientstream

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

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// TestTask1_KeepsRunningValuesNotTheSamples measures what the handler keeps
// of a long stream: the live heap (after a garbage collection) just before
// the handler starts, and again when its Recv returns io.EOF after 1,048,576
// samples, while it still holds its state. Running values cost nothing more;
// a slice of the samples costs 8 bytes each or more: 8 MiB.
//
// It calls the handler directly, with a stream made up here that produces the
// samples as they are asked for: no gRPC between them, so no transport
// buffers, pools or goroutines that allocate while it measures. And it
// measures in a process of its own, a second run of this test binary that
// runs this test alone: the tests before it leave memory behind that the
// runtime frees at its own pace (the buffers of their closed in-memory
// connections, for one: megabytes that vanish mid-measure), which would blur
// a measure taken here.
// That is what makes the measure hold in the run the README asks for,
// `go test -race ./03-client-stream/...`, on a busy machine: the race
// detector keeps its shadow memory outside the Go heap, and in a fresh
// process, with no other goroutine at work, the heap after a collection is
// what the handler holds, to within a few kilobytes. Its only waits bound how
// long a handler that never returns takes to fail.
func TestTask1_KeepsRunningValuesNotTheSamples(t *testing.T) {
	if !grpctest.InAProcessOfItsOwn(t, 30*time.Second, "task 1 in server.go: at io.EOF, answer with stream.SendAndClose and return") {
		return
	}

	const n = 1 << 20
	const limit = 1 << 20 // bytes: 1 per sample; keeping the samples costs 8 or more
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := &madeUpStream{ctx: ctx, n: n, stop: make(chan struct{})}

	returned := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				returned <- fmt.Errorf("the handler panicked: %v", r)
			}
		}()
		stream.heapBefore = grpctest.LiveHeap()
		returned <- (&Server{}).Summarize(&grpc.GenericServerStream[statspb.Sample, statspb.Summary]{ServerStream: stream})
	}()
	var err error
	select {
	case err = <-returned:
	case <-time.After(20 * time.Second):
		cancel()
		close(stream.stop) // the handler's next Recv ends its goroutine
		t.Fatalf("Summarize of %d samples (made up, no network) had not returned after 20 s; it had called Recv %d times — task 1 in server.go: at io.EOF, answer with stream.SendAndClose and return", n, stream.asked.Load())
	}

	// The handler has returned: what it did is all in stream.
	switch {
	case stream.eofs == 0:
		t.Fatalf("the handler returned %s after %d of %d samples, before Recv returned io.EOF — task 1 in server.go: Recv until io.EOF, then answer with stream.SendAndClose", showErr(err), stream.delivered, n)
	case errors.Is(err, io.EOF):
		t.Fatalf("the handler returned io.EOF, which the client sees as Unknown: \"EOF\" — task 1 in server.go: io.EOF from Recv is the end of the input, not an error: answer with stream.SendAndClose and return what it returns")
	case err != nil:
		t.Fatalf("the handler returned %s after io.EOF, want nil — task 1 in server.go: answer with stream.SendAndClose and return what it returns", showErr(err))
	case stream.reply.GetCount() != n:
		t.Fatalf("the handler answered %v, want a count of %d — task 1 in server.go", stream.reply, n)
	}
	growth := int64(stream.heapAtEOF) - int64(stream.heapBefore)
	t.Logf("live heap: %d B before the handler started, %d B at io.EOF after %d samples", stream.heapBefore, stream.heapAtEOF, n)
	if growth > limit {
		t.Errorf("the live heap grew by %.1f MiB while the handler received %d samples (%.1f bytes per sample), want under %.1f MiB — task 1 in server.go: keep running values (count, sum, min, max), not the samples: a stream may be endless",
			float64(growth)/(1<<20), n, float64(growth)/n, float64(limit)/(1<<20))
	}
}

// madeUpStream is the server's side of a Summarize call with no network
// under it: RecvMsg makes up the samples 1, 2, …, n, then returns io.EOF,
// reading the live heap as it does.
type madeUpStream struct {
	ctx   context.Context
	n     int
	asked atomic.Int64  // RecvMsg calls, read by the test while the handler runs
	stop  chan struct{} // closed when the test gives up on the handler

	// Only the handler's goroutine touches these, until it returns.
	delivered, eofs       int
	heapBefore, heapAtEOF uint64
	reply                 *statspb.Summary
}

func (s *madeUpStream) RecvMsg(m any) error {
	s.asked.Add(1)
	select {
	case <-s.stop:
		runtime.Goexit() // the test has failed already: end the handler's goroutine
	default:
	}
	if s.delivered == s.n {
		s.eofs++
		if s.eofs == 1 {
			s.heapAtEOF = grpctest.LiveHeap()
		}
		if s.eofs > runaway {
			panic(fmt.Sprintf("task 1 in server.go: Recv returned io.EOF, and the handler called it %d more times: the stream is over then; answer and return", runaway))
		}
		return io.EOF
	}
	s.delivered++
	m.(*statspb.Sample).Value = float64(s.delivered)
	return nil
}

func (s *madeUpStream) SendMsg(m any) error {
	s.reply, _ = m.(*statspb.Summary)
	return nil
}

func (s *madeUpStream) Context() context.Context     { return s.ctx }
func (s *madeUpStream) SetHeader(metadata.MD) error  { return nil }
func (s *madeUpStream) SendHeader(metadata.MD) error { return nil }
func (s *madeUpStream) SetTrailer(metadata.MD)       {}
