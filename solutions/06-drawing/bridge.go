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

// Bridge connects one browser page to one Mirror stream and returns when the
// session is over. A browser cannot open a gRPC stream itself, so the page
// talks to this Go client over a WebSocket and the bridge carries points both
// ways, with two loops running at once:
//
//   - toServer: page.Read → stream.Send, until the page closes (then
//     CloseSend, so the server finishes and returns OK);
//   - toPage: stream.Recv → page.Write, until the server ends the stream (a
//     status error is shown on the page's status line first).
//
// When the stream is over, for whatever reason, nothing more can be mirrored:
// toPage's end cancels the context, which stops toServer's page.Read. When
// toServer fails, errgroup cancels the context, which ends the stream and so
// toPage's Recv. Either way both loops return, and so does the server's
// handler: no goroutine is left behind. Bridge returns the first error, or
// nil when the page closed and the server then ended the stream with OK.
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
