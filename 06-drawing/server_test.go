package drawing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// mirrorStream is one Mirror stream to the learner's Server.
type mirrorStream = grpc.BidiStreamingClient[drawingpb.StrokePoint, drawingpb.StrokePoint]

// patience bounds every wait in these tests: a correct Server answers in
// microseconds, so it only says how long a broken one takes to fail, and is
// generous enough for a loaded laptop running the race detector.
const patience = 5 * time.Second

// handlerEnds starts the learner's Server in memory, with opts, and returns
// a client for it and a channel that receives what each Mirror handler
// returned, so a test can see how (and whether) a stream ended on the
// server's side: what a logging interceptor would log.
func handlerEnds(t *testing.T, opts ...grpc.ServerOption) (drawingpb.DrawingClient, <-chan error) {
	t.Helper()
	ended := make(chan error, 10)
	record := func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		err := handler(srv, ss)
		ended <- err
		return err
	}
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		drawingpb.RegisterDrawingServer(s, &Server{})
	}, append(opts, grpc.StreamInterceptor(record))...)
	return drawingpb.NewDrawingClient(conn), ended
}

// openMirror opens a Mirror stream that gives up after patience.
func openMirror(t *testing.T, client drawingpb.DrawingClient, hint string) mirrorStream {
	t.Helper()
	stream, err := client.Mirror(grpctest.Context(t, patience))
	if err != nil {
		t.Fatalf("opening a Mirror stream failed: %s — %s", describe(err), hint)
	}
	return stream
}

// canvas returns a Canvas of width × height pixels.
func canvas(width, height int32) *drawingpb.Canvas {
	return &drawingpb.Canvas{Width: width, Height: height}
}

// at returns a point of stroke 1 at (x, y), carrying c if it is not nil.
func at(x, y int32, c *drawingpb.Canvas) *drawingpb.StrokePoint {
	return &drawingpb.StrokePoint{Stroke: 1, X: x, Y: y, Canvas: c}
}

// image returns the point the server should send for stroke 1 at (x, y) in reflection r.
func image(x, y int32, r drawingpb.Reflection) *drawingpb.StrokePoint {
	return &drawingpb.StrokePoint{Stroke: 1, X: x, Y: y, Reflection: r}
}

const (
	leftRight = drawingpb.Reflection_REFLECTION_LEFT_RIGHT
	topBottom = drawingpb.Reflection_REFLECTION_TOP_BOTTOM
	centre    = drawingpb.Reflection_REFLECTION_CENTRE
)

// send sends p, failing the test with hint if the stream is already over.
// grpctest.Send reports the status the server ended the stream with, not
// Send's bare io.EOF.
func send(t *testing.T, stream mirrorStream, p *drawingpb.StrokePoint, hint string) {
	t.Helper()
	if err := grpctest.Send(stream, p); err != nil {
		t.Fatalf("sending %v failed: %s — %s", show(p), describe(err), hint)
	}
}

// closeSend half-closes the stream: the client is done drawing.
func closeSend(t *testing.T, stream mirrorStream, hint string) {
	t.Helper()
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend failed: %s — %s", describe(err), hint)
	}
}

// expect receives one point and fails the test with hint unless it is want.
func expect(t *testing.T, stream mirrorStream, sent, want *drawingpb.StrokePoint, hint string) {
	t.Helper()
	got, err := stream.Recv()
	switch {
	case errors.Is(err, io.EOF):
		t.Fatalf("after sending %v, the stream ended with OK, want the image %v first — %s", show(sent), show(want), hint)
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("no image of %v within %v, while the stream was still open — %s (send each image as soon as its point arrives: "+
			"keeping the images until the client closes is collecting, not streaming)", show(sent), patience, hint)
	case status.Code(err) == codes.InvalidArgument:
		t.Fatalf("the server rejected %v, a point on its canvas, with %s, want the image %v — task 2 in server.go: "+
			"0 ≤ x ≤ width and 0 ≤ y ≤ height are on the canvas, and a point without a canvas uses the last one sent", show(sent), describe(err), show(want))
	case err != nil:
		t.Fatalf("after sending %v, Recv failed: %s, want %v — %s", show(sent), describe(err), show(want), hint)
	case !proto.Equal(got, want):
		t.Fatalf("for %v the server sent %v, want %v — %s", show(sent), show(got), show(want), hint)
	}
}

// expectEnd fails the test with hint unless the stream ends with code want
// (codes.OK: Recv returns io.EOF).
func expectEnd(t *testing.T, stream mirrorStream, want codes.Code, hint string) {
	t.Helper()
	got, err := stream.Recv()
	switch {
	case err == nil:
		t.Fatalf("Recv returned %v, want the stream to end with %s — %s", show(got), want, hint)
	case errors.Is(err, io.EOF) && want != codes.OK:
		t.Fatalf("the stream ended with OK, want %s — %s", want, hint)
	case errors.Is(err, io.EOF):
	case status.Code(err) == codes.DeadlineExceeded:
		t.Fatalf("the stream was still open after %v, want it to end with %s — %s", patience, want, hint)
	default:
		grpctest.WantCode(t, "the stream", err, want, hint)
	}
}

// handlerReturned waits for the server's handler to return and gives its error.
func handlerReturned(t *testing.T, ended <-chan error, hint string) error {
	t.Helper()
	select {
	case err := <-ended:
		return err
	case <-time.After(patience):
		t.Fatalf("the Mirror handler is still running %v later — %s", patience, hint)
		return nil
	}
}

func show(p *drawingpb.StrokePoint) string {
	s := fmt.Sprintf("{stroke %d (%d, %d)", p.GetStroke(), p.GetX(), p.GetY())
	if c := p.GetCanvas(); c != nil {
		s += fmt.Sprintf(" canvas %d×%d", c.GetWidth(), c.GetHeight())
		if c.GetKaleidoscope() {
			s += " kaleidoscope"
		}
	}
	if r := p.GetReflection(); r != drawingpb.Reflection_REFLECTION_UNSPECIFIED {
		s += " " + r.String()
	}
	return s + "}"
}

func describe(err error) string {
	st := status.Convert(err)
	return st.Code().String() + " (" + st.Message() + ")"
}

func TestTask1_MirrorsAcrossTheVerticalCentreLine(t *testing.T) {
	const hint = "task 1 in server.go: the image of a point (x, y) is (width − x, y), with the point's stroke and REFLECTION_LEFT_RIGHT, sent as soon as the point arrives"
	client, _ := handlerEnds(t)
	// Points inside the canvas: the edges are task 2's (TestTask2_TheEdgesAreInside).
	for _, tc := range []struct {
		what        string
		canvas      *drawingpb.Canvas
		x, y, mirrX int32
		mirrorsOnto string
	}{
		{"a point near the left edge", canvas(800, 500), 1, 2, 799, "near the right edge"},
		{"a point near the right edge", canvas(800, 500), 799, 498, 1, "near the left edge"},
		{"a point on the centre line", canvas(800, 500), 400, 250, 400, "itself"},
		{"a point on an odd width", canvas(801, 3), 100, 2, 701, "width − x"},
		{"a point on a 3×3 canvas", canvas(3, 3), 1, 1, 2, "width − x"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			stream := openMirror(t, client, hint)
			in := at(tc.x, tc.y, tc.canvas)
			send(t, stream, in, hint)
			expect(t, stream, in, image(tc.mirrX, tc.y, leftRight), hint+" ("+tc.what+" mirrors onto "+tc.mirrorsOnto+")")
		})
	}
}

func TestTask1_KeepsTheStrokeAndTheCanvas(t *testing.T) {
	const hint = "task 1 in server.go: remember the canvas of the first point, replace it when a later point carries one, and copy each point's stroke"
	client, _ := handlerEnds(t)
	stream := openMirror(t, client, hint)
	points := []*drawingpb.StrokePoint{
		{Stroke: 7, X: 10, Y: 20, Canvas: canvas(800, 500)},
		{Stroke: 7, X: 30, Y: 40},                           // no canvas: the first one holds
		{Stroke: 8, X: 50, Y: 60},                           // a new stroke
		{Stroke: 8, X: 50, Y: 60, Canvas: canvas(100, 100)}, // a new canvas from here on
		{Stroke: 9, X: 1, Y: 2},
	}
	want := []*drawingpb.StrokePoint{
		{Stroke: 7, X: 790, Y: 20, Reflection: leftRight},
		{Stroke: 7, X: 770, Y: 40, Reflection: leftRight},
		{Stroke: 8, X: 750, Y: 60, Reflection: leftRight},
		{Stroke: 8, X: 50, Y: 60, Reflection: leftRight},
		{Stroke: 9, X: 99, Y: 2, Reflection: leftRight},
	}
	for i, p := range points {
		send(t, stream, p, hint)
		expect(t, stream, p, want[i], hint)
	}
}

func TestTask1_EndsWithOKWhenTheClientCloses(t *testing.T) {
	const hint = "task 1 in server.go: io.EOF from Recv is the client closing its side, the normal end: the stream must end with OK (a handler that returns io.EOF ends it with Unknown)"
	client, ended := handlerEnds(t)
	stream := openMirror(t, client, hint)
	// Three points sent at once, before reading: the images still arrive
	// after CloseSend, then the stream ends with OK.
	for x := int32(1); x <= 3; x++ {
		send(t, stream, at(x, 1, canvas(10, 10)), hint)
	}
	closeSend(t, stream, hint)
	for x := int32(1); x <= 3; x++ {
		expect(t, stream, at(x, 1, nil), image(10-x, 1, leftRight), hint+" (every image due is sent before the stream ends)")
	}
	expectEnd(t, stream, codes.OK, hint)
	if err := handlerReturned(t, ended, hint); err != nil {
		t.Errorf("the Mirror handler returned %s after io.EOF, want nil — %s", describe(err), hint)
	}
}

func TestTask1_EndsWhenTheClientCancels(t *testing.T) {
	const hint = "task 1 in server.go: a client that cancels is gone, not done: the handler must end at once with Recv's error as it came (here Canceled)"
	client, ended := handlerEnds(t)
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience))
	stream, err := client.Mirror(ctx)
	if err != nil {
		t.Fatalf("opening a Mirror stream failed: %s — %s", describe(err), hint)
	}
	in := at(5, 5, canvas(10, 10))
	send(t, stream, in, hint)
	expect(t, stream, in, image(5, 5, leftRight), hint)
	cancel()
	err = handlerReturned(t, ended, hint)
	grpctest.WantCode(t, "the Mirror handler, after the client cancelled,", err, codes.Canceled, hint)
}

func TestTask1_ReturnsTheErrorOfSend(t *testing.T) {
	const hint = "task 1 in server.go: a Send that fails ends the handler with Send's error"
	// This server may send no message over 1 byte: gRPC itself refuses every
	// image with ResourceExhausted, and ends the stream with that status.
	client, ended := handlerEnds(t, grpc.MaxSendMsgSize(1))
	stream := openMirror(t, client, hint)
	send(t, stream, at(5, 5, canvas(10, 10)), hint)
	closeSend(t, stream, hint)
	expectEnd(t, stream, codes.ResourceExhausted, hint)
	// What the handler returns is what the server logs for the stream: a
	// handler that read on after the failed Send returns Recv's verdict.
	err := handlerReturned(t, ended, hint)
	grpctest.WantCode(t, "the Mirror handler, after its Send failed,", err, codes.ResourceExhausted, hint)
}

func TestTask2_RejectsBadInput(t *testing.T) {
	const hint = "task 2 in server.go: a bad point or canvas ends the stream with InvalidArgument before any image of it is sent (only a status error carries its code to the client)"
	for _, tc := range []struct {
		what   string
		points []*drawingpb.StrokePoint // all but the last are fine
	}{
		{"a point right of the canvas", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(801, 1, nil)}},
		{"a point below the canvas", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(1, 501, nil)}},
		{"a negative x", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(-1, 1, nil)}},
		{"a negative y", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(1, -1, nil)}},
		{"a point outside a later, smaller canvas", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(300, 1, canvas(200, 200))}},
		{"a canvas of width 0", []*drawingpb.StrokePoint{at(0, 0, canvas(0, 500))}},
		{"a canvas of negative width", []*drawingpb.StrokePoint{at(0, 0, canvas(-800, 500))}},
		{"a canvas of height 0", []*drawingpb.StrokePoint{at(0, 0, canvas(800, 0))}},
		{"a canvas of negative height", []*drawingpb.StrokePoint{at(0, 0, canvas(800, -1))}},
		{"a later canvas of width 0", []*drawingpb.StrokePoint{at(1, 1, canvas(800, 500)), at(0, 0, canvas(0, 500))}},
		{"a first point without a canvas", []*drawingpb.StrokePoint{at(1, 1, nil)}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			client, ended := handlerEnds(t)
			stream := openMirror(t, client, hint)
			good, bad := tc.points[:len(tc.points)-1], tc.points[len(tc.points)-1]
			for _, p := range good {
				send(t, stream, p, hint)
				expect(t, stream, p, image(p.GetCanvas().GetWidth()-p.GetX(), p.GetY(), leftRight),
					"task 2 in server.go: a good point before the bad one is still mirrored")
			}
			what := tc.what + ": " + show(bad)
			// After the bad point, a good one and the end of the client's
			// side: a handler that skipped the bad point answers the good
			// one and ends with OK. Once the stream is over these sends may
			// fail, which is what they should do.
			grpctest.Send(stream, bad)
			grpctest.Send(stream, at(1, 1, canvas(10, 10)))
			stream.CloseSend()
			expectEnd(t, stream, codes.InvalidArgument, hint+" ("+what+": it ends the stream, and gets no image)")
			grpctest.WantCode(t, "the Mirror handler, for "+what+",", handlerReturned(t, ended, hint), codes.InvalidArgument, hint)
		})
	}
}

func TestTask2_TheEdgesAreInside(t *testing.T) {
	const hint = "task 2 in server.go: 0 ≤ x ≤ width and 0 ≤ y ≤ height are on the canvas, edges included"
	client, _ := handlerEnds(t)
	stream := openMirror(t, client, hint)
	points := []*drawingpb.StrokePoint{at(0, 0, canvas(3, 2)), at(3, 0, nil), at(0, 2, nil), at(3, 2, nil)}
	for _, p := range points {
		send(t, stream, p, hint)
		expect(t, stream, p, image(3-p.GetX(), p.GetY(), leftRight), hint)
	}
	// A rejected point would have ended the stream; make sure it was not
	// the validation that is missing.
	send(t, stream, at(4, 0, nil), hint)
	expectEnd(t, stream, codes.InvalidArgument, "task 2 in server.go: x = width + 1 is outside the canvas")
}

func TestTask4_KaleidoscopeSendsThreeImages(t *testing.T) {
	const hint = "task 4 in server.go: in kaleidoscope mode send three images per point: LEFT_RIGHT (w−x, y), TOP_BOTTOM (x, h−y), CENTRE (w−x, h−y), in that order"
	client, _ := handlerEnds(t)
	stream := openMirror(t, client, hint)
	kaleidoscope := &drawingpb.Canvas{Width: 800, Height: 500, Kaleidoscope: true}
	for _, tc := range []struct {
		in   *drawingpb.StrokePoint
		want []*drawingpb.StrokePoint
	}{
		{at(100, 50, kaleidoscope), []*drawingpb.StrokePoint{image(700, 50, leftRight), image(100, 450, topBottom), image(700, 450, centre)}},
		{at(0, 500, nil), []*drawingpb.StrokePoint{image(800, 500, leftRight), image(0, 0, topBottom), image(800, 0, centre)}},
		// Kaleidoscope off again: back to one image per point.
		{at(100, 50, canvas(800, 500)), []*drawingpb.StrokePoint{image(700, 50, leftRight)}},
		{at(1, 1, kaleidoscope), []*drawingpb.StrokePoint{image(799, 1, leftRight), image(1, 499, topBottom), image(799, 499, centre)}},
	} {
		send(t, stream, tc.in, hint)
		for _, want := range tc.want {
			expect(t, stream, tc.in, want, hint)
		}
	}
	closeSend(t, stream, hint)
	expectEnd(t, stream, codes.OK, "task 4 in server.go: after the last image, no extra points, and the stream ends with OK when the client closes its side (task 1)")
}
