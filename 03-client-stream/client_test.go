package clientstream

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client task is tested against fake Stats servers defined here, so that
// it does not depend on your server: each fake does one thing, on purpose.

// recordingStats keeps every sample it receives and answers with reply. When
// the call ends it reports what it saw on got.
type recordingStats struct {
	statspb.UnimplementedStatsServer
	reply *statspb.Summary
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
			if errors.Is(err, io.EOF) {
				return stream.SendAndClose(f.reply)
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

func fakeClient(t *testing.T, fake statspb.StatsServer) statspb.StatsClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { statspb.RegisterStatsServer(s, fake) })
	return statspb.NewStatsClient(conn)
}

// waitForCall returns what fake saw of the call, or fails the test if the
// call has not ended by the test's deadline.
func waitForCall(t *testing.T, fake *recordingStats, timeout time.Duration, hint string) recording {
	t.Helper()
	select {
	case r := <-fake.got:
		return r
	case <-time.After(timeout):
		t.Fatalf("the server's stream never ended — %s", hint)
		return recording{}
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
			got, err := Summarize(grpctest.Context(t, 5*time.Second), fakeClient(t, fake), strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("Summarize(%q) failed: %v — task 4 in client.go: send each number, then return stream.CloseAndRecv()", tc.input, err)
			}
			if !proto.Equal(got, reply) {
				t.Errorf("Summarize(%q) = %v, want the server's reply %v — task 4 in client.go: return what CloseAndRecv returns", tc.input, got, reply)
			}
			r := waitForCall(t, fake, time.Second, "task 4 in client.go")
			if !slices.Equal(r.values, tc.want) {
				t.Errorf("Summarize(%q) sent %v, want %v — task 4 in client.go: split the input with bufio.ScanWords and send every number in order", tc.input, r.values, tc.want)
			}
		})
	}
}

func TestTask4_ReturnsTheServersErrorUnchanged(t *testing.T) {
	sent := status.Error(codes.InvalidArgument, "sample 0 (counting from 0) is not welcome here")
	client := fakeClient(t, rejectingStats{err: sent})
	// Far more numbers than fit in the stream's buffers: the client is still
	// sending when the server ends the call, and Send starts failing with io.EOF.
	input := strings.Repeat("1 ", 200_000)
	_, err := Summarize(grpctest.Context(t, 5*time.Second), client, strings.NewReader(input))
	grpctest.WantCode(t, "Summarize(1 1 1 …) against a server that rejects the first sample", err, codes.InvalidArgument,
		"task 4 in client.go: when Send returns io.EOF the server has ended the call; stop sending and return stream.CloseAndRecv(), which carries the server's status")
	if status.Code(err) == codes.InvalidArgument && err.Error() != sent.Error() {
		t.Errorf("Summarize returned %q, want the server's error unchanged: %q — task 4 in client.go: return it, not wrapped", err, sent)
	}
}

// The client's bad input: a word that is not a number.
func TestTask4_StopsAtAWordThatIsNotANumber(t *testing.T) {
	for _, tc := range []struct{ input, word string }{
		{"1 2 three 4 5", "three"},
		{"1\n2\n3,5\n4\n5", "3,5"},
		{"1 2 1e400 4 5", "1e400"}, // too large for a double
	} {
		t.Run(tc.word, func(t *testing.T) {
			fake := newRecordingStats(&statspb.Summary{})
			call := fmt.Sprintf("Summarize(%q)", tc.input)
			_, err := Summarize(grpctest.Context(t, 5*time.Second), fakeClient(t, fake), strings.NewReader(tc.input))
			grpctest.WantCode(t, call, err, codes.InvalidArgument,
				"task 4 in client.go: when strconv.ParseFloat fails, return status.Errorf(codes.InvalidArgument, …) naming the word and its index")
			if status.Code(err) != codes.InvalidArgument {
				return
			}
			msg := status.Convert(err).Message()
			if !strings.Contains(msg, tc.word) || !regexp.MustCompile(`\b2\b`).MatchString(msg) {
				t.Errorf("%s error %q should name the word %q and its index 2 (counting from 0) — task 4 in client.go", call, msg, tc.word)
			}

			r := waitForCall(t, fake, 2*time.Second,
				"task 4 in client.go: on a bad word, return without CloseSend and let the deferred cancel() of a context.WithCancel end the call")
			if errors.Is(r.end, io.EOF) {
				t.Errorf("the server saw the stream end normally (io.EOF), as if the input were complete — task 4 in client.go: cancel the call (context.WithCancel) instead of CloseSend or CloseAndRecv")
			} else if status.Code(r.end) != codes.Canceled {
				t.Errorf("the server's Recv ended with %v, want Canceled — task 4 in client.go: cancel the call's context", r.end)
			}
			// What was sent before the bad word may or may not arrive before the
			// cancellation does; nothing after it may be sent at all.
			if !slices.Equal(r.values, []float64{1, 2}[:len(r.values)]) || len(r.values) > 2 {
				t.Errorf("the server received %v, want at most [1 2], the numbers before %q — task 4 in client.go: stop at the bad word", r.values, tc.word)
			}
		})
	}
}
