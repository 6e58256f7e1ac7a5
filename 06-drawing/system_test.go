package drawing

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/web"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// This file tests the whole step in a real browser: headless Chromium opens
// the page, a mouse drags across the canvas, and the page must draw the
// mirror image the server sent back. TestTask3_BrowserDrawsTheMirrorImage
// needs tasks 1 and 3 done, TestTask4_BrowserShowsTheKaleidoscope task 4 as
// well; each first checks, in a second and without a browser, that they are
// (needTasks). Run them with `go test -run Browser -v ./06-drawing/`.

// requireBrowser is the environment variable that turns a missing browser
// from a skipped test into a failed one. CI sets it.
const requireBrowser = "WORKSHOP_REQUIRE_BROWSER"

// findChromium returns the path of a Chromium or Chrome to test with, or
// skips the test (fails it, if requireBrowser is set) when there is none.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	banner := strings.Repeat("!", 72)
	msg := "\n" + banner + "\n" +
		"!! NO BROWSER: the end-to-end test of the drawing page did NOT run.\n" +
		"!! Install Chromium (Debian/Ubuntu: apt-get install chromium) to run it.\n" +
		banner
	if os.Getenv(requireBrowser) != "" {
		t.Fatal(msg + "\n" + requireBrowser + " is set, so a missing browser is a failure.")
	}
	t.Skip(msg)
	return ""
}

// pagePoint is a point as the page records it in window.drawing.
type pagePoint struct {
	Stroke     uint32 `json:"stroke"`
	X          int32  `json:"x"`
	Y          int32  `json:"y"`
	Reflection string `json:"reflection"`
}

// pageError is an error as the page records it.
type pageError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// pageState is what the page has sent, drawn and shown.
type pageState struct {
	Sent     []pagePoint `json:"sent"`
	Mirrored []pagePoint `json:"mirrored"`
	Errors   []pageError `json:"errors"`
	Status   string      `json:"status"`
}

// readPage reads window.drawing and the status line.
const readPage = `({sent: drawing.sent, mirrored: drawing.mirrored, errors: drawing.errors,
	status: document.getElementById("status").textContent})`

// startServer runs the learner's Server on a free loopback port until the
// test ends, and returns a client for it and the server, which the test may
// stop early.
func startServer(t *testing.T) (drawingpb.DrawingClient, *grpctest.Server) {
	t.Helper()
	srv := grpctest.StartLoopback(t, func(s *grpc.Server) {
		drawingpb.RegisterDrawingServer(s, &Server{})
	})
	return drawingpb.NewDrawingClient(srv.Dial(t)), srv
}

// needTasks checks, in a second and without a browser, that the tasks the
// browser test builds on are done: one point on a Mirror stream straight to
// the server, then one point through Bridge from a fake page. It fails the
// test, naming the task to do, before Chromium is even started.
func needTasks(t *testing.T, client drawingpb.DrawingClient, kaleidoscope bool) {
	t.Helper()
	point := at(100, 50, &drawingpb.Canvas{Width: 800, Height: 500, Kaleidoscope: kaleidoscope})
	want := []*drawingpb.StrokePoint{image(700, 50, leftRight)}
	hint := "the browser test needs task 1 (server.go) done first: the TestTask1_ tests say what is missing"
	if kaleidoscope {
		want = append(want, image(100, 450, topBottom), image(700, 450, centre))
		hint = "the kaleidoscope in the browser needs tasks 1 and 4 (server.go) done first: the TestTask1_ and TestTask4_ tests say what is missing"
	}
	stream := openMirror(t, client, hint)
	send(t, stream, point, hint)
	closeSend(t, stream, hint)
	for _, w := range want {
		expect(t, stream, point, w, hint)
	}
	expectEnd(t, stream, codes.OK, hint)

	hint = "the browser test needs task 3 (bridge.go) done first: the other TestTask3_ tests say what is missing"
	run := runBridge(t, newFakePage(), client)
	run.draw(t, point, nil, hint)
	for _, w := range want {
		if got := run.drawn(t, hint); !proto.Equal(got, w) {
			t.Fatalf("for %v the bridge drew %v on the page, want the server's image %v — %s", show(point), show(got), show(w), hint)
		}
	}
	run.draw(t, nil, io.EOF, hint)
	if err := run.returned(t, hint); err != nil {
		t.Fatalf("Bridge returned %s after the page closed and the server ended with OK, want nil — %s", describeErr(err), hint)
	}
}

// startDrawing serves the page, with the learner's Bridge to client behind
// it, on a free loopback port, and returns the page's URL. It stops when
// the test ends.
func startDrawing(t *testing.T, client drawingpb.DrawingClient) string {
	t.Helper()
	webLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback for the page: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- web.Serve(ctx, webLis, func(ctx context.Context, page web.Page) error {
			return Bridge(ctx, page, client)
		}, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		// Stopping the web server cancels every Bridge's ctx and waits
		// for them to return.
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("web.Serve: %v", err)
			}
		case <-time.After(patience):
			t.Errorf("the web server had not stopped %v after it cancelled the bridges' ctx: a Bridge is still running — "+
				"task 3 in bridge.go: everything Bridge starts, the stream included, must end when its ctx is done", patience)
		}
	})
	return "http://" + webLis.Addr().String() + "/"
}

// browserPatience bounds the whole of one browser test, Chromium's start
// included, and pollPatience each wait for the page: a correct solution
// needs a fraction of either, even on a loaded laptop.
const (
	browserPatience = 60 * time.Second
	pollPatience    = 15 * time.Second
	launchPatience  = 30 * time.Second // for Chromium to start, once
)

// startBrowser starts headless Chromium with a fresh profile and returns a
// context for driving one tab. The browser is closed when the test ends.
//
// Chromium sometimes fails to start on a loaded machine (its zygote process
// gives up): that is tried once more, and then said to be the machine's
// problem, like a missing browser, not a task's.
func startBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	var err error
	for range 2 {
		var ctx context.Context
		if ctx, err = launchBrowser(t, chromium); err == nil {
			return ctx
		}
	}
	banner := strings.Repeat("!", 72)
	msg := fmt.Sprintf("\n%s\n!! THE BROWSER DID NOT START, twice: %v\n!! This machine's problem, not a task's: the end-to-end test did NOT run.\n%s", banner, err, banner)
	if os.Getenv(requireBrowser) != "" {
		t.Fatal(msg + "\n" + requireBrowser + " is set, so a browser that cannot start is a failure.")
	}
	t.Skip(msg)
	return nil
}

// launchBrowser starts Chromium and opens a blank tab in it, or says why it
// could not within launchPatience; the tab's context then bounds the test
// by browserPatience.
func launchBrowser(t *testing.T, chromium string) (context.Context, error) {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // needed when running as root, as CI does
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 800),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	// The first Run starts the browser, which lives as long as the context
	// that Run was given: tabCtx itself, cancelled only if the start takes
	// too long.
	tooLong := time.AfterFunc(launchPatience, cancelTab)
	_, err := chromedp.Run(tabCtx, chromedp.Navigate("about:blank"))
	if !tooLong.Stop() && err == nil {
		err = fmt.Errorf("Chromium did not start within %v", launchPatience)
	}
	if err != nil {
		cancelTab()
		cancelAlloc()
		return nil, err
	}
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, browserPatience)
	t.Cleanup(cancel)
	return ctx, nil
}

// drag drags the mouse with the left button held through the given canvas
// points; canvas is the canvas's place on the page.
func drag(canvas struct{ X, Y float64 }, points ...[2]float64) chromedp.Action[chromedp.Void] {
	held := func(p *cdpinput.DispatchMouseEventParams) { p.Buttons = 1 }
	var steps []chromedp.Action[chromedp.Void]
	for i, p := range points {
		x, y := canvas.X+p[0], canvas.Y+p[1]
		switch i {
		case 0:
			steps = append(steps, chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1), held))
		default:
			steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, held))
		}
	}
	last := points[len(points)-1]
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, canvas.X+last[0], canvas.Y+last[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
	return chromedp.Steps(steps...)
}

// waitForMirror waits until the page has finished drawing strokes strokes
// and has drawn images images of every point it sent (or shows an error
// beyond the errors it already showed), and returns what it has.
func waitForMirror(t *testing.T, ctx context.Context, strokes, images, errors int, what string) pageState {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		fmt.Sprintf(`drawing.errors.length > %d || (drawing.strokes >= %d && drawing.mirrored.length >= %d * drawing.sent.length)`, errors, strokes, images),
		chromedp.WithPollingTimeout(pollPatience)))
	state, readErr := chromedp.Run(ctx, chromedp.Evaluate[pageState](readPage))
	if readErr != nil {
		t.Fatalf("reading the page: %v", readErr)
	}
	for _, e := range state.Errors {
		if e.Code != "InvalidArgument" || !strings.Contains(e.Message, "malformed") {
			t.Fatalf("%s: the page shows the error %s: %s (status line %q) — the server (tasks 1 and 2) or the bridge (task 3) ended the stream", what, e.Code, e.Message, state.Status)
		}
	}
	if err != nil {
		hint := "is the bridge (task 3) carrying points both ways, and is the server (task 1) answering each one?"
		if images > 1 && len(state.Sent) > 0 && len(state.Mirrored) == len(state.Sent) {
			hint = fmt.Sprintf("each point came back once: in kaleidoscope mode the server sends %d images per point — task 4 in server.go", images)
		}
		t.Fatalf("%s: after %v the page has drawn %d mirrored points for the %d it sent, want %d (%d per point) (status line %q): %s",
			what, pollPatience, len(state.Mirrored), len(state.Sent), images*len(state.Sent), images, state.Status, hint)
	}
	return state
}

// checkMirror checks that mirrored holds exactly the mirror images of sent.
func checkMirror(t *testing.T, sent, mirrored []pagePoint) {
	t.Helper()
	if len(mirrored) != len(sent) {
		t.Fatalf("the page drew %d mirrored points for the %d it sent, want one each — task 1 in server.go, carried by task 3's bridge", len(mirrored), len(sent))
	}
	for i, p := range sent {
		want := pagePoint{Stroke: p.Stroke, X: 800 - p.X, Y: p.Y, Reflection: "REFLECTION_LEFT_RIGHT"}
		if mirrored[i] != want {
			t.Errorf("mirrored point %d is %+v for the sent point %+v, want %+v (x' = 800 − x, y' = y) — task 1 in server.go", i, mirrored[i], p, want)
		}
	}
}

// openPage opens url, waits for its WebSocket, and returns where the canvas is.
func openPage(t *testing.T, ctx context.Context, url string) struct{ X, Y float64 } {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s in Chromium: %v", url, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.drawing && (drawing.connected || drawing.errors.length > 0)`,
		chromedp.WithPollingTimeout(pollPatience))); err != nil {
		t.Fatalf("the page did not connect its WebSocket within %v: %v (web.Serve calls Bridge for it: task 3)", pollPatience, err)
	}
	canvas, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ X, Y float64 }](
		`(() => { const r = document.getElementById("canvas").getBoundingClientRect(); return {X: r.left, Y: r.top}; })()`))
	if err != nil {
		t.Fatalf("finding the canvas: %v", err)
	}
	return canvas
}

func TestTask3_BrowserDrawsTheMirrorImage(t *testing.T) {
	client, server := startServer(t)
	needTasks(t, client, false)
	chromium := findChromium(t)
	url := startDrawing(t, client)
	ctx := startBrowser(t, chromium)

	canvas := openPage(t, ctx, url)

	// One stroke from the left half to the right, through the centre line.
	stroke := [][2]float64{{100, 100}, {200, 150}, {300, 200}, {400, 250}, {500, 260}}
	if _, err := chromedp.Run(ctx, drag(canvas, stroke...)); err != nil {
		t.Fatalf("dragging on the canvas: %v", err)
	}
	state := waitForMirror(t, ctx, 1, 1, 0, "after one stroke")
	if first := state.Sent[0]; first != (pagePoint{Stroke: 1, X: 100, Y: 100}) {
		t.Errorf("the page sent %+v first, want the point pressed, {stroke 1 (100, 100)}", first)
	}
	checkMirror(t, state.Sent, state.Mirrored)
	if !strings.HasPrefix(state.Status, "connected") {
		t.Errorf("the status line says %q, want it to start with \"connected\" — task 3 in bridge.go: the session lasts as long as the page", state.Status)
	}

	// A malformed message from the page: the bridge reports it on the status
	// line with InvalidArgument, and the stream stays open for the next stroke.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`drawingSocket.send("not a point")`)); err != nil {
		t.Fatalf("sending a malformed message: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`drawing.errors.length > 0`, chromedp.WithPollingTimeout(pollPatience))); err != nil {
		t.Fatalf("after a malformed message, no error reached the status line within %v — task 3 in bridge.go: a malformed message is reported on the status line", pollPatience)
	}
	if status := pageStatus(t, ctx); !strings.Contains(status, "InvalidArgument") {
		t.Errorf("after a malformed message the status line says %q, want it to show the InvalidArgument error — task 3 in bridge.go", status)
	}
	if _, err := chromedp.Run(ctx, drag(canvas, [2]float64{700, 400}, [2]float64{650, 450})); err != nil {
		t.Fatalf("dragging on the canvas: %v", err)
	}
	state = waitForMirror(t, ctx, 2, 1, 1, "after a malformed message and a second stroke")
	if len(state.Errors) != 1 || state.Errors[0].Code != "InvalidArgument" {
		t.Errorf("the page shows the errors %+v, want one InvalidArgument for the malformed message — task 3 in bridge.go", state.Errors)
	}
	// The second stroke was mirrored: the error on the status line is over.
	if !strings.HasPrefix(state.Status, "connected") {
		t.Errorf("after the next stroke was mirrored the status line says %q, want it to start with \"connected\" again — task 3 in bridge.go: the stream lives on after a malformed message", state.Status)
	}
	if last := state.Sent[len(state.Sent)-1]; last.Stroke != 2 {
		t.Errorf("the last point sent is %+v, want one of stroke 2 — task 3 in bridge.go: the stream lives on after a malformed message", last)
	}
	checkMirror(t, state.Sent, state.Mirrored)
	t.Logf("the page drew %d points and their %d mirror images", len(state.Sent), len(state.Mirrored))

	// Clear wipes the canvas and an error still on the status line with it.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`drawingSocket.send("not a point either")`)); err != nil {
		t.Fatalf("sending a malformed message: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`drawing.errors.length > 1`, chromedp.WithPollingTimeout(pollPatience))); err != nil {
		t.Fatalf("after a second malformed message, no error reached the status line within %v — task 3 in bridge.go: a malformed message is reported on the status line", pollPatience)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("clear").click()`)); err != nil {
		t.Fatalf("clicking Clear: %v", err)
	}
	if status := pageStatus(t, ctx); !strings.HasPrefix(status, "connected") {
		t.Errorf("after Clear the status line still says %q, want it to start with \"connected\": the page (web/static/app.js) clears an old error with the canvas", status)
	}

	// The formulas in the page's header read as one piece: none is broken
	// across two lines, even when the page is narrow.
	broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const broken = new Set();
		for (let width = 240; width <= 720; width += 4) { // wherever a line happens to end
			document.body.style.width = width + "px";
			for (const c of document.querySelectorAll("header code")) {
				if (c.getClientRects().length > 1) broken.add(c.textContent);
			}
		}
		document.body.style.width = "";
		return [...broken];
	})()`))
	if err != nil {
		t.Fatalf("measuring the header: %v", err)
	}
	if len(broken) > 0 {
		t.Errorf("on a narrow page the formulas %q are broken across lines: the page (web/static/style.css) keeps each on one line", broken)
	}

	// The server goes away: the stream ends with Unavailable, the bridge
	// returns, and the page says so in a line a person can read, and lets
	// nobody draw until it is back.
	server.GRPC.Stop()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!drawing.connected`, chromedp.WithPollingTimeout(pollPatience))); err != nil {
		t.Fatalf("%v after the server stopped, the page still says it is connected (status line %q) — task 3 in bridge.go: "+
			"the server ending the stream ends the session, and Bridge returns its status", pollPatience, pageStatus(t, ctx))
	}
	const unavailable = "The drawing server is unavailable — reconnecting…"
	if status := pageStatus(t, ctx); status != unavailable {
		t.Errorf("after the server stopped, the status line says %q, want %q — task 3 in bridge.go: return the status of the stream as it came", status, unavailable)
	}

	// While disconnected nobody can draw: a stroke would be lost, so the
	// page takes none, and says why over the canvas.
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int](`drawing.sent.length`))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	if _, err := chromedp.Run(ctx, drag(canvas, [2]float64{100, 300}, [2]float64{200, 350})); err != nil {
		t.Fatalf("dragging on the canvas: %v", err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[int](`drawing.sent.length`))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[string](`notice.hidden ? "" : notice.textContent`))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	if after != before || notice == "" {
		t.Errorf("while disconnected, a stroke on the canvas sent %d points (want none) and the canvas's notice says %q (want why no one can draw): the page (web/static/app.js) must not take strokes it would lose", after-before, notice)
	}
}

// pageStatus reads the page's status line.
func pageStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	status, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
	if err != nil {
		t.Fatalf("reading the status line: %v", err)
	}
	return status
}

func TestTask4_BrowserShowsTheKaleidoscope(t *testing.T) {
	client, _ := startServer(t)
	needTasks(t, client, true)
	chromium := findChromium(t)
	url := startDrawing(t, client)
	ctx := startBrowser(t, chromium)
	canvas := openPage(t, ctx, url)

	// Ticking the box makes the page send the canvas again, now with
	// kaleidoscope set, on the next point: the same stream switches mode.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("kaleidoscope").click()`)); err != nil {
		t.Fatalf("ticking the Kaleidoscope box: %v", err)
	}
	if _, err := chromedp.Run(ctx, drag(canvas, [2]float64{100, 100}, [2]float64{150, 120}, [2]float64{200, 140})); err != nil {
		t.Fatalf("dragging on the canvas: %v", err)
	}
	state := waitForMirror(t, ctx, 1, 3, 0, "in kaleidoscope mode (task 4)")
	if len(state.Mirrored) != 3*len(state.Sent) {
		t.Fatalf("the page drew %d images for the %d points it sent, want 3 each — task 4 in server.go", len(state.Mirrored), len(state.Sent))
	}
	for i, p := range state.Sent {
		want := []pagePoint{
			{Stroke: p.Stroke, X: 800 - p.X, Y: p.Y, Reflection: "REFLECTION_LEFT_RIGHT"},
			{Stroke: p.Stroke, X: p.X, Y: 500 - p.Y, Reflection: "REFLECTION_TOP_BOTTOM"},
			{Stroke: p.Stroke, X: 800 - p.X, Y: 500 - p.Y, Reflection: "REFLECTION_CENTRE"},
		}
		for j, w := range want {
			if got := state.Mirrored[3*i+j]; got != w {
				t.Errorf("image %d of the sent point %+v is %+v, want %+v — task 4 in server.go", j, p, got, w)
			}
		}
	}
}
