package drawing

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// These tests draw at random: rapid makes up drawings, sends each on a
// Mirror stream of its own, and compares what comes back with mirrorModel,
// the contract of the README in a few lines. When a drawing disagrees,
// rapid shrinks it to the smallest one that still does and prints it.

func init() { grpctest.RepeatableProperties() }

// mirrorModel returns the images the server must send for points, in order,
// and the code the stream ends with once the client has closed its side.
func mirrorModel(points []*drawingpb.StrokePoint) ([]*drawingpb.StrokePoint, codes.Code) {
	var images []*drawingpb.StrokePoint
	var c *drawingpb.Canvas
	for _, p := range points {
		if p.GetCanvas() != nil {
			c = p.GetCanvas()
			if c.GetWidth() < 1 || c.GetHeight() < 1 {
				return images, codes.InvalidArgument
			}
		}
		if c == nil || p.GetX() < 0 || p.GetX() > c.GetWidth() || p.GetY() < 0 || p.GetY() > c.GetHeight() {
			return images, codes.InvalidArgument
		}
		w, h := c.GetWidth(), c.GetHeight()
		images = append(images, &drawingpb.StrokePoint{Stroke: p.GetStroke(), X: w - p.GetX(), Y: p.GetY(), Reflection: leftRight})
		if c.GetKaleidoscope() {
			images = append(images,
				&drawingpb.StrokePoint{Stroke: p.GetStroke(), X: p.GetX(), Y: h - p.GetY(), Reflection: topBottom},
				&drawingpb.StrokePoint{Stroke: p.GetStroke(), X: w - p.GetX(), Y: h - p.GetY(), Reflection: centre})
		}
	}
	return images, codes.OK
}

// drawings generates a list of points. The first carries a canvas, and a
// later one sometimes a new canvas. With bad set, a point may fall off its
// canvas by a little and a canvas may be smaller than 1×1; with kaleidoscope
// set, a canvas may be in kaleidoscope mode. Sizes and places include the
// edges: 0, 1, the canvas's own width and height, and the largest int32.
func drawings(bad, kaleidoscope bool) *rapid.Generator[[]*drawingpb.StrokePoint] {
	size := rapid.OneOf(rapid.Int32Range(1, 10), rapid.Int32Range(1, math.MaxInt32), rapid.Just[int32](math.MaxInt32))
	if bad {
		size = rapid.OneOf(size, rapid.Int32Range(math.MinInt32, 0))
	}
	return rapid.Custom(func(t *rapid.T) []*drawingpb.StrokePoint {
		n := rapid.IntRange(1, 12).Draw(t, "points")
		var points []*drawingpb.StrokePoint
		var w, h int32
		for i := range n {
			p := &drawingpb.StrokePoint{Stroke: rapid.Uint32Range(0, 3).Draw(t, "stroke")}
			if i == 0 || rapid.IntRange(0, 4).Draw(t, "new canvas?") == 0 {
				w, h = size.Draw(t, "width"), size.Draw(t, "height")
				p.Canvas = &drawingpb.Canvas{Width: w, Height: h, Kaleidoscope: kaleidoscope && rapid.Bool().Draw(t, "kaleidoscope")}
			}
			p.X, p.Y = coordinate(t, "x", w, bad), coordinate(t, "y", h, bad)
			points = append(points, p)
		}
		return points
	})
}

// coordinate draws a place on an axis of the given length: 0, length, or
// between them; with bad set, possibly up to 2 outside on either side.
func coordinate(t *rapid.T, label string, length int32, bad bool) int32 {
	lo, hi := int64(0), int64(max(length, 1))
	if bad {
		lo, hi = lo-2, hi+2
	}
	v := rapid.OneOf(rapid.Int64Range(lo, hi), rapid.SampledFrom([]int64{0, int64(max(length, 1)), lo, hi})).Draw(t, label)
	return int32(min(max(v, math.MinInt32), math.MaxInt32))
}

// checkDrawings sends each drawing rapid makes up on a stream of its own,
// closes the client's side, and compares what comes back with mirrorModel.
func checkDrawings(t *testing.T, bad, kaleidoscope bool, task string) {
	conn := grpctest.Connect(t, func(s *grpc.Server) { drawingpb.RegisterDrawingServer(s, &Server{}) })
	client := drawingpb.NewDrawingClient(conn)
	rapid.Check(t, func(rt *rapid.T) {
		points := drawings(bad, kaleidoscope).Draw(rt, "drawing")
		wantImages, wantEnd := mirrorModel(points)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		stream, err := client.Mirror(ctx)
		if err != nil {
			rt.Fatalf("opening a Mirror stream failed: %s — %s", describe(err), task)
		}
		for _, p := range points {
			if stream.Send(p) != nil {
				break // the stream is over: what Recv says is checked below
			}
		}
		stream.CloseSend()
		var got []string
		for {
			image, err := stream.Recv()
			if err != nil {
				end := status.Code(err)
				if errors.Is(err, io.EOF) {
					end = codes.OK
				}
				if end == codes.DeadlineExceeded {
					rt.Fatalf("the stream was still open %v after the client closed its side, having sent %d images — %s", patience, len(got), task)
				}
				if end != wantEnd || len(got) != len(wantImages) {
					rt.Fatalf("the stream sent %d images and ended with %s, want %d images and %s — %s\nimages:\n%s",
						len(got), describe(err), len(wantImages), wantEnd, task, strings.Join(got, "\n"))
				}
				return
			}
			if i := len(got); i >= len(wantImages) || !proto.Equal(image, wantImages[i]) {
				want := "no more images"
				if i < len(wantImages) {
					want = show(wantImages[i])
				}
				rt.Fatalf("image %d is %v, want %s — %s", i, show(image), want, task)
			}
			got = append(got, show(image))
		}
	})
}

func TestTask1_MirrorsAnyDrawing(t *testing.T) {
	checkDrawings(t, false, false, "task 1 in server.go: each point gets its mirror image (width − x, y) on the last canvas sent, and closing ends with OK")
}

func TestTask2_AnyBadPointEndsTheStream(t *testing.T) {
	checkDrawings(t, true, false, "task 2 in server.go: the first bad point or canvas ends the stream with InvalidArgument, after the images of the points before it")
}

func TestTask4_AnyKaleidoscopeDrawing(t *testing.T) {
	checkDrawings(t, false, true, "task 4 in server.go: on a kaleidoscope canvas each point gets three images, LEFT_RIGHT, TOP_BOTTOM, CENTRE")
}
