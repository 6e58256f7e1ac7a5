package serverstream

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// A watch sees one PrimeFactors call from the server's side, as any stream
// interceptor can: when the handler was called, every message it sent (and
// whether its call had ended, or an earlier Send had failed, by then), and
// what it returned. It never looks inside the handler.
//
// Its options set up what a test needs: deadline gives the handler's context
// a deadline of the server's own; failSend makes every Send fail, as when
// the connection breaks.
type watch struct {
	deadline time.Duration
	failSend error

	started  chan struct{}      // closed when the handler is called
	returned chan handlerResult // how it ended: the first call only

	mu     sync.Mutex
	sends  []sent
	failed bool // a Send has failed
}

// sent is one message the handler sent, and the state of its call then.
type sent struct {
	prime     int64
	afterEnd  bool // the call's context was already done
	afterFail bool // an earlier Send had failed
}

// handlerResult is how the handler ended.
type handlerResult struct {
	err    error // what the handler returned
	ctxErr error // its context's Err() just after it returned
}

// newWatchedClient starts the learner's Server behind w and returns a client
// for it, already connected. Make one call per watch.
func newWatchedClient(t *testing.T, w *watch) factorspb.FactorizerClient {
	t.Helper()
	w.started = make(chan struct{})
	w.returned = make(chan handlerResult, 1)
	var once sync.Once
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &Server{})
	}, grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := ss.Context()
		if w.deadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, w.deadline)
			defer cancel()
		}
		once.Do(func() { close(w.started) })
		err := handler(srv, &watchedStream{ServerStream: ss, watch: w, ctx: ctx})
		select {
		case w.returned <- handlerResult{err: err, ctxErr: ctx.Err()}:
		default: // a second call: only the first is watched
		}
		return err
	}))
	// Connect now rather than on the first call, so that a call with a short
	// deadline spends none of it on the handshake.
	conn.Connect()
	ready := grpctest.Context(t, wait)
	for s := conn.GetState(); s != connectivity.Ready; s = conn.GetState() {
		if !conn.WaitForStateChange(ready, s) {
			t.Fatalf("the test's connection to the server was %v after %v, want Ready", conn.GetState(), wait)
		}
	}
	return factorspb.NewFactorizerClient(conn)
}

// snapshot returns the Sends so far.
func (w *watch) snapshot() []sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sent(nil), w.sends...)
}

// waitStarted waits until the handler has been called.
func (w *watch) waitStarted(t *testing.T, call string) {
	t.Helper()
	select {
	case <-w.started:
	case <-time.After(wait):
		t.Fatalf("%s never reached the server's handler within %v", call, wait)
	}
}

// waitReturn returns how the handler ended and every Send it made, or fails
// the test if the handler is still running after d. after says what the
// handler should have noticed.
func (w *watch) waitReturn(t *testing.T, d time.Duration, call, after string) (handlerResult, []sent) {
	t.Helper()
	select {
	case r := <-w.returned:
		return r, w.snapshot()
	case <-time.After(d):
		t.Fatalf("%s was still running %v after %s, with billions of candidates still to try (sent so far: %s); want it to stop and return once its call is over — task 3 in server.go",
			call, d, after, primes(w.snapshot()))
		return handlerResult{}, nil
	}
}

// watchedStream is the stream the handler gets: the real one, seen by w.
type watchedStream struct {
	grpc.ServerStream
	watch *watch
	ctx   context.Context
}

func (s *watchedStream) Context() context.Context { return s.ctx }

func (s *watchedStream) SendMsg(m any) error {
	w := s.watch
	w.mu.Lock()
	w.sends = append(w.sends, sent{
		prime:     m.(*factorspb.Factor).GetPrime(), // read, never changed: m belongs to gRPC now
		afterEnd:  s.ctx.Err() != nil,
		afterFail: w.failed,
	})
	w.mu.Unlock()

	err := w.failSend
	if err == nil {
		err = s.ServerStream.SendMsg(m)
	}
	if err != nil {
		w.mu.Lock()
		w.failed = true
		w.mu.Unlock()
	}
	return err
}

// primes lists the factors of some Sends, for messages.
func primes(sends []sent) string {
	ps := make([]int64, len(sends))
	for i, s := range sends {
		ps[i] = s.prime
	}
	return fmt.Sprint(ps)
}
