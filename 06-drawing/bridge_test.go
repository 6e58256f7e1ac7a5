package drawing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/web"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The bridge is tested with a fake page (no browser) and fake servers, each
// of which does one thing on purpose, so task 3 does not depend on your
// Server.

// fakePage is a web.Page driven by the test: Read returns what the test puts
// in reads (or waits), and Write and Report hand what they get to the test.
// Once the test is over (gone is closed), every call fails at once, so that
// a Bridge that does not return when asked is not kept waiting for ever.
type fakePage struct {
	reads    chan read
	writes   chan *drawingpb.StrokePoint
	writeErr error // if not nil, Write fails with it: the page is gone
	reports  chan error
	gone     chan struct{}
}

// read is one result of Page.Read.
type read struct {
	point *drawingpb.StrokePoint
	err   error
}

func newFakePage() *fakePage {
	return &fakePage{
		reads:   make(chan read),
		writes:  make(chan *drawingpb.StrokePoint, 100),
		reports: make(chan error, 100),
		gone:    make(chan struct{}),
	}
}

// errPageGone is what a fakePage says once the test is over.
var errPageGone = errors.New("the test is over and closed the page")

func (p *fakePage) Read(ctx context.Context) (*drawingpb.StrokePoint, error) {
	select {
	case r := <-p.reads:
		return r.point, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.gone:
		return nil, errPageGone
	}
}

func (p *fakePage) Write(ctx context.Context, point *drawingpb.StrokePoint) error {
	if p.writeErr != nil {
		return p.writeErr
	}
	select {
	case p.writes <- point:
		return nil
	case <-p.gone:
		return errPageGone
	}
}

func (p *fakePage) Report(ctx context.Context, err error) error {
	select {
	case p.reports <- err:
		return nil
	case <-p.gone:
		return errPageGone
	}
}

// fakeServer runs script as its Mirror handler and tells ended what it returned.
type fakeServer struct {
	drawingpb.UnimplementedDrawingServer
	script func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error
	ended  chan error
}

func (f *fakeServer) Mirror(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	err := f.script(stream)
	f.ended <- err
	return err
}

// echo sends each point back with its x plus 1000, until the client closes
// its side; then it ends the stream with OK.
func echo(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	for {
		p, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(echoed(p)); err != nil {
			return err
		}
	}
}

func echoed(p *drawingpb.StrokePoint) *drawingpb.StrokePoint {
	return &drawingpb.StrokePoint{Stroke: p.GetStroke(), X: p.GetX() + 1000, Y: p.GetY()}
}

// echoAtEnd reads every point until the client closes its side, then sends
// them all back (x plus 1000) and ends the stream with OK: a server that
// still has something to say after the client is done. If the client cancels
// instead, it ends with the Recv error.
func echoAtEnd(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	var due []*drawingpb.StrokePoint
	for {
		p, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		due = append(due, echoed(p))
	}
	for _, p := range due {
		if err := stream.Send(p); err != nil {
			return err
		}
	}
	return nil
}

// bridgeRun is a Bridge running between a fake page and a fake server.
type bridgeRun struct {
	page     *fakePage
	finished chan struct{} // closed when Bridge has returned
	err      error         // what Bridge returned, once finished is closed
	ended    chan error    // what the server's handler returned
	cancel   func()        // cancels Bridge's ctx
}

// startBridge runs Bridge between a fake page and a fake server with script.
func startBridge(t *testing.T, script func(grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error) *bridgeRun {
	t.Helper()
	return startBridgeWith(t, newFakePage(), script)
}

// startBridgeWith is startBridge with a page the test has set up.
func startBridgeWith(t *testing.T, page *fakePage, script func(grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error) *bridgeRun {
	t.Helper()
	server := &fakeServer{script: script, ended: make(chan error, 1)}
	conn := grpctest.Connect(t, func(s *grpc.Server) { drawingpb.RegisterDrawingServer(s, server) })
	run := runBridge(t, page, drawingpb.NewDrawingClient(conn))
	run.ended = server.ended
	return run
}

// runBridge runs Bridge between page and the server client talks to, until
// the test ends.
func runBridge(t *testing.T, page *fakePage, client drawingpb.DrawingClient) *bridgeRun {
	t.Helper()
	ctx, cancel := context.WithCancel(grpctest.Context(t, 4*patience))
	run := &bridgeRun{page: page, finished: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(run.finished)
		run.err = Bridge(ctx, run.page, client)
	}()
	t.Cleanup(func() {
		// Do not leave Bridge running if the test failed half-way: cancel
		// its ctx and close the page, which ends every correct Bridge.
		cancel()
		close(page.gone)
		select {
		case <-run.finished:
		case <-time.After(patience):
			t.Errorf("Bridge was still running %v after its ctx was cancelled and the page closed — "+
				"task 3 in bridge.go: open the stream with the ctx Bridge gets (or one derived from it), and make both loops return when it is done", patience)
		}
	})
	return run
}

// wait waits for ch to deliver, failing the test with what went wrong if
// Bridge returns first or nothing comes within patience.
func wait[T any](t *testing.T, r *bridgeRun, ch <-chan T, waitingFor, hint string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-r.finished:
		select { // it may have come just before Bridge returned
		case v := <-ch:
			return v
		default:
		}
		t.Fatalf("Bridge returned %s while the test was waiting for %s — %s", describeErr(r.err), waitingFor, hint)
	case <-time.After(patience):
		t.Fatalf("no %s within %v — %s", waitingFor, patience, hint)
	}
	panic("unreachable")
}

// draw makes the page's next Read return point (or err).
func (r *bridgeRun) draw(t *testing.T, point *drawingpb.StrokePoint, err error, hint string) {
	t.Helper()
	select {
	case r.page.reads <- read{point, err}:
	case <-r.finished:
		t.Fatalf("Bridge returned %s while the page had more to send — %s", describeErr(r.err), hint)
	case <-time.After(patience):
		t.Fatalf("the bridge did not call page.Read for %v — %s", patience, hint)
	}
}

// drawn waits for the bridge to write a point to the page.
func (r *bridgeRun) drawn(t *testing.T, hint string) *drawingpb.StrokePoint {
	t.Helper()
	return wait(t, r, r.page.writes, "point written to the page", hint)
}

// reported waits for the bridge to report an error on the page's status line.
func (r *bridgeRun) reported(t *testing.T, hint string) error {
	t.Helper()
	return wait(t, r, r.page.reports, "error reported on the page's status line", hint)
}

// returned waits for Bridge to return and gives its error.
func (r *bridgeRun) returned(t *testing.T, hint string) error {
	t.Helper()
	select {
	case <-r.finished:
		return r.err
	case <-time.After(patience):
		t.Fatalf("Bridge is still running %v later — %s", patience, hint)
		return nil
	}
}

// serverEnded waits for the server's handler to return and gives its error.
func (r *bridgeRun) serverEnded(t *testing.T, hint string) error {
	t.Helper()
	select {
	case err := <-r.ended:
		return err
	case <-time.After(patience):
		t.Fatalf("the server's Mirror handler is still running %v later — %s", patience, hint)
		return nil
	}
}

// describeErr renders what Bridge returned.
func describeErr(err error) string {
	if err == nil {
		return "nil"
	}
	return describe(err)
}

func TestTask3_CarriesPointsBothWays(t *testing.T) {
	const hint = "task 3 in bridge.go: toServer sends what page.Read returns while toPage, at the same time, writes what stream.Recv returns"
	run := startBridge(t, echo)
	for i := range int32(3) {
		p := &drawingpb.StrokePoint{Stroke: 1, X: 10 * i, Y: i}
		run.draw(t, p, nil, hint)
		if got, want := run.drawn(t, hint), echoed(p); got.GetX() != want.GetX() || got.GetY() != want.GetY() {
			t.Fatalf("the page got %v for %v, want the server's answer %v — %s", show(got), show(p), show(want), hint)
		}
	}
}

func TestTask3_PageClosedEndsTheStreamWithOK(t *testing.T) {
	const hint = "task 3 in bridge.go: when page.Read returns io.EOF, call stream.CloseSend (do not cancel) and let toPage finish at the server's io.EOF"
	// This server answers only once the client has closed its side: the
	// bridge must half-close the stream, not cancel it, and keep receiving.
	run := startBridge(t, echoAtEnd)
	for x := range int32(3) {
		run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: x}, nil, hint)
	}
	run.draw(t, nil, io.EOF, hint)
	if err := run.serverEnded(t, hint+" (the server is waiting for io.EOF)"); err != nil {
		t.Fatalf("the server's handler ended with %s, want nil: it should have seen io.EOF, and answered — %s", describeErr(err), hint)
	}
	// The images of all three points still arrive: closing the page does
	// not cancel the stream, it half-closes it.
	for x := range int32(3) {
		if got := run.drawn(t, hint+" (the points sent before the page closed are still answered)"); got.GetX() != x+1000 {
			t.Fatalf("the page got %v, want x = %d — %s", show(got), x+1000, hint)
		}
	}
	if err := run.returned(t, hint); err != nil {
		t.Errorf("Bridge returned %s after the page closed and the server ended with OK, want nil — %s", describeErr(err), hint)
	}
}

func TestTask3_BothWaysAtOnce(t *testing.T) {
	const hint = "task 3 in bridge.go: run toServer and toPage at the same time (two goroutines, e.g. errgroup), not one after the other"
	// This server speaks first: it sends a point before it has read one.
	// A bridge that waits for the page before reading the stream never sees it.
	run := startBridge(t, func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
		if err := stream.Send(&drawingpb.StrokePoint{Stroke: 42}); err != nil {
			return err
		}
		return echo(stream)
	})
	if got := run.drawn(t, hint); got.GetStroke() != 42 {
		t.Fatalf("the page got %v, want the server's first point, stroke 42 — %s", show(got), hint)
	}
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	if got := run.drawn(t, hint); got.GetX() != 1001 {
		t.Fatalf("the page got %v, want x = 1001 — %s", show(got), hint)
	}
}

func TestTask3_ServerErrorEndsTheBridge(t *testing.T) {
	const hint = "task 3 in bridge.go: when stream.Recv fails, page.Report the error and return it; then toServer must stop waiting in page.Read (its ctx must be cancelled)"
	bad := status.Error(codes.InvalidArgument, "point (900, 10) is outside the 800×500 canvas")
	run := startBridge(t, func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
		if _, err := stream.Recv(); err != nil {
			return err
		}
		return bad
	})
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 900, Y: 10}, nil, hint)
	reported := run.reported(t, hint)
	grpctest.WantCode(t, "the error on the page's status line", reported, codes.InvalidArgument, hint)
	// The page sends nothing more: its Read waits until Bridge's ctx ends.
	err := run.returned(t, hint)
	grpctest.WantCode(t, "Bridge", err, codes.InvalidArgument, hint+" (return the server's error as it came)")
}

func TestTask3_ServerOKEndsTheBridge(t *testing.T) {
	const hint = "task 3 in bridge.go: when toPage ends, even with nil at the server's io.EOF, cancel the context toServer reads the page with"
	run := startBridge(t, func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
		return nil // ends the stream with OK at once
	})
	if err := run.returned(t, hint); err != nil {
		t.Errorf("Bridge returned %s after the server ended the stream with OK, want nil — %s (toServer should return nil once ctx is done)", describeErr(err), hint)
	}
}

func TestTask3_BrokenPageEndsTheStream(t *testing.T) {
	const hint = "task 3 in bridge.go: when page.Read fails (not io.EOF, not ErrMalformed), return the error, which must cancel the stream"
	run := startBridge(t, echo)
	broken := errors.New("connection reset by peer")
	run.draw(t, nil, broken, hint)
	err := run.returned(t, hint)
	if !errors.Is(err, broken) {
		t.Errorf("Bridge returned %s, want the page's error %q — %s", describeErr(err), broken, hint)
	}
	err = run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_FailedWriteEndsTheStream(t *testing.T) {
	const hint = "task 3 in bridge.go: when page.Write fails, the page is gone: return the error, which must cancel the stream"
	page := newFakePage()
	page.writeErr = errors.New("failed to write to the WebSocket: use of closed network connection")
	run := startBridgeWith(t, page, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	// Its image cannot be drawn: Bridge returns, and the server sees the
	// stream cancelled rather than kept open for nobody.
	if err := run.returned(t, hint); !errors.Is(err, page.writeErr) {
		t.Errorf("Bridge returned %s, want the page's error %q — %s", describeErr(err), page.writeErr, hint)
	}
	err := run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_CancelEndsEverything(t *testing.T) {
	const hint = "task 3 in bridge.go: open the stream with the ctx Bridge was given (or one derived from it), and stop both loops when it is done"
	run := startBridge(t, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1}, nil, hint)
	run.drawn(t, hint)
	run.cancel()
	run.returned(t, hint)
	err := run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_MalformedMessageIsReportedAndTheStreamLives(t *testing.T) {
	const hint = "task 3 in bridge.go: for a Read error that errors.Is web.ErrMalformed, page.Report(ctx, status.Error(codes.InvalidArgument, err.Error())) and read on"
	run := startBridge(t, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	run.drawn(t, hint)

	malformed := fmt.Errorf("%w: %q is not a StrokePoint", web.ErrMalformed, "hello")
	run.draw(t, nil, malformed, hint)
	reported := run.reported(t, hint)
	grpctest.WantCode(t, "the error on the page's status line", reported, codes.InvalidArgument, hint)
	if msg := status.Convert(reported).Message(); !strings.Contains(msg, "malformed") {
		t.Errorf("the status line says %q, want it to say what was wrong (%q) — %s", msg, malformed, hint)
	}

	// The stream is still there: the next point is answered.
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 2}, nil, hint)
	if got := run.drawn(t, hint+" (the stream must stay open after a malformed message)"); got.GetX() != 1002 {
		t.Fatalf("the page got %v, want x = 1002 — %s", show(got), hint)
	}
	select {
	case <-run.finished:
		t.Fatalf("Bridge returned %s after a malformed message, want it to keep running — %s", describeErr(run.err), hint)
	default:
	}
}
