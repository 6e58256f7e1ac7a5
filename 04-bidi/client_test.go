package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/primes"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tasks are tested against fake Factorizers defined here, so that
// they do not depend on your server: each fake behaves in one way, on purpose.

type serverStream = grpc.BidiStreamingServer[factorpb.FactorRequest, factorpb.Factorization]

// answer is what every fake replies to req: the right factors, or an
// in-band error for a number below 2.
func answer(req *factorpb.FactorRequest) *factorpb.Factorization {
	reply := &factorpb.Factorization{Id: req.GetId(), Number: req.GetNumber()}
	if req.GetNumber() < 2 {
		reply.Error = fmt.Sprintf("number must be at least 2, got %d", req.GetNumber())
		return reply
	}
	reply.Primes, _ = primes.Factor(context.Background(), req.GetNumber())
	return reply
}

// promptFactorizer answers each request the moment it arrives, and records
// the requests it received and how each stream's input ended.
type promptFactorizer struct {
	factorpb.UnimplementedFactorizerServer
	mu       sync.Mutex
	received []*factorpb.FactorRequest
	ended    chan error // per stream: io.EOF (the client half-closed), or why Recv failed
}

func newPromptFactorizer() *promptFactorizer {
	return &promptFactorizer{ended: make(chan error, 10)}
}

func (f *promptFactorizer) Factorize(stream serverStream) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			select {
			case f.ended <- err:
			default: // nobody is reading, and the buffer is full: never block the handler
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		f.mu.Lock()
		f.received = append(f.received, req)
		f.mu.Unlock()
		if err := stream.Send(answer(req)); err != nil {
			return err
		}
	}
}

// requests returns the {id, number} pairs received so far.
func (f *promptFactorizer) requests() [][2]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pairs [][2]int64
	for _, r := range f.received {
		pairs = append(pairs, [2]int64{int64(r.GetId()), r.GetNumber()})
	}
	return pairs
}

// lateFactorizer answers nothing until the client has sent its last request
// (CloseSend), then answers them all; then it ends the stream with end.
type lateFactorizer struct {
	factorpb.UnimplementedFactorizerServer
	end error
}

func (f *lateFactorizer) Factorize(stream serverStream) error {
	var reqs []*factorpb.FactorRequest
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		reqs = append(reqs, req)
	}
	for _, req := range reqs {
		if err := stream.Send(answer(req)); err != nil {
			return err
		}
	}
	return f.end
}

// quittingFactorizer answers the first request, then ends the stream with
// end (nil: OK) while the client may still be sending: a server shutting down.
type quittingFactorizer struct {
	factorpb.UnimplementedFactorizerServer
	end error
}

func (f quittingFactorizer) Factorize(stream serverStream) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	if err := stream.Send(answer(req)); err != nil {
		return err
	}
	return f.end
}

func fakeClient(t *testing.T, fake factorpb.FactorizerServer) factorpb.FactorizerClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { factorpb.RegisterFactorizerServer(s, fake) })
	return factorpb.NewFactorizerClient(conn)
}

// wantNilAtTheEnd checks what Factorize returned when the stream ended with OK.
func wantNilAtTheEnd(t *testing.T, when string, err error) {
	t.Helper()
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		t.Errorf("Factorize returned io.EOF %s, want nil — task 3 in client.go: io.EOF from Recv is how the server says it ended the stream with OK; receive returns nil then", when)
	default:
		t.Errorf("Factorize returned %s %s, want nil — task 3 in client.go", describe(err), when)
	}
}

func TestTask3_PrintsEachAnswerBeforeTheNextLine(t *testing.T) {
	client := fakeClient(t, newPromptFactorizer())
	s := startSession(t, grpctest.Context(t, 2*patience), client)

	// The test types the second line only once the answer to the first has
	// been printed: a client that sends everything before it receives
	// anything never gets there.
	s.typeLine("12", "task 3 in client.go: start the stream and send each number as it is read")
	s.wantLine("12 = 2 × 2 × 3", "the server answered at once, and the input is still open — task 3 in client.go: "+
		"receiving must not wait for sending to end: the two directions of a bidi stream run at the same time")
	s.typeLine("97", "task 3 in client.go: keep sending after the first answer")
	s.wantLine("97 is prime", "task 3 in client.go")
	s.endInput()
	err := s.wait("after the end of input — task 3 in client.go: CloseSend when lines is closed, then receive until io.EOF")
	wantNilAtTheEnd(t, "at the end of input", err)
}

func TestTask3_SkipsLinesThatAreNotNumbers(t *testing.T) {
	fake := newPromptFactorizer()
	client := fakeClient(t, fake)
	s := startSession(t, grpctest.Context(t, 2*patience), client)

	s.typeLine("12", "task 3 in client.go")
	s.wantLine("12 = 2 × 2 × 3", "task 3 in client.go")
	s.typeLine("foo", "task 3 in client.go: a line that is not a number must not end the stream")
	s.wantLine(`"foo" is not a number: skipped`, "task 3 in client.go: when strconv.ParseInt fails, call p.NotANumber(line) and go on")
	s.typeLine("97", "task 3 in client.go: go on after a line that is not a number")
	s.wantLine("97 is prime", "task 3 in client.go: go on after a line that is not a number")
	s.endInput()
	wantNilAtTheEnd(t, "at the end of input", s.wait("task 3 in client.go"))

	// Only numbers are sent: "foo" never was. And the ids of a stream start
	// at 1 and increase (factor.proto): a server keeps only the last one.
	got := fake.requests()
	var numbers []int64
	for _, r := range got {
		numbers = append(numbers, r[1])
	}
	switch {
	case !slices.Equal(numbers, []int64{12, 97}):
		t.Errorf("the server received {id, number} %v, want the numbers 12 and 97, in that order — task 3 in client.go: send each line that is a number, and nothing else", got)
	case uint64(got[0][0]) < 1 || uint64(got[1][0]) <= uint64(got[0][0]):
		t.Errorf("the server received the ids %d, then %d — task 3 in client.go: the ids of a stream start at 1 and each is greater than the one before (factor.proto); a server that checks them would end this stream",
			uint64(got[0][0]), uint64(got[1][0]))
	}
}

func TestTask3_WaitsForTheLastAnswer(t *testing.T) {
	// This server answers only after CloseSend: a client that returns as
	// soon as it has sent everything misses every answer.
	client := fakeClient(t, &lateFactorizer{})
	s := startSession(t, grpctest.Context(t, 2*patience), client)
	for _, line := range []string{"12", "97", "1"} {
		s.typeLine(line, "task 3 in client.go")
	}
	s.endInput()
	hint := "this server answers once the input has ended — task 3 in client.go: CloseSend, then keep receiving until io.EOF"
	s.wantLine("12 = 2 × 2 × 3", hint)
	s.wantLine("97 is prime", hint)
	s.wantLine("1: error: number must be at least 2, got 1", hint)
	wantNilAtTheEnd(t, "when the server ended the stream with OK", s.wait(hint))
	s.wantNothingMorePrinted("task 3 in client.go: print each answer once")
}

func TestTask3_ReturnsTheServersError(t *testing.T) {
	sent := status.Error(codes.DataLoss, "the disk is full")
	client := fakeClient(t, &lateFactorizer{end: sent})
	s := startSession(t, grpctest.Context(t, 2*patience), client)
	s.typeLine("12", "task 3 in client.go")
	s.endInput()
	s.wantLine("12 = 2 × 2 × 3", "task 3 in client.go")
	err := s.wait("task 3 in client.go: receive until Recv returns an error")
	grpctest.WantCode(t, "Factorize, when the server ended the stream with DataLoss,", err, codes.DataLoss,
		"task 3 in client.go: return the error Recv gave you")
	if status.Code(err) == codes.DataLoss && err.Error() != sent.Error() {
		t.Errorf("Factorize returned %q, want it unchanged: %q — task 3 in client.go: return err itself, not wrapped", err, sent)
	}
}

// failingFactorizer ends its stream with end once the test says that a
// Send of the client has failed, and not before.
type failingFactorizer struct {
	factorpb.UnimplementedFactorizerServer
	sendFailed <-chan struct{}
	end        error
}

func (f failingFactorizer) Factorize(stream serverStream) error {
	select {
	case <-f.sendFailed:
	case <-stream.Context().Done():
	}
	return f.end
}

// failingSend is the client's end of a stream whose Send fails with a bare
// io.EOF, as gRPC's does once the server has ended the stream; the reason
// comes later, from Recv.
type failingSend struct {
	grpc.ClientStream
	once   *sync.Once
	failed chan struct{}
}

func (s failingSend) SendMsg(any) error {
	s.once.Do(func() { close(s.failed) })
	return io.EOF
}

func TestTask3_ReturnsTheServersErrorWhenSendFails(t *testing.T) {
	// Send fails first, with a bare io.EOF; only then does the server end
	// the stream, with Unavailable: that is what Factorize must return.
	failed := make(chan struct{})
	ended := status.Error(codes.Unavailable, "the server is shutting down")
	fake := failingFactorizer{sendFailed: failed, end: ended}
	var once sync.Once
	conn := grpctest.Start(t, func(s *grpc.Server) { factorpb.RegisterFactorizerServer(s, fake) }).Dial(t,
		grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			cs, err := streamer(ctx, desc, cc, method, opts...)
			if err != nil {
				return nil, err
			}
			return failingSend{ClientStream: cs, once: &once, failed: failed}, nil
		}))
	s := startSession(t, grpctest.Context(t, 2*patience), factorpb.NewFactorizerClient(conn))
	s.typeLine("12", "task 3 in client.go")
	s.endInput()
	err := s.wait("after a Send failed and the server then ended the stream with Unavailable — task 3 in client.go")
	grpctest.WantCode(t, "Factorize, when Send failed with io.EOF and the server ended the stream with Unavailable,", err, codes.Unavailable,
		"task 3 in client.go: a failed Send says only that the stream is over; the server's status, which Factorize returns, comes from Recv")
}

func TestTask4_StopsWhenCancelled(t *testing.T) {
	fake := newPromptFactorizer()
	client := fakeClient(t, fake)
	ctx, cancel := context.WithCancel(grpctest.Context(t, 2*patience))
	defer cancel()
	s := startSession(t, ctx, client)
	s.typeLine("12", "task 3 in client.go")
	s.wantLine("12 = 2 × 2 × 3", "task 3 in client.go")

	// Ctrl-C while the user is thinking about the next number: the input
	// stays open, and Factorize must return anyway.
	cancel()
	err := s.wait("after its context was cancelled, with the input still open — task 4 in client.go: " +
		"giving up must reach both directions: the stream (opened with a context that ends with ctx) and the wait for the next line, which may never come")

	// Giving up cancels the stream: the server's Recv fails with Canceled.
	// CloseSend would say something else: that the input has ended, and
	// that the client waits for the remaining answers.
	select {
	case end := <-fake.ended:
		if errors.Is(end, io.EOF) {
			t.Errorf("the client gave up, and the server saw its input end (CloseSend) instead of a cancel — task 4 in client.go: " +
				"giving up must cancel the stream: open it with the ctx that is cancelled, and keep CloseSend for the end of the input")
		}
	case <-time.After(patience):
		t.Errorf("the server's stream was still open %v after Factorize returned — task 4 in client.go: open the stream with the ctx that is cancelled", patience)
	}
	grpctest.WantCode(t, "Factorize, cancelled,", err, codes.Canceled,
		"task 4 in client.go: return the stream's error, which Recv gives you once the stream is cancelled")
}

func TestTask4_StopsWhenTheServerEndsTheStream(t *testing.T) {
	client := fakeClient(t, quittingFactorizer{end: status.Error(codes.Unavailable, "the server is shutting down")})
	s := startSession(t, grpctest.Context(t, 2*patience), client)
	s.typeLine("12", "task 3 in client.go")
	s.wantLine("12 = 2 × 2 × 3", "task 3 in client.go")

	// The server has ended the stream with Unavailable; the input stays open.
	err := s.wait("after the server ended the stream with Unavailable, with the input still open — task 4 in client.go: " +
		"when the receiving side learns that the stream is over, the sending side must stop too: it may be waiting for a line that never comes")
	grpctest.WantCode(t, "Factorize, when the server ended the stream mid-way,", err, codes.Unavailable,
		"task 3 in client.go: return the error Recv gave you, unchanged")
	s.wantNothingLeftRunning(leftRunning)
}

func TestTask4_ReturnsOnlyOnceItsPrintingHasEnded(t *testing.T) {
	const hint = "task 4 in client.go: Factorize returns only once every goroutine of its own has ended"
	endNow := make(chan struct{})
	client := fakeClient(t, failingFactorizer{sendFailed: endNow, end: status.Error(codes.Unavailable, "the server is shutting down")})
	s := startSession(t, grpctest.Context(t, 2*patience), client)

	// The output is held: the line saying "foo" was skipped is being
	// written, and cannot finish, when the server ends the stream.
	s.holdOutput()
	s.typeLine("foo", "task 3 in client.go")
	s.waitForHeldWrite("task 3 in client.go: a line that is not a number is reported")
	close(endNow)
	select {
	case err := <-s.done:
		s.setReturned(err)
		s.releaseOutput()
		t.Fatalf("Factorize returned %s while a line it was printing was still being written — %s", describe(err), hint)
	case <-time.After(2 * time.Second): // how long a Factorize that does not wait may take to return
	}
	s.releaseOutput()
	s.wantLine(`"foo" is not a number: skipped`, "task 3 in client.go")
	err := s.wait(hint)
	grpctest.WantCode(t, "Factorize, when the server ended the stream mid-way,", err, codes.Unavailable,
		"task 3 in client.go: the server's status comes back unchanged")
}

// leftRunning is the likely cause of a goroutine that outlives Factorize.
const leftRunning = "task 4 in client.go: what reads the input (console.Lines) and what sends must stop once Factorize returns: " +
	"give them a context that ends then, not the caller's ctx, which may live on long after"

func TestTask4_StopsWhenTheServerEndsTheStreamWithOK(t *testing.T) {
	client := fakeClient(t, quittingFactorizer{end: nil})
	s := startSession(t, grpctest.Context(t, 2*patience), client)
	s.typeLine("12", "task 3 in client.go")
	s.wantLine("12 = 2 × 2 × 3", "task 3 in client.go")

	// The server has ended the stream with OK; the input stays open. Nothing
	// more can be answered, so the sender must stop too, although no one failed.
	err := s.wait("after the server ended the stream with OK, with the input still open — task 4 in client.go: " +
		"an end with OK is no error, and must stop the sending side all the same (errgroup, for one, cancels its context only on an error)")
	if err != nil {
		t.Errorf("Factorize returned %v after the server ended the stream with OK, want nil — task 4 in client.go", err)
	}
	s.wantNothingLeftRunning(leftRunning)
}
