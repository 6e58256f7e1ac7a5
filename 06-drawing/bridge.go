package drawing

import (
	"context"

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
// When either loop ends, the other must end too, and Bridge returns the first
// error, or nil when the page closed and the server then ended the stream
// with OK.
func Bridge(ctx context.Context, page web.Page, client drawingpb.DrawingClient) error {
	// TODO(task 3): open the stream with client.Mirror(ctx) and run toServer
	// and toPage at once, e.g. with errgroup.WithContext
	// (golang.org/x/sync/errgroup): when a loop returns an error, the group
	// cancels its context, which ends the stream and page.Read. toPage's end
	// must stop toServer as well, even without an error: give the group a
	// context you cancel yourself (context.WithCancel) when toPage returns.
	return status.Error(codes.Unimplemented, "TODO(task 3): run toServer and toPage in 06-drawing/bridge.go — see 06-drawing/README.md")
}

// toServer sends every point the user draws to the server.
func toServer(ctx context.Context, page web.Page, stream grpc.BidiStreamingClient[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	// TODO(task 3): loop: page.Read(ctx), then stream.Send(point).
	//  - ctx done (ctx.Err() != nil): the stream is over, toPage says why: return nil.
	//  - errors.Is(err, web.ErrMalformed): the page sent a bad message. Show it
	//    with page.Report(ctx, status.Error(codes.InvalidArgument, err.Error()))
	//    and read on: the stream stays open.
	//  - io.EOF: the user closed the page. return stream.CloseSend(), so the
	//    server sends what is still due and ends the stream with OK.
	//  - any other Read error: return it.
	//  - Send returns io.EOF once the server has ended the stream: return nil
	//    (toPage's Recv gets the real status).
	return status.Error(codes.Unimplemented, "TODO(task 3): send the page's points in 06-drawing/bridge.go — see 06-drawing/README.md")
}

// toPage draws every point the server sends back on the page.
func toPage(ctx context.Context, page web.Page, stream grpc.BidiStreamingClient[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	// TODO(task 3): loop: stream.Recv(), then page.Write(ctx, point).
	//  - io.EOF: the server ended the stream with OK: return nil.
	//  - any other Recv error: show it with page.Report(ctx, err), then return it.
	//  - a Write error: the page is gone: return it.
	return status.Error(codes.Unimplemented, "TODO(task 3): draw the server's points in 06-drawing/bridge.go — see 06-drawing/README.md")
}
