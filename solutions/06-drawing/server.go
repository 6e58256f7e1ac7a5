package drawing

import (
	"errors"
	"io"

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
// CloseSend, which Recv reports as io.EOF: returning nil then ends the call
// with status OK. If the client cancels or goes away, Recv fails and that
// error is returned, ending the handler at once.
//
// A bad point ends the stream with InvalidArgument: a status is the last
// thing a stream carries, so there is no reporting an error and reading on.
// Every image of the earlier points has been sent by then.
func (s *Server) Mirror(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	var canvas *drawingpb.Canvas // set by the first point, replaced by any later one that carries a canvas
	for {
		point, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil // the client is done drawing
		}
		if err != nil {
			return err // cancelled, or the connection broke
		}

		if c := point.GetCanvas(); c != nil {
			if err := checkCanvas(c); err != nil {
				return err
			}
			canvas = c
		}
		if canvas == nil {
			return status.Error(codes.InvalidArgument, "the first point must carry the canvas size")
		}
		if err := checkPoint(point, canvas); err != nil {
			return err
		}

		for _, image := range images(point, canvas) {
			if err := stream.Send(image); err != nil {
				return err
			}
		}
	}
}

// checkCanvas rejects a canvas smaller than one pixel.
func checkCanvas(c *drawingpb.Canvas) error {
	if c.GetWidth() <= 0 || c.GetHeight() <= 0 {
		return status.Errorf(codes.InvalidArgument, "canvas is %d×%d pixels, want at least 1×1", c.GetWidth(), c.GetHeight())
	}
	return nil
}

// checkPoint rejects a point outside its canvas; the edges belong to it.
func checkPoint(p *drawingpb.StrokePoint, c *drawingpb.Canvas) error {
	if p.GetX() < 0 || p.GetX() > c.GetWidth() || p.GetY() < 0 || p.GetY() > c.GetHeight() {
		return status.Errorf(codes.InvalidArgument, "point (%d, %d) is outside the %d×%d canvas", p.GetX(), p.GetY(), c.GetWidth(), c.GetHeight())
	}
	return nil
}

// images returns what the server sends for one point: its mirror image, or
// in kaleidoscope mode its three images, which with the point itself make a
// drawing with 4-fold symmetry.
func images(p *drawingpb.StrokePoint, c *drawingpb.Canvas) []*drawingpb.StrokePoint {
	if !c.GetKaleidoscope() {
		return []*drawingpb.StrokePoint{reflect(p, c, drawingpb.Reflection_REFLECTION_LEFT_RIGHT)}
	}
	return []*drawingpb.StrokePoint{
		reflect(p, c, drawingpb.Reflection_REFLECTION_LEFT_RIGHT),
		reflect(p, c, drawingpb.Reflection_REFLECTION_TOP_BOTTOM),
		reflect(p, c, drawingpb.Reflection_REFLECTION_CENTRE),
	}
}

// reflect returns the image of p in reflection r on canvas c.
func reflect(p *drawingpb.StrokePoint, c *drawingpb.Canvas, r drawingpb.Reflection) *drawingpb.StrokePoint {
	x, y := p.GetX(), p.GetY()
	if r == drawingpb.Reflection_REFLECTION_LEFT_RIGHT || r == drawingpb.Reflection_REFLECTION_CENTRE {
		x = c.GetWidth() - x
	}
	if r == drawingpb.Reflection_REFLECTION_TOP_BOTTOM || r == drawingpb.Reflection_REFLECTION_CENTRE {
		y = c.GetHeight() - y
	}
	return &drawingpb.StrokePoint{Stroke: p.GetStroke(), X: x, Y: y, Reflection: r}
}
