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
// as long as the client keeps sending. The client ends the stream: closing
// its side ends it with OK once every image due has been sent; cancelling
// ends it at once.
//
// A bad point ends the stream with InvalidArgument: a status is the last
// thing a stream carries, so there is no reporting an error and reading on.
func (s *Server) Mirror(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	// TODO(task 1): each point is answered as it arrives with its mirror image
	// on the last canvas the stream carried; the stream ends with OK when the
	// client closes its side, with the client's error otherwise. TestTask1_…

	// TODO(task 2): a first point without canvas, a canvas under 1×1 or a
	// point off its canvas ends the stream with InvalidArgument, and gets no
	// image. TestTask2_… (google.golang.org/grpc/status)

	// TODO(task 4): on a kaleidoscope canvas, each point gets the three images
	// drawing.proto lists, in its order. TestTask4_KaleidoscopeSendsThreeImages.
	return status.Error(codes.Unimplemented, "TODO(task 1): mirror each point in 06-drawing/server.go — see 06-drawing/README.md")
}
