package clientstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tasks are tested against fake Stats servers defined here, so that
// they do not depend on your server: each fake does one thing, on purpose.
//
// Between your Summarize and the fake sits a spy (spyClient). It records what
// Summarize does with its stream, in order: the context it opened the stream
// with, every Send and what Send returned, and whether it half-closed. The
// tests judge from that record, never from how long something took.

// recordingStats keeps every sample it receives and answers with reply, or
// with the error fail if it is set. When the call ends it reports what it saw
// on got, before it answers.
type recordingStats struct {
	statspb.UnimplementedStatsServer
	reply *statspb.Summary
	fail  error
	got   chan recording
}

// recording is what a fake server saw of one call.
type recording struct {
	values []float64
	end    error // io.EOF if the client half-closed, else why Recv failed
}

func newRecordingStats(reply *statspb.Summary) *recordingStats {
	return &recordingStats{reply: reply, got: make(chan recording, 1)}
}

func (f *recordingStats) Summarize(stream grpc.ClientStreamingServer[statspb.Sample, statspb.Summary]) error {
	var r recording
	for {
		sample, err := stream.Recv()
		if err != nil {
			r.end = err
			f.got <- r
			if errors.Is(err, io.EOF) && f.fail == nil {
				return stream.SendAndClose(f.reply)
			}
			if errors.Is(err, io.EOF) {
				return f.fail
			}
			return err
		}
		r.values = append(r.values, sample.GetValue())
	}
}

// rejectingStats rejects the first sample it receives, without reading on.
type rejectingStats struct {
	statspb.UnimplementedStatsServer
	err error
}

func (f rejectingStats) Summarize(stream grpc.ClientStreamingServer[statspb.Sample, statspb.Summary]) error {
	if _, err := stream.Recv(); err != nil {
		return err
	}
	return f.err
}

// sinkStats reads every sample and keeps none, for endless streams.
type sinkStats struct {
	statspb.UnimplementedStatsServer
}

func (sinkStats) Summarize(stream grpc.ClientStreamingServer[statspb.Sample, statspb.Summary]) error {
	var n int64
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			return stream.SendAndClose(&statspb.Summary{Count: n})
		} else if err != nil {
			return err
		}
		n++
	}
}

// spyClient is a StatsClient in front of a real one (connected to a fake
// server). It hands Summarize a stream that records what is done with it.
type spyClient struct {
	statspb.StatsClient
	opts   []grpc.CallOption // added to the call, e.g. a limit on message size
	onSend func(n int)       // if set, called after the n-th Send (from 1) succeeded

	mu          sync.Mutex
	opened      int             // streams opened
	ctx         context.Context // the context the last stream was opened with
	sent        []float64       // the value of every Send, in order
	sendErr     error           // the first error Send returned
	sentAfter   int             // Send calls made after Send had returned an error
	halfClosed  bool            // CloseSend or CloseAndRecv was called
	sentAtClose int             // how many Sends were made before the half-close
}

// newSpy connects a spy to fake, served in memory for this test.
func newSpy(t *testing.T, fake statspb.StatsServer, opts ...grpc.CallOption) *spyClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { statspb.RegisterStatsServer(s, fake) })
	return &spyClient{StatsClient: statspb.NewStatsClient(conn), opts: opts}
}

func (c *spyClient) Summarize(ctx context.Context, opts ...grpc.CallOption) (grpc.ClientStreamingClient[statspb.Sample, statspb.Summary], error) {
	c.mu.Lock()
	c.opened++
	c.ctx = ctx
	c.mu.Unlock()
	stream, err := c.StatsClient.Summarize(ctx, append(opts, c.opts...)...)
	if err != nil {
		return nil, err
	}
	return &spyStream{ClientStreamingClient: stream, spy: c}, nil
}

// spyRecord is a copy of what the spy has seen so far.
type spyRecord struct {
	opened      int
	ctx         context.Context
	sent        []float64
	sendErr     error
	sentAfter   int
	halfClosed  bool
	sentAtClose int
}

func (c *spyClient) record() spyRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return spyRecord{c.opened, c.ctx, slices.Clone(c.sent), c.sendErr, c.sentAfter, c.halfClosed, c.sentAtClose}
}

// sends returns how many Sends were made so far, and how many of them after
// Send had returned an error.
func (c *spyClient) sends() (n, after int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent), c.sentAfter
}

// spyStream passes each call on to the real stream, and records it.
type spyStream struct {
	grpc.ClientStreamingClient[statspb.Sample, statspb.Summary]
	spy *spyClient
}

func (s *spyStream) Send(m *statspb.Sample) error {
	err := s.ClientStreamingClient.Send(m)
	s.recordSend(m.GetValue(), err)
	return err
}

// SendMsg is what Send calls; a Summarize that calls it directly is recorded too.
func (s *spyStream) SendMsg(m any) error {
	err := s.ClientStreamingClient.SendMsg(m)
	sample, _ := m.(*statspb.Sample)
	s.recordSend(sample.GetValue(), err)
	return err
}

func (s *spyStream) recordSend(v float64, err error) {
	c := s.spy
	c.mu.Lock()
	if c.sendErr != nil {
		c.sentAfter++
	}
	c.sent = append(c.sent, v)
	if err != nil && c.sendErr == nil {
		c.sendErr = err
	}
	n, onSend := len(c.sent), c.onSend
	c.mu.Unlock()
	if err == nil && onSend != nil {
		onSend(n)
	}
}

func (s *spyStream) CloseSend() error {
	s.recordHalfClose()
	return s.ClientStreamingClient.CloseSend()
}

func (s *spyStream) CloseAndRecv() (*statspb.Summary, error) {
	s.recordHalfClose()
	return s.ClientStreamingClient.CloseAndRecv()
}

func (s *spyStream) recordHalfClose() {
	s.spy.mu.Lock()
	defer s.spy.mu.Unlock()
	if !s.spy.halfClosed {
		s.spy.halfClosed, s.spy.sentAtClose = true, len(s.spy.sent)
	}
}

// callerKey marks the context a test passes to Summarize, so that the spy can
// tell whether the stream was opened with a context made from it.
type callerKey struct{}

// callerContext is the context a test calls Summarize with: done after d.
func callerContext(t *testing.T, d time.Duration) context.Context {
	return context.WithValue(grpctest.Context(t, d), callerKey{}, t.Name())
}

// checkOpened fails the test unless Summarize opened one stream, and that with
// a context made from the caller's.
func checkOpened(t *testing.T, r spyRecord, err error) {
	t.Helper()
	if r.opened == 0 {
		t.Fatalf("Summarize returned %v without opening a stream — task 4 in client.go: open one with client.Summarize(ctx)", showErr(err))
	}
	if r.opened > 1 {
		t.Errorf("Summarize opened %d streams, want 1 — task 4 in client.go: one call, one stream", r.opened)
	}
	if r.ctx.Value(callerKey{}) == nil {
		t.Errorf("Summarize opened the stream with a context that is not made from its ctx argument (context.Background()?), so the caller's deadline and cancellation do not reach the call — task 4 in client.go: open the stream with ctx, or with a context made from it")
	}
}

// checkCancelled fails the test if Summarize returned without cancelling the
// stream's context, or after half-closing the stream, when what was sent is
// not the whole input: the server must see the call abandoned, not complete.
func checkCancelled(t *testing.T, r spyRecord, why string) {
	t.Helper()
	if r.halfClosed {
		t.Errorf("%s, Summarize half-closed the stream (CloseSend or CloseAndRecv) after %d samples: the server takes that for the end of a complete input and answers with a Summary of part of it — task 5 in client.go: a half-close says \"that is all, answer\"; to abandon a call, cancel its context", why, r.sentAtClose)
	}
	if r.ctx.Err() == nil {
		t.Errorf("%s, Summarize returned but the stream's context was not cancelled: the call stays open and the server waits for more samples — task 5 in client.go: every way out of Summarize must end the call (context.WithCancel)", why)
	}
}

// checkNoSendAfterError fails the test if Summarize called Send again after
// Send had failed.
func checkNoSendAfterError(t *testing.T, r spyRecord) {
	t.Helper()
	if r.sentAfter > 0 {
		t.Errorf("Send returned %v, and Summarize called Send %d more times: the call was over, so those samples went nowhere — task 5 in client.go: stop sending at the first error; io.EOF means the server has ended the call, and CloseAndRecv tells why", r.sendErr, r.sentAfter)
	}
}

// serverSaw waits for what fake saw of the call: the call is over by then, or
// ends soon, so the wait only bounds how long a failure takes.
func serverSaw(t *testing.T, fake *recordingStats, hint string) recording {
	t.Helper()
	select {
	case r := <-fake.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("10 s after Summarize returned, the server's stream still had not ended — %s", hint)
		return recording{}
	}
}

// showErr renders an error as the gRPC code and message it stands for: a
// context's error stands for Canceled or DeadlineExceeded, as gRPC sends it.
func showErr(err error) string {
	if err == nil {
		return "no error"
	}
	st, ok := status.FromError(err)
	if !ok {
		st = status.FromContextError(err)
	}
	return fmt.Sprintf("%s (%q)", st.Code(), st.Message())
}

// callSummarize calls Summarize with a context that ends after 10 s, as the
// command-line client would with -timeout 10s, and returns what it returns.
// Every way out of Summarize must return by then: one that waits for
// something of its own (a goroutine, a channel) fails the test 10 s later.
func callSummarize(t *testing.T, spy *spyClient, input io.Reader) (*statspb.Summary, error) {
	t.Helper()
	type result struct {
		summary *statspb.Summary
		err     error
		panic   any
		stack   []byte
	}
	ctx := callerContext(t, 10*time.Second)
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{panic: r, stack: debug.Stack()}
			}
		}()
		summary, err := Summarize(ctx, spy, input)
		done <- result{summary: summary, err: err}
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("Summarize panicked: %v — tasks 4 and 5 in client.go\n%s", r.panic, r.stack)
		}
		return r.summary, r.err
	case <-time.After(20 * time.Second):
		sent, _ := spy.sends()
		t.Fatalf("Summarize had not returned 20 s after it started, 10 s after its ctx ended, and had sent %d samples — task 5 in client.go: every way out of Summarize returns; does it wait for a goroutine or a channel of its own that nobody will serve?", sent)
		return nil, nil
	}
}

func TestTask4_StreamsEveryNumberThenReturnsTheReply(t *testing.T) {
	reply := &statspb.Summary{Count: 5, Sum: 1, Mean: 2, Min: 3, Max: 4} // a fake's answer: it need not add up
	for _, tc := range []struct {
		what, input string
		want        []float64
	}{
		{"numbers on one line", "1 2.5 -3", []float64{1, 2.5, -3}},
		{"spaces, tabs and newlines", "  1\n2.5\t\t-3\n\n4e2 \n-0.125\n", []float64{1, 2.5, -3, 400, -0.125}},
		{"no numbers at all", " \n\t\n", nil},
	} {
		t.Run(tc.what, func(t *testing.T) {
			fake := newRecordingStats(reply)
			spy := newSpy(t, fake)
			got, err := callSummarize(t, spy, strings.NewReader(tc.input))
			r := spy.record()
			checkOpened(t, r, err)
			if err != nil {
				if !r.halfClosed {
					t.Fatalf("Summarize(%q) failed: %s, and it never half-closed the stream: the server answers only after Recv returns io.EOF — task 4 in client.go: after the last number, return stream.CloseAndRecv()", tc.input, showErr(err))
				}
				t.Fatalf("Summarize(%q) failed: %s — task 4 in client.go: send each number, then return stream.CloseAndRecv()", tc.input, showErr(err))
			}
			if !proto.Equal(got, reply) {
				t.Errorf("Summarize(%q) = %v, want the server's reply %v — task 4 in client.go: return what CloseAndRecv returns", tc.input, got, reply)
			}
			if !slices.Equal(r.sent, tc.want) {
				t.Errorf("Summarize(%q) sent %v, want %v — task 4 in client.go: split the input with bufio.ScanWords and send every number, in order", tc.input, r.sent, tc.want)
			}
			// The fake reported what it received before it answered, so
			// its report is there already.
			if s := serverSaw(t, fake, "task 4 in client.go"); !slices.Equal(s.values, tc.want) {
				t.Errorf("the server received %v, want %v — task 4 in client.go", s.values, tc.want)
			}
		})
	}
}

// scriptedInput hands out its chunks in order, in Reads of any size, and
// notes, as it starts on each chunk, how many numbers Summarize had sent.
type scriptedInput struct {
	chunks     []string
	spy        *spyClient
	next, off  int   // the chunk being read, and how much of it is read
	sentBefore []int // sentBefore[k]: Sends made before chunk k was started
}

func (in *scriptedInput) Read(p []byte) (int, error) {
	if in.next < len(in.chunks) && in.off == len(in.chunks[in.next]) {
		in.next, in.off = in.next+1, 0
	}
	if in.next == len(in.chunks) {
		return 0, io.EOF
	}
	if in.off == 0 {
		sent, _ := in.spy.sends()
		in.sentBefore = append(in.sentBefore, sent)
	}
	n := copy(p, in.chunks[in.next][in.off:])
	in.off += n
	return n, nil
}

func TestTask4_SendsEachNumberAsItIsRead(t *testing.T) {
	spy := newSpy(t, newRecordingStats(&statspb.Summary{}))
	in := &scriptedInput{chunks: []string{"1 2\n", "3\n", "4 5\n"}, spy: spy}
	_, err := callSummarize(t, spy, in)
	checkOpened(t, spy.record(), err)
	if err != nil {
		t.Fatalf("Summarize(%q) failed: %s — task 4 in client.go: send each number, then return stream.CloseAndRecv()", strings.Join(in.chunks, ""), showErr(err))
	}
	// Before it starts on chunk k, a client that streams has sent every
	// number of the chunks before it: each ends with a newline.
	words := 0
	for k, sent := range in.sentBefore {
		if sent < words {
			t.Fatalf("Summarize read on after %q but had sent only %d of its %d numbers: it reads ahead before it sends (io.ReadAll, strings.Fields?) — task 4 in client.go: send each number as soon as the bufio.Scanner (bufio.ScanWords) hands it over; the input may be larger than memory, or endless",
				strings.Join(in.chunks[:k], ""), sent, words)
		}
		words += len(strings.Fields(in.chunks[k]))
	}
}

func TestTask4_ReturnsTheServersErrorUnchanged(t *testing.T) {
	refused := status.Error(codes.FailedPrecondition, "no summaries today (made up by the test's fake server)")
	fake := newRecordingStats(nil)
	fake.fail = refused
	spy := newSpy(t, fake)
	const input = "1 2 3"
	call := fmt.Sprintf("Summarize(%q) against a server that answers with an error", input)
	_, err := callSummarize(t, spy, strings.NewReader(input))
	checkOpened(t, spy.record(), err)
	grpctest.WantCode(t, call, err, codes.FailedPrecondition,
		"task 4 in client.go: the server's answer, an error included, is what CloseAndRecv returns: return it")
	if status.Code(err) == codes.FailedPrecondition && err.Error() != refused.Error() {
		t.Errorf("%s returned %q, want the server's error unchanged: %q — task 4 in client.go: return it as it is, not wrapped: the caller reads its code and message", call, err, refused)
	}
}

func TestTask4_ReturnsASendErrorUnchanged(t *testing.T) {
	// A limit of 0 bytes per message: a Sample of 0 encodes to nothing and
	// goes; any other fails in Send itself, on the client, with
	// ResourceExhausted. Send then returns that status, not io.EOF.
	spy := newSpy(t, newRecordingStats(&statspb.Summary{}), grpc.MaxCallSendMsgSize(0))
	const input = "0 0 5 0 0"
	call := fmt.Sprintf("Summarize(%q) with a limit of 0 bytes per message", input)
	_, err := callSummarize(t, spy, strings.NewReader(input))
	r := spy.record()
	checkOpened(t, r, err)
	if r.sendErr == nil {
		t.Fatalf("%s returned %s, and no Send failed — task 4 in client.go: send every number with stream.Send", call, showErr(err))
	}
	checkNoSendAfterError(t, r)
	grpctest.WantCode(t, call, err, codes.ResourceExhausted,
		"task 4 in client.go: an error from Send other than io.EOF is the reason the call failed: return it")
	if status.Code(err) == codes.ResourceExhausted && err.Error() != r.sendErr.Error() {
		t.Errorf("%s returned %q, want Send's error unchanged: %q — task 4 in client.go: return it as it is, not wrapped", call, err, r.sendErr)
	}
}

// The tests of task 5 take the other ways out of Summarize, one each: the
// input holds a word that is not a number, the input fails to read, the
// server ends the call early, the caller cancels.

// The client's bad input: a word that is not a number.
func TestTask5_StopsAtAWordThatIsNotANumber(t *testing.T) {
	for _, tc := range []struct{ input, word string }{
		{"1 2 three 4 5", "three"},
		{"1\n2\n3,5\n4\n5", "3,5"},
		{"1 2 1e400 4 5", "1e400"}, // too large for a double
	} {
		t.Run(tc.word, func(t *testing.T) {
			fake := newRecordingStats(&statspb.Summary{})
			spy := newSpy(t, fake)
			call := fmt.Sprintf("Summarize(%q)", tc.input)
			_, err := callSummarize(t, spy, strings.NewReader(tc.input))
			r := spy.record()
			checkOpened(t, r, err)
			grpctest.WantCode(t, call, err, codes.InvalidArgument,
				"task 5 in client.go: when strconv.ParseFloat fails, return an InvalidArgument status naming the word and its index")
			if status.Code(err) == codes.InvalidArgument {
				// The word may hold digits of its own ("3,5"): look for
				// the index in the rest of the message.
				msg := status.Convert(err).Message()
				rest := strings.ReplaceAll(msg, tc.word, "")
				if !strings.Contains(msg, tc.word) || !regexp.MustCompile(`\b2\b`).MatchString(rest) || regexp.MustCompile(`\b3\b`).MatchString(rest) {
					t.Errorf("%s error %q should name the word %q and its index 2, counting from 0 (not 3) — task 5 in client.go", call, msg, tc.word)
				}
			}
			if len(r.sent) > 2 || !slices.Equal(r.sent, []float64{1, 2}[:len(r.sent)]) {
				t.Errorf("%s sent %v, want at most [1 2], the numbers before %q — task 5 in client.go: stop at the bad word, and send nothing after it", call, r.sent, tc.word)
			}
			checkCancelled(t, r, fmt.Sprintf("At the bad word %q", tc.word))
			if t.Failed() {
				return
			}

			// What was sent before the bad word may or may not arrive before
			// the cancellation does; the end of the stream must be Canceled.
			s := serverSaw(t, fake, "task 5 in client.go: a bad word must end the call, without a half-close")
			if status.Code(s.end) != codes.Canceled {
				t.Errorf("the server's Recv ended with %v, want Canceled — task 5 in client.go: the call is abandoned, not complete: cancel its context", s.end)
			}
		})
	}
}

func TestTask5_AReadErrorIsNotTheEndOfTheInput(t *testing.T) {
	broken := errors.New("the disk is on fire")
	fake := newRecordingStats(&statspb.Summary{})
	spy := newSpy(t, fake)
	input := io.MultiReader(strings.NewReader("1 2 "), iotest.ErrReader(broken))
	call := `Summarize("1 2 " and then a read error)`
	_, err := callSummarize(t, spy, input)
	r := spy.record()
	checkOpened(t, r, err)
	if !errors.Is(err, broken) {
		t.Errorf("%s returned %s, want the read error %q, wrapped — task 5 in client.go: a bufio.Scanner stops at a read error as at the end of the input; its Err method tells them apart", call, showErr(err), broken)
	}
	if !slices.Equal(r.sent, []float64{1, 2}) {
		t.Errorf("%s sent %v, want [1 2] — task 4 in client.go", call, r.sent)
	}
	checkCancelled(t, r, "After a read error")
	if t.Failed() {
		return
	}
	if s := serverSaw(t, fake, "task 5 in client.go: a read error must end the call, without a half-close"); status.Code(s.end) != codes.Canceled {
		t.Errorf("the server's Recv ended with %v, want Canceled — task 5 in client.go: the call is abandoned, not complete: cancel its context", s.end)
	}
}

// endlessInput reads as "1 1 1 …" until stop returns true, or giveUpAfter
// numbers; then it ends.
type endlessInput struct {
	stop func() bool
	n    int // bytes read so far
}

func (in *endlessInput) Read(p []byte) (int, error) {
	if in.stop() || in.n >= 2*giveUpAfter {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = "1 "[(in.n+i)%2]
	}
	in.n += len(p)
	return len(p), nil
}

// giveUpAfter is how many numbers an endless input hands out at most: far
// more than a correct client sends before it stops.
const giveUpAfter = 1 << 22

func TestTask5_StopsWhenTheServerEndsTheCall(t *testing.T) {
	rejected := status.Error(codes.InvalidArgument, "sample 0 (counting from 0) is not welcome here")
	spy := newSpy(t, rejectingStats{err: rejected})
	// Endless input: Summarize sends until Send tells it that the server has
	// ended the call. One that does not listen is stopped once it has sent
	// again after Send failed.
	input := &endlessInput{stop: func() bool {
		_, after := spy.sends()
		return after > 0
	}}
	call := "Summarize(1 1 1 …) against a server that rejects the first sample"
	_, err := callSummarize(t, spy, input)
	r := spy.record()
	checkOpened(t, r, err)
	checkNoSendAfterError(t, r)
	if r.sendErr == nil {
		t.Errorf("%s sent %d samples, all of the input the test would give, and Send never failed — task 4 in client.go: send each number with stream.Send; it returns io.EOF once the server has ended the call", call, len(r.sent))
	}
	grpctest.WantCode(t, call, err, codes.InvalidArgument,
		"task 5 in client.go: io.EOF from Send says only that the server has ended the call, never why; stop sending, and CloseAndRecv returns the server's status")
	if status.Code(err) == codes.InvalidArgument && err.Error() != rejected.Error() {
		t.Errorf("%s returned %q, want the server's error unchanged: %q — task 4 in client.go: return it as it is, not wrapped", call, err, rejected)
	}
}

func TestTask5_StopsWhenItsContextIsCancelled(t *testing.T) {
	const before = 100 // samples sent before the caller cancels
	spy := newSpy(t, sinkStats{})
	ctx, cancel := context.WithCancel(callerContext(t, 20*time.Second))
	defer cancel()
	spy.onSend = func(n int) {
		if n == before {
			cancel()
		}
	}
	giveUp := make(chan struct{})
	input := &endlessInput{stop: func() bool {
		select {
		case <-giveUp:
			return true
		default:
			_, after := spy.sends()
			return after > 0
		}
	}}
	done := make(chan error, 1)
	go func() {
		_, err := Summarize(ctx, spy, input)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		close(giveUp) // end the input, so that Summarize returns
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		if sent, _ := spy.sends(); sent < before {
			t.Fatalf("10 s after it started on an endless input, Summarize(1 1 1 …) had sent %d samples — task 4 in client.go: send each number as soon as it is read", sent)
		}
		t.Fatalf("Summarize(1 1 1 …) went on sending after its ctx was cancelled (at sample %d), for 10 s — task 5 in client.go: open the stream with a context made from ctx, so that cancelling ctx ends the call", before)
	}
	r := spy.record()
	checkOpened(t, r, err)
	grpctest.WantCode(t, "Summarize(1 1 1 …) cancelled by its caller", err, codes.Canceled,
		"task 5 in client.go: when the caller cancels ctx, Send returns io.EOF; stop, and CloseAndRecv returns Canceled")
	checkNoSendAfterError(t, r)
}
