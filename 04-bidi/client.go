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
// Sending and receiving run at the same time, on two goroutines: the answer
// to the first number is printed while the user is still typing the second.
// At the end of in, Factorize half-closes the stream (CloseSend) and keeps
// receiving until the server has answered everything and ended the stream,
// which Recv reports as io.EOF; then it returns nil.
//
// It returns early, with the stream's status error, when the server ends
// the stream with an error or when ctx is done (Canceled, DeadlineExceeded).
func Factorize(ctx context.Context, client factorpb.FactorizerClient, in io.Reader, out io.Writer) error {
	// TODO(task 3): open the stream with client.Factorize(ctx), make
	// p := console.NewPrinter(out) and lines := console.Lines(ctx, in), then
	// run send and receive at the same time, not one after the other: each
	// in g.Go of an errgroup.Group (golang.org/x/sync/errgroup), and return
	// g.Wait(), the first error either of them returned.

	// TODO(task 4): when one side fails the other must stop too: make the
	// group with errgroup.WithContext(ctx) and use the ctx it returns for
	// the stream and for console.Lines, so that it is done as soon as
	// either goroutine returns an error. errgroup cancels only on an error:
	// wrap ctx in context.WithCancel too, and cancel it when receive returns
	// (the server ended the stream, perhaps with OK), so that send stops.
	return status.Error(codes.Unimplemented, "TODO(task 3): send and receive at the same time in 04-bidi/client.go — see 04-bidi/README.md")
}

// send sends a FactorRequest for each line that is a number, numbering them
// 1, 2, 3, …, and half-closes the stream when lines is closed (end of input).
//
// It returns nil when it stops early too: when ctx is done or Send fails,
// the stream is over, and receive returns the reason from Recv. (Send
// reports a broken stream as a bare io.EOF; the status comes from Recv.)
func send(ctx context.Context, stream clientStream, lines <-chan string, p *console.Printer) error {
	// TODO(task 3): for each line from lines: parse it with
	// strconv.ParseInt(line, 10, 64); if it is not a number, call
	// p.NotANumber(line) and go on; otherwise stream.Send a FactorRequest
	// with the next id (1, 2, 3, …) and the number. When lines is closed,
	// return stream.CloseSend(). If Send fails, return nil.

	// TODO(task 4): wait for the next line in a select that also watches
	// ctx.Done(), and return nil when ctx is done: the user may never type
	// another line.
	return errors.New("TODO(task 3): send each number in 04-bidi/client.go — see 04-bidi/README.md")
}

// receive prints each answer as it arrives, until the server ends the
// stream: with OK, which Recv reports as io.EOF and receive as nil, or with
// a status error, which receive returns unchanged.
func receive(stream clientStream, p *console.Printer) error {
	// TODO(task 3): loop on stream.Recv(): print each reply with p.Answer;
	// return nil at io.EOF and any other error as it is.
	return errors.New("TODO(task 3): receive each answer in 04-bidi/client.go — see 04-bidi/README.md")
}
