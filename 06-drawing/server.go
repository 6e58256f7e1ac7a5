package drawing

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
)

// Server implements the Drawing service of drawing.proto.
type Server struct {
	drawingpb.UnimplementedDrawingServer
}

// Mirror is a bidi-streaming rpc: it answers every point the client sends
// with the point's mirror image (or, in kaleidoscope mode, three images), for
// as long as the client keeps sending. The client ends the stream with
// CloseSend, which Recv reports as io.EOF; if the client cancels or goes
// away, Recv fails with another error.
//
// A bad point ends the stream with InvalidArgument: a status is the last
// thing a stream carries, so there is no reporting an error and reading on.
func (s *Server) Mirror(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	// TODO(task 1): loop: stream.Recv() a point, stream.Send() its mirror
	// image &drawingpb.StrokePoint{Stroke: …, X: width − x, Y: y, Reflection:
	// drawingpb.Reflection_REFLECTION_LEFT_RIGHT}, where width is that of the
	// canvas the first point carries (point.GetCanvas()); a later point may
	// carry a new one. When Recv returns io.EOF the client is done: return
	// nil, never io.EOF. Any other Recv or Send error (the client cancelled,
	// the connection broke): return it.

	// TODO(task 2): before mirroring a point, reject with
	// status.Error(codes.InvalidArgument, "…") a first point without a
	// canvas, a canvas narrower or lower than 1 pixel, and a point outside its
	// canvas (0 ≤ x ≤ width and 0 ≤ y ≤ height are inside). Returning the
	// error ends the stream; the images sent before it still arrive.

	// TODO(task 4): when the canvas has Kaleidoscope set, send three images
	// for each point instead of one: REFLECTION_LEFT_RIGHT (width − x, y),
	// REFLECTION_TOP_BOTTOM (x, height − y) and REFLECTION_CENTRE
	// (width − x, height − y), in that order.
	return status.Error(codes.Unimplemented, "TODO(task 1): mirror each point in 06-drawing/server.go — see 06-drawing/README.md")
}
