package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
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
// An interceptor records what the handler did on its side of the stream.

// rawStream is the client's end of a Factorize stream, used directly.
type rawStream = grpc.BidiStreamingClient[factorpb.FactorRequest, factorpb.Factorization]

// slowPrime is the largest prime below 10^12: trial division takes about a
// million steps, a few milliseconds, and primes.Factor looks at its context
// every few thousand.
const slowPrime = 999999999989

// testServer is the learner's Server, running in memory for one test.
type testServer struct {
	client factorpb.FactorizerClient
	runs   chan *handlerRun // each run of Factorize, once it has returned
}

// startServer starts the learner's Server in memory, with opts.
func startServer(t *testing.T, opts ...grpc.ServerOption) *testServer {
	t.Helper()
	return startServerWith(t, nil, opts...)
}

// startServerWith is startServer, where prepare, if not nil, may change what
// each run of Factorize sees before it starts: its stream.Context(), and what
// happens each time it receives a request.
func startServerWith(t *testing.T, prepare func(*handlerRun), opts ...grpc.ServerOption) *testServer {
	t.Helper()
	srv := &testServer{runs: make(chan *handlerRun, 10)}
	record := func(impl any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		run := &handlerRun{ctx: ss.Context()}
		if prepare != nil {
			prepare(run)
		}
		run.err = handler(impl, &recordingStream{ServerStream: ss, run: run})
		srv.runs <- run
		return run.err
	}
	conn := grpctest.Connect(t,
		func(s *grpc.Server) { factorpb.RegisterFactorizerServer(s, &Server{}) },
		append([]grpc.ServerOption{grpc.StreamInterceptor(record)}, opts...)...)
	srv.client = factorpb.NewFactorizerClient(conn)
	return srv
}

// handlerReturned waits for the next run of Factorize to return.
func (s *testServer) handlerReturned(t *testing.T, hint string) *handlerRun {
	t.Helper()
	select {
	case run := <-s.runs:
		return run
	case <-time.After(patience):
		t.Fatalf("Factorize was still running %v later — %s", patience, hint)
		return nil
	}
}

// handlerRun is what one run of the Factorize handler did on its stream.
type handlerRun struct {
	ctx      context.Context               // what stream.Context() returns
	received func(*factorpb.FactorRequest) // if not nil, called with each request Recv returns
	err      error                         // what Factorize returned

	mu      sync.Mutex
	sent    []*factorpb.Factorization // every reply passed to Send, in order
	recvErr error                     // the first error Recv returned
	sendErr error                     // the first error Send returned
	// Recv called again after Recv or Send had failed: by then the stream is
	// over, and a loop that goes on spins.
	recvAfterRecvFailed, recvAfterSendFailed bool
}

func (r *handlerRun) replies() []*factorpb.Factorization {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// recordingStream is the server's end of a stream, as the handler sees it:
// it passes every call on and records it in run.
type recordingStream struct {
	grpc.ServerStream
	run *handlerRun
}

func (s *recordingStream) Context() context.Context { return s.run.ctx }

func (s *recordingStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	if reply, ok := m.(*factorpb.Factorization); ok {
		s.run.sent = append(s.run.sent, reply) // kept to be read, never changed
	}
	if err != nil && s.run.sendErr == nil {
		s.run.sendErr = err
	}
	return err
}

func (s *recordingStream) RecvMsg(m any) error {
	s.run.mu.Lock()
	if s.run.sendErr != nil {
		s.run.recvAfterSendFailed = true
	}
	if s.run.recvErr != nil {
		// Recv has returned an error before (io.EOF included): the input is
		// over, and a handler that goes on calling Recv would spin forever.
		// Tell it once more that the input has ended, which ends most such
		// loops; if even that does not, stop it (the harness reports the
		// panic as this test's failure).
		again := s.run.recvAfterRecvFailed
		s.run.recvAfterRecvFailed = true
		s.run.mu.Unlock()
		if again {
			panic("Factorize keeps calling Recv after Recv failed — task 1 in server.go: when Recv fails, return")
		}
		return io.EOF
	}
	s.run.mu.Unlock()

	err := s.ServerStream.RecvMsg(m)
	if err != nil {
		s.run.mu.Lock()
		s.run.recvErr = err
		s.run.mu.Unlock()
	}
	if req, ok := m.(*factorpb.FactorRequest); ok && err == nil && s.run.received != nil {
		s.run.received(req)
	}
	return err
}

// sentStatus is the status gRPC sends for what a handler returned: a status
// error as it is, a context's error as Canceled or DeadlineExceeded, and any
// other error as Unknown.
func sentStatus(err error) *status.Status {
	if st, ok := status.FromError(err); ok {
		return st
	}
	return status.FromContextError(err)
}

// wantHandlerCode checks the status that gRPC sends for what Factorize returned.
func wantHandlerCode(t *testing.T, call string, err error, want codes.Code, hint string) {
	t.Helper()
	switch st := sentStatus(err); {
	case st.Code() == want:
	case st.Code() == codes.Unimplemented:
		t.Errorf("%s returned %s — task 1 in server.go comes first", call, describe(err))
	default:
		t.Errorf("%s returned %s, which gRPC sends as %s; want %s — %s", call, describe(err), st.Code(), want, hint)
	}
}

// openStream opens a Factorize stream that ends with ctx.
func openStream(t *testing.T, ctx context.Context, client factorpb.FactorizerClient) rawStream {
	t.Helper()
	s, err := client.Factorize(ctx)
	if err != nil {
		t.Fatalf("opening the Factorize stream: %s — task 1 in server.go", describe(err))
	}
	return s
}

// exchange sends one request and receives what comes back: its reply, or the
// status the stream ended with (io.EOF: OK). Whichever of Send and Recv
// learns first that the stream is over gives that status.
func exchange(s rawStream, id uint64, number int64) (*factorpb.Factorization, error) {
	if err := grpctest.Send(s, &factorpb.FactorRequest{Id: id, Number: number}); err != nil {
		if _, isStatus := status.FromError(err); !isStatus {
			// grpctest.Send's words for a stream that ended with OK, which
			// Recv reports as io.EOF.
			return nil, io.EOF
		}
		return nil, err
	}
	return s.Recv()
}

// ask sends one request and returns the reply that comes back for it. Every
// id a test asks with is greater than the ids before it on its stream.
func ask(t *testing.T, s rawStream, id uint64, number int64) *factorpb.Factorization {
	t.Helper()
	reply, err := exchange(s, id, number)
	switch {
	case err == nil:
		return reply
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("no reply to {id: %d, number: %d} before the test's deadline — task 1 in server.go: stream.Send each reply as soon as it is computed, inside the loop", id, number)
	case status.Code(err) == codes.FailedPrecondition || status.Code(err) == codes.AlreadyExists:
		t.Fatalf("asking {id: %d, number: %d}, the stream ended with %s, but id %d is greater than every id before it on this stream — task 5 in server.go: "+
			"each stream has ids of its own, starting at 1: what you keep of them belongs to one run of Factorize, not to a variable or field that every stream shares",
			id, number, describe(err), id)
	case errors.Is(err, io.EOF):
		t.Fatalf("asking {id: %d, number: %d}, the stream ended with OK, unanswered — task 1 in server.go: answer every request, and return nil only at io.EOF", id, number)
	default:
		t.Fatalf("asking {id: %d, number: %d}, the stream ended with %s, unanswered — task 1 in server.go", id, number, describe(err))
	}
	return nil
}

// sendRequest sends one request; if the stream is already over, it fails the
// test with the status the stream ended with, and hint.
func sendRequest(t *testing.T, s rawStream, id uint64, number int64, hint string) {
	t.Helper()
	if err := grpctest.Send(s, &factorpb.FactorRequest{Id: id, Number: number}); err != nil {
		t.Fatalf("sending {id: %d, number: %d}: the stream was already over: %s — %s", id, number, describe(err), hint)
	}
}

// wantEndOK half-closes the stream and checks that the server ends it with
// OK, which the client's Recv reports as io.EOF.
func wantEndOK(t *testing.T, s rawStream) {
	t.Helper()
	if err := s.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v — task 1 in server.go", err)
	}
	reply, err := s.Recv()
	switch {
	case errors.Is(err, io.EOF):
	case err == nil:
		t.Fatalf("after CloseSend, with every request answered, Recv returned one more reply %v, want io.EOF — task 1 in server.go: answer each request once", reply)
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("the stream did not end after CloseSend — task 1 in server.go: when Recv returns io.EOF, return nil")
	case status.Convert(err).Message() == "EOF":
		t.Fatalf("after CloseSend, Recv returned %s, want io.EOF — task 1 in server.go: return nil at io.EOF, not io.EOF itself (gRPC sends that as an Unknown error)", describe(err))
	default:
		t.Fatalf("after CloseSend, Recv returned %s, want io.EOF (the stream ended with OK) — task 1 in server.go: return nil at io.EOF", describe(err))
	}
}

// describe renders an error as its status code and message, or, for an
// error that is not a status, as its text.
func describe(err error) string {
	if err == nil {
		return "no error"
	}
	if st, ok := status.FromError(err); ok {
		return fmt.Sprintf("%s (%q)", st.Code(), st.Message())
	}
	return fmt.Sprintf("the error %q", err.Error())
}

func TestTask1_AnswersEachNumberAsItArrives(t *testing.T) {
	srv := startServer(t)
	s := openStream(t, grpctest.Context(t, patience), srv.client)
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
	srv := startServer(t)
	s := openStream(t, grpctest.Context(t, patience), srv.client)
	// Any ids will do, gaps and all, as long as each is greater than the
	// one before, up to the largest a uint64 holds.
	for _, req := range []struct {
		id     uint64
		number int64
	}{{3, 10}, {7, 30}, {1000, 4}, {math.MaxUint64, 9}} {
		reply := ask(t, s, req.id, req.number)
		if reply.GetId() != req.id || reply.GetNumber() != req.number {
			t.Errorf("reply to {id: %d, number: %d} has id %d, number %d; want the request's own — task 1 in server.go: answer with factorize(stream.Context(), req), which copies them",
				req.id, req.number, reply.GetId(), reply.GetNumber())
		}
	}
	wantEndOK(t, s)
}

func TestTask1_EndsWithOKWhenTheClientIsDone(t *testing.T) {
	srv := startServer(t)
	s := openStream(t, grpctest.Context(t, patience), srv.client)
	wantEndOK(t, s) // a stream with no request at all is fine too
	run := srv.handlerReturned(t, "task 1 in server.go")
	if run.err != nil {
		t.Errorf("Factorize returned %s after the client's CloseSend, want nil — task 1 in server.go", describe(run.err))
	}
}

func TestTask1_EndsWithRecvsErrorWhenTheClientLeaves(t *testing.T) {
	srv := startServer(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience))
	defer cancel()
	s := openStream(t, ctx, srv.client)
	ask(t, s, 1, 12)

	// The client gives up while the handler waits for its next request, or
	// is about to: that Recv fails with Canceled, and the stream is over.
	cancel()
	hint := "task 1 in server.go: when Recv fails with anything but io.EOF, return its error as it is: it is already the stream's status"
	run := srv.handlerReturned(t, "after the client cancelled — "+hint)
	if run.recvAfterRecvFailed {
		t.Fatalf("Factorize called Recv again after Recv had failed with %s: a loop that goes on after a failed Recv spins forever — %s", describe(run.recvErr), hint)
	}
	wantHandlerCode(t, "Factorize, after Recv failed because the client cancelled,", run.err, codes.Canceled, hint)
}

func TestTask1_EndsWithSendsErrorWhenSendFails(t *testing.T) {
	// This server sends no message over 40 bytes (grpc.MaxSendMsgSize): the
	// answer to 2^62, sixty-two 2s, is larger, so that Send fails. gRPC then
	// ends the stream with Send's error, and nothing more can be sent or
	// received on it.
	srv := startServer(t, grpc.MaxSendMsgSize(40))
	s := openStream(t, grpctest.Context(t, patience), srv.client)
	ask(t, s, 1, 12) // a small answer goes through
	if _, err := exchange(s, 2, 1<<62); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("asking {id: 2, number: 2^62}, whose answer is larger than the server may send, the stream ended with %s, want ResourceExhausted — task 1 in server.go: stream.Send each reply", describe(err))
	}

	hint := "task 1 in server.go: call stream.Send in the handler's loop (not on a goroutine of its own), and when it fails return its error: the stream is over"
	run := srv.handlerReturned(t, "after its Send failed — "+hint)
	run.mu.Lock()
	sendErr, recvAfter := run.sendErr, run.recvAfterSendFailed
	run.mu.Unlock()
	if sendErr == nil {
		t.Fatalf("Factorize never called Send with the answer to 2^62 (returned %s) — task 1 in server.go: stream.Send each reply", describe(run.err))
	}
	if recvAfter {
		t.Errorf("Send failed with %s, and Factorize went on to Recv the next request — %s", describe(sendErr), hint)
	}
	wantHandlerCode(t, fmt.Sprintf("Factorize, after Send failed with %s,", describe(sendErr)), run.err, status.Code(sendErr), hint)
}

func TestTask2_InBandErrorForNumbersBelowTwo(t *testing.T) {
	srv := startServer(t)
	s := openStream(t, grpctest.Context(t, patience), srv.client)
	for i, n := range []int64{1, 0, -12} {
		id := uint64(i + 1)
		reply, err := exchange(s, id, n)
		if status.Code(err) == codes.Unimplemented {
			t.Fatalf("asking {id: %d, number: %d}, the stream ended with %s — task 1 in server.go comes first", id, n, describe(err))
		}
		if err != nil {
			t.Fatalf("asking {id: %d, number: %d}, the stream ended with %s, want a reply with Error set — task 2 in server.go: a number below 2 must not end the stream; answer it with reply.Error set and a nil error",
				id, n, describe(err))
		}
		if reply.GetError() == "" {
			t.Errorf("the reply to %d has no Error, want a message saying why it has no factors (its words are yours) — task 2 in server.go", n)
		}
		if len(reply.GetPrimes()) > 0 || reply.GetId() != id || reply.GetNumber() != n {
			t.Errorf("the reply to {id: %d, number: %d} = {id: %d, number: %d, primes: %v}, want the request's id and number and no primes — task 2 in server.go",
				id, n, reply.GetId(), reply.GetNumber(), reply.GetPrimes())
		}
	}
	// The stream goes on: the next good numbers are answered as usual, down
	// to 2, the smallest number that has a prime factor.
	for i, tc := range []struct {
		number int64
		want   []int64
	}{{12, []int64{2, 2, 3}}, {2, []int64{2}}} {
		if reply := ask(t, s, uint64(4+i), tc.number); !slices.Equal(reply.GetPrimes(), tc.want) || reply.GetError() != "" {
			t.Errorf("after the bad numbers, the reply to %d = primes %v, error %q; want primes %v and no error — task 2 in server.go: only numbers below 2 get an in-band error",
				tc.number, reply.GetPrimes(), reply.GetError(), tc.want)
		}
	}
	wantEndOK(t, s)
}

// leavingContext is a stream's context as the handler sees it, for a client
// that leaves while its number is being factored. Once the test says the
// number has arrived, the context is done, with reason (context.Canceled: the
// client cancelled; context.DeadlineExceeded: its deadline passed), at the
// second time the handler asks Err: a check before factoring is the first,
// and primes.Factor asks every few thousand divisions. A handler that waits
// on Done instead (in a select, or through a context derived from this one)
// sees the client leave as soon as the number has arrived. A handler that
// factors with another context asks at most once, and factors to the end.
type leavingContext struct {
	stream  context.Context // for Deadline and Value; its end ends this one too
	reason  error
	onLeave func() // what else happens when the client leaves
	done    chan struct{}

	mu      sync.Mutex
	arrived bool // the number has arrived
	asked   int  // calls of Err since then
	watched bool // Done has been called
	err     error
}

func newLeavingContext(stream context.Context, reason error, onLeave func()) *leavingContext {
	c := &leavingContext{stream: stream, reason: reason, onLeave: onLeave, done: make(chan struct{})}
	context.AfterFunc(stream, func() { c.end(stream.Err()) })
	return c
}

// arrive says that the number the client leaves over has arrived.
func (c *leavingContext) arrive() {
	c.mu.Lock()
	c.arrived = true
	leave := c.watched
	c.mu.Unlock()
	if leave {
		c.leave()
	}
}

func (c *leavingContext) leave() {
	if c.end(c.reason) && c.onLeave != nil {
		c.onLeave()
	}
}

// end ends the context with err, and reports whether it was still going.
func (c *leavingContext) end(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return false
	}
	c.err = err
	close(c.done)
	return true
}

func (c *leavingContext) Deadline() (time.Time, bool) { return c.stream.Deadline() }
func (c *leavingContext) Value(key any) any           { return c.stream.Value(key) }

func (c *leavingContext) Done() <-chan struct{} {
	c.mu.Lock()
	c.watched = true
	leave := c.arrived
	c.mu.Unlock()
	if leave {
		c.leave()
	}
	return c.done
}

func (c *leavingContext) Err() error {
	c.mu.Lock()
	if c.arrived {
		c.asked++
	}
	leave := c.arrived && c.asked == 2
	c.mu.Unlock()
	if leave {
		c.leave()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func TestTask4_HandlerStopsWhenTheClientLeaves(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason error
		want   codes.Code
	}{
		{"the client cancels", context.Canceled, codes.Canceled},
		{"the client's deadline passes", context.DeadlineExceeded, codes.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(grpctest.Context(t, patience))
			defer cancel()
			var onLeave func()
			if tc.reason == context.Canceled {
				onLeave = cancel // the client really goes
			}
			srv := startServerWith(t, func(run *handlerRun) {
				leaving := newLeavingContext(run.ctx, tc.reason, onLeave)
				run.ctx = leaving
				run.received = func(req *factorpb.FactorRequest) {
					if req.GetNumber() == slowPrime {
						leaving.arrive()
					}
				}
			})
			s := openStream(t, ctx, srv.client)
			if _, err := exchange(s, 1, slowPrime); status.Code(err) == codes.Unimplemented {
				t.Fatalf("asking {id: 1, number: %d}, the stream ended with %s — task 1 in server.go comes first", int64(slowPrime), describe(err))
			}
			// No more requests: a handler that answered anyway now ends too.
			if err := s.CloseSend(); err != nil {
				t.Fatalf("CloseSend: %v — task 1 in server.go", err)
			}

			hint := "task 4 in server.go: pass ctx to primes.Factor, and when it fails return status.FromContextError(err).Err()"
			run := srv.handlerReturned(t, "after the client left — "+hint)
			for _, reply := range run.replies() {
				switch {
				case reply.GetNumber() != slowPrime:
				case len(reply.GetPrimes()) > 0:
					t.Errorf("Factorize factored %d to the end without asking stream.Context() on the way whether the client was still there: "+
						"it would go on for a client that left — task 4 in server.go: pass ctx to primes.Factor, not context.TODO() or context.Background() "+
						"(a check before factoring is not enough: a large prime takes seconds)", int64(slowPrime))
				default:
					t.Errorf("the client left while %d was being factored, and Factorize still sent it an answer, {primes: %v, error: %q} — "+
						"task 4 in server.go: when primes.Factor returns an error, return status.FromContextError(err).Err() instead of a reply",
						int64(slowPrime), reply.GetPrimes(), reply.GetError())
				}
			}
			if !t.Failed() {
				wantHandlerCode(t, fmt.Sprintf("Factorize, when stream.Context() ended with %v,", tc.reason), run.err, tc.want, hint)
			}
		})
	}
}

func TestTask5_AnIDThatDoesNotIncreaseEndsTheStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []uint64 // the ids answered first
		id     uint64   // the id that breaks the rule
		why    string   // why it does
	}{
		{"the last id again", []uint64{3, 7}, 7,
			"7 is not greater than 7"},
		{"an earlier id again", []uint64{3, 7}, 3,
			"3 is smaller than 7"},
		{"an id smaller than the last, never used before", []uint64{3, 7}, 5,
			"5 was never used on this stream, but it is smaller than 7: the rule is about order, not about repeats"},
		{"id 0 first", nil, 0,
			"the ids of a stream start at 1; 0, proto3's default, is what a request that forgot to set its id carries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t)
			s := openStream(t, grpctest.Context(t, patience), srv.client)
			for _, id := range tc.before {
				ask(t, s, id, 12)
			}
			after := "as the first request on its stream"
			if len(tc.before) > 0 {
				after = fmt.Sprintf("after the ids %v", tc.before)
			}
			hint := "task 5 in server.go: a request whose id is not greater than the last one on its stream ends the stream with FailedPrecondition, unanswered (" + tc.why + ")"
			sendRequest(t, s, tc.id, 15, hint)
			reply, err := s.Recv()
			if err == nil {
				t.Fatalf("%s, Factorize answered the request with id %d (with %v), want the stream to end with FailedPrecondition, unanswered — %s; check the id before you factor and answer", after, tc.id, reply, hint)
			}
			if status.Code(err) == codes.Unimplemented {
				t.Fatalf("with id %d %s, Recv returned %s — task 1 in server.go comes first", tc.id, after, describe(err))
			}
			grpctest.WantCode(t, fmt.Sprintf("with id %d %s, Recv", tc.id, after), err, codes.FailedPrecondition,
				"task 5 in server.go: an id that does not increase breaks the order of the stream, whose last id starts at 0: FailedPrecondition "+
					"(AlreadyExists would say the id was used before, which a server that keeps one number does not know; InvalidArgument, that the field is bad whatever came before)")
			if status.Code(err) != codes.FailedPrecondition {
				return
			}
			if !strings.Contains(status.Convert(err).Message(), fmt.Sprint(tc.id)) {
				t.Errorf("the FailedPrecondition message %q does not name the id, %d — task 5 in server.go", status.Convert(err).Message(), tc.id)
			}
			run := srv.handlerReturned(t, hint)
			wantHandlerCode(t, fmt.Sprintf("Factorize, given id %d %s,", tc.id, after), run.err, codes.FailedPrecondition, hint)
		})
	}
}

func TestTask5_EachStreamHasItsOwnIDs(t *testing.T) {
	srv := startServer(t)
	ctx := grpctest.Context(t, patience)
	first := openStream(t, ctx, srv.client)
	ask(t, first, 1, 12)
	ask(t, first, 2, 97)
	wantEndOK(t, first)

	// Another stream, another client program: it counts its ids from 1 too.
	second := openStream(t, ctx, srv.client)
	ask(t, second, 1, 15)
	hint := "task 5 in server.go: on each stream, a request whose id is not greater than the last one on that stream ends it with FailedPrecondition"
	sendRequest(t, second, 1, 21, hint)
	_, err := second.Recv()
	grpctest.WantCode(t, "on a second stream, Recv after a request that repeats its id 1", err, codes.FailedPrecondition, hint)
}
