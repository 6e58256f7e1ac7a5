package bidi

import (
	"context"
	"errors"
	"io"
	"strconv"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

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
// returns, the stream and every goroutine of its own have ended (the
// console.Lines reader ends at the next line: a Read cannot be interrupted).
func Factorize(ctx context.Context, client factorpb.FactorizerClient, in io.Reader, out io.Writer) error {
	// The group's ctx is done as soon as either goroutine fails (or when
	// Wait returns): the stream opened with it is then cancelled too, and
	// the sender, which watches it, stops. cancel covers what errgroup does
	// not: receive ending without an error, and failing to open the stream.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	stream, err := client.Factorize(ctx)
	if err != nil {
		return err
	}
	p := console.NewPrinter(out)
	lines := console.Lines(ctx, in)
	g.Go(func() error { return send(ctx, stream, lines, p) })
	g.Go(func() error {
		// When the server has ended the stream, even with OK, nothing more
		// can be answered: stop the sender, which errgroup would only do on
		// an error.
		defer cancel()
		return receive(stream, p)
	})
	return g.Wait()
}

// send sends a FactorRequest for each line that is a number, with ids that
// start at 1 and increase, and tells the server that no more numbers come
// when lines is closed (end of input).
//
// It returns nil when it stops early too: when ctx is done or Send fails,
// the stream is over, and the reason is Recv's to give. (Send reports a
// broken stream as a bare io.EOF; the status comes from Recv.)
func send(ctx context.Context, stream clientStream, lines <-chan string, p *console.Printer) error {
	var id uint64
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				// "No more requests": the server's Recv returns io.EOF, and
				// replies keep coming until the server returns.
				return stream.CloseSend()
			}
			n, err := strconv.ParseInt(line, 10, 64)
			if err != nil {
				p.NotANumber(line)
				continue
			}
			id++ // the ids of a stream start at 1 and increase: the server keeps only the last
			if err := stream.Send(&factorpb.FactorRequest{Id: id, Number: n}); err != nil {
				return nil
			}
		}
	}
}

// receive prints each answer as it arrives, until the server ends the
// stream: with OK, which receive reports as nil, or with a status error,
// which receive returns unchanged.
func receive(stream clientStream, p *console.Printer) error {
	for {
		reply, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		p.Answer(reply)
	}
}
