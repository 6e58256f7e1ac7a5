package drawing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
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
//
// It also notes which of its methods are running, so that a test can say
// where a Bridge is stuck, and any call still running when Bridge returned,
// or made after: a goroutine that outlived Bridge.
type fakePage struct {
	reads    chan read
	writes   chan *drawingpb.StrokePoint
	writeErr error // if not nil, Write fails with it: the page is gone
	reports  chan error
	gone     chan struct{}

	mu      sync.Mutex
	running map[string]int // calls in progress, by method
	over    bool           // Bridge has returned
	late    []string       // calls running when Bridge returned, or made after
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
		running: map[string]int{},
	}
}

// errPageGone is what a fakePage says once the test is over.
var errPageGone = errors.New("the test is over and closed the page")

// enter notes that a call of method has begun, and returns what notes its end.
func (p *fakePage) enter(method string) (leave func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.over {
		p.late = append(p.late, "page."+method+" was called after Bridge had returned")
	}
	p.running[method]++
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.running[method]--
	}
}

// bridgeReturned notes that Bridge has returned, and any call still running.
func (p *fakePage) bridgeReturned() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.over = true
	for _, method := range []string{"Read", "Write", "Report"} {
		if p.running[method] > 0 {
			p.late = append(p.late, "page."+method+" was still running when Bridge returned")
		}
	}
}

// isRunning reports whether a call of method is in progress.
func (p *fakePage) isRunning(method string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running[method] > 0
}

// lateCalls returns the calls that outlived Bridge.
func (p *fakePage) lateCalls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.late)
}

func (p *fakePage) Read(ctx context.Context) (*drawingpb.StrokePoint, error) {
	defer p.enter("Read")()
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
	defer p.enter("Write")()
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
	defer p.enter("Report")()
	select {
	case p.reports <- err:
		return nil
	case <-p.gone:
		return errPageGone
	}
}

// fakeServer runs script as its Mirror handler and tells ended what it
// returned; over is closed once it has.
type fakeServer struct {
	drawingpb.UnimplementedDrawingServer
	script func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error
	ended  chan error
	over   chan struct{}
}

func (f *fakeServer) Mirror(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
	err := f.script(stream)
	f.ended <- err
	close(f.over)
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
	page       *fakePage
	finished   chan struct{} // closed when Bridge has returned
	err        error         // what Bridge returned, once finished is closed
	ended      chan error    // what the server's handler returned
	serverOver chan struct{} // closed when the server's handler has returned
	cancel     func()        // cancels Bridge's ctx
}

// startBridge runs Bridge between a fake page and a fake server with script.
func startBridge(t *testing.T, script func(grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error) *bridgeRun {
	t.Helper()
	return startBridgeWith(t, newFakePage(), script)
}

// startBridgeWith is startBridge with a page the test has set up.
func startBridgeWith(t *testing.T, page *fakePage, script func(grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error) *bridgeRun {
	t.Helper()
	server := &fakeServer{script: script, ended: make(chan error, 1), over: make(chan struct{})}
	conn := grpctest.Connect(t, func(s *grpc.Server) { drawingpb.RegisterDrawingServer(s, server) })
	run := runBridge(t, page, drawingpb.NewDrawingClient(conn))
	run.ended, run.serverOver = server.ended, server.over
	return run
}

// runBridge runs Bridge between page and the server client talks to, until
// the test ends.
func runBridge(t *testing.T, page *fakePage, client drawingpb.DrawingClient) *bridgeRun {
	t.Helper()
	ctx, cancel := context.WithCancel(grpctest.Context(t, 4*patience))
	run := &bridgeRun{page: page, finished: make(chan struct{}), cancel: cancel}
	go func() {
		err := Bridge(ctx, run.page, client)
		page.bridgeReturned()
		run.err = err
		close(run.finished)
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
				"task 3 in bridge.go: everything Bridge starts, the stream included, must end when its ctx is done", patience)
		}
		if late := page.lateCalls(); len(late) > 0 {
			t.Errorf("%s — task 3 in bridge.go: a goroutine that Bridge started outlived it. Bridge must return only once "+
				"every goroutine it started has; the web server closes the page as soon as Bridge returns", strings.Join(late, "; "))
		}
	})
	return run
}

// stuck says where a Bridge that is taking too long is waiting, as far as the
// fake page and server can tell.
func (r *bridgeRun) stuck() string {
	var why []string
	if r.page.isRunning("Read") {
		why = append(why, "the bridge is waiting in page.Read for the user's next point")
	}
	if r.serverOver != nil {
		select {
		case <-r.serverOver:
			why = append(why, "the server has ended the stream")
		default:
			why = append(why, "the stream is still open (the server's handler has not returned)")
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "; " + strings.Join(why, "; ")
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
		t.Fatalf("no %s within %v%s — %s", waitingFor, patience, r.stuck(), hint)
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
		t.Fatalf("the bridge did not call page.Read for %v, so the user's next point cannot reach the server — %s", patience, hint)
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
		t.Fatalf("Bridge is still running %v later%s — %s", patience, r.stuck(), hint)
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

// oneGoroutine is the likely cause when the server answered but nothing
// was drawn while the bridge waits for the page.
const oneGoroutine = "page.Read waits for the user and stream.Recv for the server, " +
	"and while one of them waits, nothing else happens on its goroutine"

func TestTask3_CarriesPointsBothWays(t *testing.T) {
	const hint = "task 3 in bridge.go: every point the page draws goes to the server, and every point the server sends is drawn on the page, " +
		"while the page stays open"
	run := startBridge(t, echo)
	for i := range int32(3) {
		p := &drawingpb.StrokePoint{Stroke: 1, X: 10 * i, Y: i}
		run.draw(t, p, nil, hint)
		if got, want := run.drawn(t, hint+" ("+oneGoroutine+")"), echoed(p); got.GetX() != want.GetX() || got.GetY() != want.GetY() {
			t.Fatalf("the page got %v for %v, want the server's answer %v — %s", show(got), show(p), show(want), hint)
		}
	}
}

func TestTask3_PageClosedEndsTheStreamWithOK(t *testing.T) {
	const hint = "task 3 in bridge.go: the page closing ends the page's direction, not the stream: the server must learn that no more " +
		"points come (a client half-closes a stream), still send what it owes, and all of it is drawn before Bridge returns nil"
	// This server answers only once the client has closed its side: the
	// bridge must half-close the stream, not cancel it, and keep receiving.
	// The page takes each image only when the test asks for it, so a Bridge
	// that returns before its images are drawn is seen doing so.
	page := newFakePage()
	page.writes = make(chan *drawingpb.StrokePoint)
	run := startBridgeWith(t, page, echoAtEnd)
	for x := range int32(3) {
		run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: x}, nil, hint)
	}
	run.draw(t, nil, io.EOF, hint)
	err := run.serverEnded(t, "after the page closed, the server is still waiting for more points: nothing told it that none will come — "+hint)
	if status.Code(err) == codes.Canceled {
		t.Fatalf("after the page closed, the server's handler saw the stream cancelled (%s), so the images it still owed are lost — %s", describe(err), hint)
	}
	if err != nil {
		t.Fatalf("the server's handler ended with %s, want nil: it should have seen io.EOF, and answered — %s", describeErr(err), hint)
	}
	// The images of all three points still arrive: closing the page does
	// not cancel the stream, it half-closes it.
	for x := range int32(3) {
		const owed = " (the server sent the images of the points drawn before the page closed; Bridge ends when both directions have, not at the first)"
		if got := run.drawn(t, hint+owed); got.GetX() != x+1000 {
			t.Fatalf("the page got %v, want x = %d — %s", show(got), x+1000, hint)
		}
	}
	if err := run.returned(t, hint); err != nil {
		t.Errorf("Bridge returned %s after the page closed and the server ended with OK, want nil — %s", describeErr(err), hint)
	}
}

func TestTask3_BothWaysAtOnce(t *testing.T) {
	const hint = "task 3 in bridge.go: the two directions are independent: what the server sends is drawn even while the user draws nothing"
	// This server speaks first: it sends a point before it has read one.
	// A bridge that waits for the page before reading the stream never sees it.
	run := startBridge(t, func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
		if err := stream.Send(&drawingpb.StrokePoint{Stroke: 42}); err != nil {
			return err
		}
		return echo(stream)
	})
	if got := run.drawn(t, hint+" ("+oneGoroutine+")"); got.GetStroke() != 42 {
		t.Fatalf("the page got %v, want the server's first point, stroke 42 — %s", show(got), hint)
	}
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	if got := run.drawn(t, hint); got.GetX() != 1001 {
		t.Fatalf("the page got %v, want x = 1001 — %s", show(got), hint)
	}
}

// wakeTheReader is the likely cause when the stream is over and Bridge is
// still waiting for the page.
const wakeTheReader = "when the stream is over, nothing more can be mirrored: whatever waits for the page must be woken"

func TestTask3_ServerErrorEndsTheBridge(t *testing.T) {
	const hint = "task 3 in bridge.go: the server's status ends the session: it is shown on the page's status line, and Bridge returns it as it came"
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
	err := run.returned(t, hint+"; "+wakeTheReader)
	grpctest.WantCode(t, "Bridge", err, codes.InvalidArgument, hint)
	if status.Code(err) == codes.InvalidArgument && err.Error() != bad.Error() {
		t.Errorf("Bridge returned %q, want the server's status unchanged, %q — %s", err, bad, hint)
	}
}

func TestTask3_ServerOKEndsTheBridge(t *testing.T) {
	const hint = "task 3 in bridge.go: the server ending the stream with OK ends the session too, though the page is still open: Bridge returns nil"
	run := startBridge(t, func(stream grpc.BidiStreamingServer[drawingpb.StrokePoint, drawingpb.StrokePoint]) error {
		return nil // ends the stream with OK at once
	})
	if err := run.returned(t, hint+"; "+wakeTheReader+", and errgroup cancels its context only for an error"); err != nil {
		t.Errorf("Bridge returned %s after the server ended the stream with OK, want nil — %s (the page read that the end cut short "+
			"failed because the session is over: that is no error of the session)", describeErr(err), hint)
	}
}

// firstErrorEnds is the likely cause when a failure on the page leaves the
// stream open.
const firstErrorEnds = "the first error must end the rest: the stream, too, has to be cancelled by it"

func TestTask3_BrokenPageEndsTheStream(t *testing.T) {
	const hint = "task 3 in bridge.go: a page that breaks (a Read error other than io.EOF and web.ErrMalformed) ends the session: " +
		"the stream is cancelled, and Bridge returns the page's error"
	run := startBridge(t, echo)
	broken := errors.New("connection reset by peer")
	run.draw(t, nil, broken, hint)
	err := run.returned(t, hint+"; "+firstErrorEnds)
	if !errors.Is(err, broken) {
		t.Errorf("Bridge returned %s, want the page's error %q — %s", describeErr(err), broken, hint)
	}
	err = run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_FailedWriteEndsTheStream(t *testing.T) {
	const hint = "task 3 in bridge.go: a page.Write that fails means the page is gone: that ends the session, " +
		"the stream is cancelled, and Bridge returns the page's error"
	page := newFakePage()
	page.writeErr = errors.New("failed to write to the WebSocket: use of closed network connection")
	run := startBridgeWith(t, page, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	// Its image cannot be drawn: Bridge returns, and the server sees the
	// stream cancelled rather than kept open for nobody.
	if err := run.returned(t, hint+"; "+firstErrorEnds); !errors.Is(err, page.writeErr) {
		t.Errorf("Bridge returned %s, want the page's error %q — %s", describeErr(err), page.writeErr, hint)
	}
	err := run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_CancelEndsEverything(t *testing.T) {
	const hint = "task 3 in bridge.go: when Bridge's ctx is done, the stream is cancelled and Bridge returns: " +
		"everything it starts, the stream included, lives in that ctx"
	run := startBridge(t, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1}, nil, hint)
	run.drawn(t, hint)
	run.cancel()
	run.returned(t, hint)
	err := run.serverEnded(t, hint)
	grpctest.WantCode(t, "the server's Mirror handler", err, codes.Canceled, hint)
}

func TestTask3_MalformedMessageIsReportedAndTheStreamLives(t *testing.T) {
	const hint = "task 3 in bridge.go: a message that is not a point (a Read error wrapping web.ErrMalformed) is the page's bug, not the stream's: " +
		"it is shown on the status line as InvalidArgument, saying what was wrong, and the session goes on"
	run := startBridge(t, echo)
	run.draw(t, &drawingpb.StrokePoint{Stroke: 1, X: 1}, nil, hint)
	run.drawn(t, hint)

	malformed := fmt.Errorf("%w: %q is not a StrokePoint", web.ErrMalformed, "hello")
	run.draw(t, nil, malformed, hint)
	reported := run.reported(t, hint)
	grpctest.WantCode(t, "the error on the page's status line", reported, codes.InvalidArgument,
		hint+" (the status line shows the code of a status error, and Unknown for any other error)")
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
