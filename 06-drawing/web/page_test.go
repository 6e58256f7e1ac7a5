package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
)

// These tests guard the provided plumbing, not a task: they pass from the
// start. In the first ones a WebSocket client written in Go plays the page;
// in the last ones the page itself runs in Chromium.

// pageSession serves Handler with a bridge that hands the test its Page, and
// returns that Page and the client end of the WebSocket.
func pageSession(t *testing.T) (Page, *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	pages := make(chan Page)
	done := make(chan struct{})
	srv := httptest.NewServer(Handler(func(ctx context.Context, page Page) error {
		pages <- page
		<-done
		return nil
	}, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })

	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatalf("dialling the page's WebSocket: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	select {
	case page := <-pages:
		return page, conn
	case <-ctx.Done():
		t.Fatal("the bridge was not called for a new WebSocket")
		return nil, nil
	}
}

func TestPage_ReadsPointsAndRejectsMalformedMessages(t *testing.T) {
	page, conn := pageSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, msg := range []string{
		`{"stroke": 3, "x": 10, "y": 20, "canvas": {"width": 800, "height": 500}}`,
		`not JSON`,
		`{"stroke": 3, "x": 1.5}`,
		`{"stroke": 3, "colour": "red"}`,
		`{"stroke": 3, "x": 11, "y": 21}`,
	} {
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}

	p, err := page.Read(ctx)
	if err != nil || p.GetX() != 10 || p.GetCanvas().GetWidth() != 800 {
		t.Fatalf("Read = %v, %v, want the first point (10, 20) on an 800×500 canvas", p, err)
	}
	for _, what := range []string{"text that is not JSON", "a fractional x", "an unknown field"} {
		if _, err := page.Read(ctx); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Read of %s returned %v, want an error wrapping ErrMalformed", what, err)
		}
	}
	if p, err := page.Read(ctx); err != nil || p.GetX() != 11 {
		t.Fatalf("Read after malformed messages = %v, %v, want the point (11, 21): the page stays usable", p, err)
	}
	if _, err := page.Read(ctx); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Read of a binary message returned %v, want an error wrapping ErrMalformed", err)
	}

	// Close waits for the other side to answer the close, which it does
	// while reading: close from another goroutine.
	closed := make(chan error, 1)
	go func() { closed <- conn.Close(websocket.StatusGoingAway, "tab closed") }()
	if _, err := page.Read(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("Read after the page closed returned %v, want io.EOF", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("closing the WebSocket: %v", err)
	}
}

func TestPage_WritesPointsAndErrors(t *testing.T) {
	page, conn := pageSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	point := &drawingpb.StrokePoint{Stroke: 2, X: 700, Y: 50, Reflection: drawingpb.Reflection_REFLECTION_LEFT_RIGHT}
	if err := page.Write(ctx, point); err != nil {
		t.Fatal(err)
	}
	if err := page.Report(ctx, status.Error(codes.InvalidArgument, "x is outside the canvas")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"point":{"stroke":2,"x":700,"y":50,"reflection":"REFLECTION_LEFT_RIGHT"}}`,
		`{"error":{"code":"InvalidArgument","message":"x is outside the canvas"}}`,
	} {
		_, got, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// protojson varies its spacing on purpose; compare without it.
		var compact bytes.Buffer
		if err := json.Compact(&compact, got); err != nil {
			t.Fatalf("the page got %s, which is not JSON: %v", got, err)
		}
		if compact.String() != want {
			t.Errorf("the page got %s, want %s", got, want)
		}
	}
}

// The page in a real browser: headless Chromium opens it, served with a fake
// bridge, and the tests check what a person would see. They pass from the
// start too: they test the page, not a task.

// requireBrowser is the environment variable that turns a missing browser
// from a skipped test into a failed one. CI sets it.
const requireBrowser = "WORKSHOP_REQUIRE_BROWSER"

// browserPatience bounds one browser test, Chromium's start included, and
// pollPatience each wait for the page (a reconnect takes about a second).
const (
	browserPatience = 60 * time.Second
	pollPatience    = 15 * time.Second
)

// openInBrowser serves Handler with bridge on a loopback port, opens the page
// in headless Chromium, and returns the tab's context; everything stops when
// the test ends. Without Chromium the test is skipped (failed, if
// requireBrowser is set).
func openInBrowser(t *testing.T, bridge BridgeFunc) context.Context {
	t.Helper()
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			chromium = path
			break
		}
	}
	if chromium == "" {
		msg := "NO BROWSER: the page's browser tests did NOT run; install Chromium (Debian/Ubuntu: apt-get install chromium)"
		if os.Getenv(requireBrowser) != "" {
			t.Fatal(msg + "; " + requireBrowser + " is set, so a missing browser is a failure")
		}
		t.Skip(msg)
	}
	srv := httptest.NewServer(Handler(bridge, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)

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
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, browserPatience)
	t.Cleanup(cancel)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("opening the page in Chromium: %v", err)
	}
	return ctx
}

// waitFor polls the page until the JavaScript expression cond is true.
func waitFor(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(pollPatience))); err != nil {
		t.Fatalf("%s: not within %v (%v); the status line says %q", what, pollPatience, err, statusOf(t, ctx).Text)
	}
}

// eval evaluates a JavaScript expression on the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s on the page: %v", expr, err)
	}
	return v
}

// pageStatus is what the status line shows.
type pageStatus struct {
	Text  string `json:"text"`
	Class string `json:"class"`
	Lines int    `json:"lines"` // how many lines of text it takes on screen
}

func statusOf(t *testing.T, ctx context.Context) pageStatus {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[pageStatus](`(() => {
		const s = document.getElementById("status"), text = document.createRange();
		text.selectNodeContents(s);
		const tops = new Set([...text.getClientRects()].map(r => Math.round(r.top)));
		return {text: s.textContent, class: s.className, lines: tops.size};
	})()`))
	if err != nil {
		return pageStatus{Text: "(could not read it: " + err.Error() + ")"}
	}
	return v
}

// dragAcross draws one stroke across the left half of the canvas.
func dragAcross(t *testing.T, ctx context.Context) {
	t.Helper()
	canvas := eval[struct{ X, Y float64 }](t, ctx,
		`(() => { const r = document.getElementById("canvas").getBoundingClientRect(); return {X: r.left, Y: r.top}; })()`)
	held := func(p *cdpinput.DispatchMouseEventParams) { p.Buttons = 1 }
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MousePressed, canvas.X+100, canvas.Y+100, chromedp.ButtonLeft, chromedp.ClickCount(1), held),
	}
	for i := 1; i <= 5; i++ {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, canvas.X+100+float64(30*i), canvas.Y+100+float64(20*i), chromedp.ButtonLeft, held))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, canvas.X+250, canvas.Y+200, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	if _, err := chromedp.Run(ctx, chromedp.Steps(steps...)); err != nil {
		t.Fatalf("dragging on the canvas: %v", err)
	}
}

// mirror is a bridge without a server: it answers each point with its mirror
// image on an 800-pixel-wide canvas, and reports a malformed message as
// InvalidArgument, as the bridge of task 3 does.
func mirror(ctx context.Context, page Page) error {
	for {
		p, err := page.Read(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, ErrMalformed):
			if err := page.Report(ctx, status.Error(codes.InvalidArgument, err.Error())); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		image := &drawingpb.StrokePoint{Stroke: p.GetStroke(), X: 800 - p.GetX(), Y: p.GetY(), Reflection: drawingpb.Reflection_REFLECTION_LEFT_RIGHT}
		if err := page.Write(ctx, image); err != nil {
			return err
		}
	}
}

// transportError is what gRPC says when the server is not there: a long
// message for a person at a canvas.
var transportError = status.Error(codes.Unavailable, "connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:50051: "+
	"connect: connection refused\"\nclosing transport due to: connection error: desc = \"error reading from server: EOF\"")

const connected = "connected — draw on the canvas"

func TestPageInBrowser_AnErrorGoesOnceAStrokeIsMirroredAndOnClear(t *testing.T) {
	ctx := openInBrowser(t, mirror)
	waitFor(t, ctx, `drawing.connected`, "the page says it is connected once the bridge reads it")

	eval[chromedp.Void](t, ctx, `drawingSocket.send("not a point")`)
	waitFor(t, ctx, `drawing.errors.length === 1`, "the bridge's report of a malformed message reaches the page")
	if s := statusOf(t, ctx); !strings.HasPrefix(s.Text, "InvalidArgument: ") || s.Class != "error" {
		t.Fatalf("after a malformed message the status line says %q (class %q), want the InvalidArgument error, in red", s.Text, s.Class)
	}

	// A stroke mirrored after the error shows that all is well again.
	dragAcross(t, ctx)
	waitFor(t, ctx, `drawing.strokes === 1 && drawing.sent.length > 0 && drawing.mirrored.length === drawing.sent.length`, "the stroke is mirrored")
	if s := statusOf(t, ctx); s.Text != connected || s.Class != "" {
		t.Errorf("after a stroke was mirrored fine, the status line says %q (class %q), want %q: the old error is no longer true", s.Text, s.Class, connected)
	}

	// So does Clear.
	eval[chromedp.Void](t, ctx, `drawingSocket.send("not a point either")`)
	waitFor(t, ctx, `drawing.errors.length === 2`, "the second report reaches the page")
	eval[chromedp.Void](t, ctx, `document.getElementById("clear").click()`)
	if s := statusOf(t, ctx); s.Text != connected || s.Class != "" {
		t.Errorf("after Clear, the status line says %q (class %q), want %q", s.Text, s.Class, connected)
	}
}

func TestPageInBrowser_ALostServerGetsAShortLineAndNoStrokeIsLost(t *testing.T) {
	// The bridge fails before it reads the page, as one does whose server is
	// not there: the page never hears that it may draw.
	ctx := openInBrowser(t, func(ctx context.Context, page Page) error { return transportError })
	const line = "The drawing server is unavailable — reconnecting…"
	waitFor(t, ctx, `document.getElementById("status").textContent.startsWith("The drawing server")`, "the page says the server is unavailable")
	s := statusOf(t, ctx)
	if s.Text != line || s.Lines != 1 {
		t.Errorf("the status line says %q on %d lines, want %q on one: a person at a canvas needs no transport error", s.Text, s.Lines, line)
	}

	// Drawing is visibly off, and a drag draws and sends nothing.
	offline := eval[bool](t, ctx, `document.getElementById("canvas").classList.contains("offline") && !document.getElementById("notice").hidden`)
	if !offline {
		t.Errorf("while the server is unavailable the canvas is not greyed out, or shows no notice: drawing looks possible")
	}
	dragAcross(t, ctx)
	if sent := eval[int](t, ctx, `drawing.sent.length`); sent != 0 {
		t.Errorf("a stroke drawn while disconnected sent %d points into a connection that cannot mirror them, want none", sent)
	}
}

func TestPageInBrowser_ReconnectsByItself(t *testing.T) {
	var sessions atomic.Int32
	ctx := openInBrowser(t, func(ctx context.Context, page Page) error {
		if sessions.Add(1) == 1 {
			return transportError // the server was not up yet
		}
		return mirror(ctx, page)
	})
	waitFor(t, ctx, `drawing.connected`, "after a failed first session, the page reconnects by itself")
	if s := statusOf(t, ctx); s.Text != connected {
		t.Errorf("once reconnected, the status line says %q, want %q", s.Text, connected)
	}
	dragAcross(t, ctx)
	waitFor(t, ctx, `drawing.strokes === 1 && drawing.sent.length > 0 && drawing.mirrored.length === drawing.sent.length`, "a stroke after the reconnect is mirrored")
}

func TestPageInBrowser_FormulasStayOnOneLine(t *testing.T) {
	ctx := openInBrowser(t, mirror)
	broken := eval[[]string](t, ctx, `[...document.querySelectorAll("header code")].filter(c => c.getClientRects().length > 1).map(c => c.textContent)`)
	if len(broken) > 0 {
		t.Errorf("the formulas %q break across lines: read as one piece, each should stay on one", broken)
	}
}
