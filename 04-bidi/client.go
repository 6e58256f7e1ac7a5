package bidi

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/console"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// clientStream is the client's end of a Factorize stream: it sends
// FactorRequests and receives Factorizations.
type clientStream = grpc.BidiStreamingClient[factorpb.FactorRequest, factorpb.Factorization]

// Factorize runs one Factorize stream: it reads numbers from in, one per
// line, sends each the moment it is read, and prints each answer to out the
// moment it arrives. A line that is not a number is reported on out and
// skipped; the stream goes on.
//
// The two directions overlap: the answer to the first number is printed
// while the user is still typing the second. At the end of in, the server
// learns that no more numbers come, and Factorize returns nil once the
// server has answered everything and ended the stream with OK.
//
// It returns early when the server ends the stream (with its status, or nil
// for OK) or when ctx is done (Canceled, DeadlineExceeded: the server sees
// the stream cancelled), even while the input is still open. When it
// returns, nothing it started is still running.
func Factorize(ctx context.Context, client factorpb.FactorizerClient, in io.Reader, out io.Writer) error {
	// TODO(task 3): numbers go out as they are typed while answers are printed as
	// they arrive, and at the end of input every answer still comes. TestTask3_…
	// (the doc of grpc.ClientStream: which methods may run at the same time).

	// TODO(task 4): Factorize returns, leaving nothing running, when ctx is done or
	// the server ends the stream, however it ends it. TestTask4_Stops…
	return status.Error(codes.Unimplemented, "TODO(task 3): send and receive at the same time in 04-bidi/client.go — see 04-bidi/README.md")
}

// send sends a FactorRequest for each line that is a number, with ids that
// start at 1 and increase, and tells the server that no more numbers come
// when lines is closed (end of input).
//
// It returns nil when it stops early too: when ctx is done or Send fails,
// the stream is over, and the reason is Recv's to give. (Send reports a
// broken stream as a bare io.EOF; the status comes from Recv.)
func send(ctx context.Context, stream clientStream, lines <-chan string, p *console.Printer) error {
	// TODO(task 3): every number reaches the server as soon as it is read, and
	// the server's Recv sees the end of input. TestTask3_SkipsLinesThatAreNotNumbers,
	// TestTask3_SendStopsWhenSendFails (strconv.ParseInt).

	// TODO(task 4): once ctx is done, send stops, even if no line ever comes
	// again. TestTask4_StopsWhenCancelled.
	return errors.New("TODO(task 3): send each number in 04-bidi/client.go — see 04-bidi/README.md")
}

// receive prints each answer as it arrives, until the server ends the
// stream: with OK, which receive reports as nil, or with a status error,
// which receive returns unchanged.
func receive(stream clientStream, p *console.Printer) error {
	// TODO(task 3): every answer is printed the moment it arrives, until the
	// stream ends. TestTask3_WaitsForTheLastAnswer, TestTask3_ReturnsTheServersError.
	return errors.New("TODO(task 3): receive each answer in 04-bidi/client.go — see 04-bidi/README.md")
}
