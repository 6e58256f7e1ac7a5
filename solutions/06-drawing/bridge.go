package drawing

import (
	"context"
	"errors"
	"io"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/web"
)

// Bridge is a client of the bidi Mirror rpc. It connects one browser page to
// one Mirror stream for the whole session: the points the user draws go to
// the server, and the images the server sends back are drawn on the page, the
// two directions flowing at once. (A browser cannot open a gRPC stream
// itself; the page talks to this Go client over a WebSocket.)
//
// The session ends in one of four ways, and Bridge returns when it has:
//
//   - the page closes (page.Read returns io.EOF): the server learns that no
//     more points come, still sends every image due, and ends the stream
//     with OK; all of them are drawn, and Bridge returns nil;
//   - the server ends the stream: its status is shown on the page's status
//     line, and Bridge returns it as it came (nil for OK);
//   - the page breaks (a Read or Write fails): the stream is cancelled, and
//     Bridge returns the page's error;
//   - ctx is done: the stream is cancelled.
//
// When Bridge returns, nothing it started is still running. A malformed
// message from the page (web.ErrMalformed) is no end: it is the page's bug,
// not the stream's, so it is shown on the status line as InvalidArgument and
// the session goes on.
//
// Each direction blocks on its own side (page.Read waits for the user,
// stream.Recv for the server), so each has a goroutine: toServer and toPage.
// Whichever way the session ends, both must return:
//
//   - an error in either loop makes errgroup cancel the context, which ends
//     the stream (and so toPage's Recv) and toServer's page.Read;
//   - toPage ending without an error (the server's OK) cancels the context
//     itself: errgroup cancels only on an error, and toServer would
//     otherwise wait in page.Read for a point that can go nowhere;
//   - the page closing is the one end that cancels nothing: toServer
//     half-closes the stream (CloseSend) and returns nil, and toPage draws
//     what the server still sends, up to its OK.
//
// g.Wait returns once both loops have, with the first error.
func Bridge(ctx context.Context, page web.Page, client drawingpb.DrawingClient) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	// The stream lives in the group's context: cancelling it ends the stream
	// for both sides, and the server's handler sees it.
	stream, err := client.Mirror(ctx)
	if err != nil {
		return err
	}
	g.Go(func() error { return toServer(ctx, page, stream) })
	g.Go(func() error {
		defer cancel() // the stream is over: stop reading the page
		return toPage(ctx, page, stream)
	})
	return g.Wait()
}

// toServer sends every point the user draws to the server.
func toServer(ctx context.Context, page web.Page, stream grpc.BidiStreamingClient[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	for {
		point, err := page.Read(ctx)
		if ctx.Err() != nil {
			return nil // the stream is over; toPage reports why
		}
		if errors.Is(err, web.ErrMalformed) {
			// One bad message is the page's bug, not the stream's: say so
			// on the status line and read on.
			if err := page.Report(ctx, status.Error(codes.InvalidArgument, err.Error())); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			// The user closed the page: close our side of the stream; the
			// server sends what is still due and ends it with OK, which
			// ends toPage.
			return stream.CloseSend()
		}
		if err != nil {
			return err
		}
		if err := stream.Send(point); err != nil {
			// io.EOF here means the server has ended the stream; its
			// status is for toPage's Recv to report, not for us.
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// toPage draws every point the server sends back on the page.
func toPage(ctx context.Context, page web.Page, stream grpc.BidiStreamingClient[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	for {
		point, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil // the server ended the stream with OK
		}
		if err != nil {
			// Best effort: the page may be gone already.
			page.Report(ctx, err)
			return err
		}
		if err := page.Write(ctx, point); err != nil {
			return err
		}
	}
}
