package serverstream

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// A probe watches one PrimeFactors call from the server's side. A stream
// interceptor hands the learner's handler a wrapped stream, so the probe sees
//
//   - every look the handler takes at its context (a call of Err or Done on
//     stream.Context()): in the search loop that is one look per candidate,
//     so the count is the loop's heartbeat, the evidence of how far the
//     search had gone when something else happened;
//   - every Send: which factor, after how many looks, and whether the call
//     had already ended, an earlier Send had failed, or the handler had
//     returned;
//   - how the handler ended.
//
// None of this depends on timing: each record says what had happened before
// it, in the handler's own order.
//
// Its options make the moments a test needs certain rather than likely:
// holdFirstSend keeps the first Send from returning until the call has ended,
// so everything the handler does after it happens after the client hung up;
// deadline gives the handler's context a deadline of the server's own; and
// failSend makes every Send fail, as when the connection breaks.
type probe struct {
	holdFirstSend bool
	deadline      time.Duration
	failSend      error

	looks    atomic.Int64
	returned chan handlerResult

	mu       sync.Mutex
	sends    []sent
	failed   bool // a Send has failed
	finished bool // the handler has returned
}

// sent is what the probe knew when the handler called Send.
type sent struct {
	prime       int64
	looks       int64 // looks at the context before this Send
	afterEnd    bool  // the call's context was already done
	afterFail   bool  // an earlier Send had failed
	afterReturn bool  // the handler had already returned (a goroutine it started sent this)
}

// handlerResult is how the handler ended.
type handlerResult struct {
	err    error // what the handler returned
	ctxErr error // its context's Err() just after it returned
}

// newProbedClient starts the learner's Server behind p and returns a client
// for it. Make one call per probe.
//
// Call it first in a test, before anything else starts a server: its last
// check, that no goroutine the handler started called Send after the handler
// had returned, must run after the harness has stopped the server and waited
// for every goroutine (cleanups run last-registered first).
func newProbedClient(t *testing.T, p *probe) factorspb.FactorizerClient {
	t.Helper()
	p.returned = make(chan handlerResult, 1)
	t.Cleanup(func() {
		for _, s := range p.snapshot() {
			if s.afterReturn {
				t.Errorf("stream.Send(%d) was called after PrimeFactors had returned: a goroutine the handler started outlived it — task 3 in server.go: the search must stop when the call ends, and the handler must not return while anything it started still runs", s.prime)
			}
		}
	})
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &Server{})
	}, grpc.StreamInterceptor(p.intercept))
	// Connect now rather than on the first call, so that a call with a short
	// deadline spends none of it on the handshake: on a loaded machine that
	// could take the whole deadline, and the call would never reach the
	// handler the test watches.
	conn.Connect()
	ready := grpctest.Context(t, wait)
	for s := conn.GetState(); s != connectivity.Ready; s = conn.GetState() {
		if !conn.WaitForStateChange(ready, s) {
			t.Fatalf("the test's connection to the server was %v after %v, want Ready", conn.GetState(), wait)
		}
	}
	return factorspb.NewFactorizerClient(conn)
}

func (p *probe) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx := ss.Context()
	if p.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.deadline)
		defer cancel()
	}
	err := handler(srv, &probedStream{ServerStream: ss, probe: p, ctx: ctx})
	p.mu.Lock()
	p.finished = true
	p.mu.Unlock()
	select {
	case p.returned <- handlerResult{err: err, ctxErr: ctx.Err()}:
	default: // a second call: only the first is watched
	}
	return err
}

// snapshot returns the Sends so far.
func (p *probe) snapshot() []sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sent(nil), p.sends...)
}

// waitReturn returns how the handler ended and every Send it made, failing
// the test if the handler is still running when ctx is done. after says
// what the handler should have noticed; fix says where to look.
func (p *probe) waitReturn(t *testing.T, ctx context.Context, after string) (handlerResult, []sent) {
	t.Helper()
	select {
	case r := <-p.returned:
		return r, p.snapshot()
	case <-ctx.Done():
		t.Fatalf("PrimeFactors was still running %s — task 3 in server.go: nothing interrupts the search; it must ask stream.Context() whether the call is over as it goes, and stop once it is", after)
		return handlerResult{}, nil
	}
}

// probedStream is the stream the handler gets: the real one, seen by p.
type probedStream struct {
	grpc.ServerStream
	probe *probe
	ctx   context.Context
}

func (s *probedStream) Context() context.Context {
	return watchedContext{Context: s.ctx, looks: &s.probe.looks}
}

func (s *probedStream) SendMsg(m any) error {
	p := s.probe
	p.mu.Lock()
	first := len(p.sends) == 0
	p.sends = append(p.sends, sent{
		prime:       m.(*factorspb.Factor).GetPrime(), // read, never changed: m belongs to gRPC now
		looks:       p.looks.Load(),
		afterEnd:    s.ctx.Err() != nil,
		afterFail:   p.failed,
		afterReturn: p.finished,
	})
	p.mu.Unlock()

	err := p.failSend
	if err == nil {
		err = s.ServerStream.SendMsg(m)
	}
	if first && p.holdFirstSend {
		// Return only once the call is over. It ends at the latest when the
		// test does: the harness stops the server, which cancels every stream.
		<-s.ctx.Done()
	}
	if err != nil {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
	return err
}

// watchedContext is the handler's context, counting each time the handler
// asks whether the call is over.
type watchedContext struct {
	context.Context
	looks *atomic.Int64
}

func (c watchedContext) Err() error {
	c.looks.Add(1)
	return c.Context.Err()
}

func (c watchedContext) Done() <-chan struct{} {
	c.looks.Add(1)
	return c.Context.Done()
}

// primes lists the factors of some Sends, for messages.
func primes(sends []sent) string {
	ps := make([]int64, len(sends))
	for i, s := range sends {
		ps[i] = s.prime
	}
	return fmt.Sprint(ps)
}
