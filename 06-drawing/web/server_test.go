package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// These tests guard the provided bridge server against the pages and
// networks it may meet; they pass from the start.

// serveBridge serves Handler with bridge on a test server and returns its ws:// URL.
func serveBridge(t *testing.T, bridge BridgeFunc) string {
	t.Helper()
	return serveBridgeWithin(t, defaultLimits, bridge)
}

// asHost sends every request with Host (and so Origin) host, as a browser
// does for a page loaded from host that resolves to this machine.
type asHost string

func (h asHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = string(h)
	r.Header.Set("Origin", "http://"+string(h))
	return http.DefaultTransport.RoundTrip(r)
}

func TestBridgeServer_RefusesAPageFromAnotherHostName(t *testing.T) {
	url := serveBridge(t, func(ctx context.Context, page Page) error {
		t.Error("the bridge ran for a page from another host name")
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: &http.Client{Transport: asHost("evil.example:8080")}})
	if err == nil {
		t.Fatal("a WebSocket from a page served as evil.example was accepted: DNS rebinding gets through")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("the upgrade from evil.example got %v, want 403 Forbidden", resp)
	}
}

func TestBridgeServer_AcceptsLoopbackHostNames(t *testing.T) {
	for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"} {
		url := serveBridge(t, func(context.Context, Page) error { return nil })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: &http.Client{Transport: asHost(host)}})
		cancel()
		if err != nil {
			t.Errorf("a page served as %s was refused: %v", host, err)
			continue
		}
		conn.CloseNow()
	}
}

func TestBridgeServer_APageThatStopsReadingEndsItsBridge(t *testing.T) {
	ended := make(chan error, 1)
	url := serveBridge(t, func(ctx context.Context, page Page) error {
		// Large messages fill the socket's buffers sooner than points would.
		report := status.Error(codes.Internal, strings.Repeat("a long status line ", 200))
		for {
			if err := page.Report(ctx, report); err != nil {
				ended <- err
				return err
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	// The page never reads: the socket's buffers fill, and a write waits.
	select {
	case <-ended:
	case <-time.After(WriteTimeout + 25*time.Second):
		t.Fatalf("a page that stopped reading still holds its bridge 25s after the write deadline (%v)", WriteTimeout)
	}
}

func TestBridgeServer_ClosesWithTheReasonAfterAnError(t *testing.T) {
	url := serveBridge(t, func(context.Context, Page) error {
		return status.Error(codes.Unavailable, "the drawing server went away")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for {
		if _, _, err = conn.Read(ctx); err != nil {
			break // the error report first, then the close
		}
	}
	var closed websocket.CloseError
	if !errors.As(err, &closed) {
		t.Fatalf("the page's read ended with %v, want a close frame (a page without one sees 1006)", err)
	}
	if closed.Code != websocket.StatusInternalError || closed.Reason != "Unavailable: the drawing server went away" {
		t.Errorf("close frame = %d %q, want %d %q", closed.Code, closed.Reason, websocket.StatusInternalError, "Unavailable: the drawing server went away")
	}
}

// serveBridgeWithin is serveBridge with limits of its own (Handler's are
// defaultLimits).
func serveBridgeWithin(t *testing.T, lim limits, bridge BridgeFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler(bridge, slog.New(slog.DiscardHandler), lim, &openPages{max: lim.maxPages}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// readReport reads a page's socket until it closes; it returns the error
// line the bridge server sent, if any, and how the socket closed.
func readReport(ctx context.Context, conn *websocket.Conn) (report string, closed websocket.CloseError) {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			errors.As(err, &closed)
			return report, closed
		}
		report += string(data)
	}
}

func TestBridgeServer_PastMaxPagesAPageIsToldWhy(t *testing.T) {
	lim := defaultLimits
	lim.maxPages = 1
	bridged := make(chan struct{}, 2)
	url := serveBridgeWithin(t, lim, func(ctx context.Context, page Page) error {
		bridged <- struct{}{}
		_, err := page.Read(ctx) // until the page closes
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.CloseNow()
	<-bridged

	second, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.CloseNow()
	report, closed := readReport(ctx, second)
	if !strings.Contains(report, "ResourceExhausted") || closed.Code != websocket.StatusTryAgainLater {
		t.Errorf("a second page with MaxPages 1 got %q and close %d %q; want a ResourceExhausted line and close 1013", report, closed.Code, closed.Reason)
	}

	// Once the first page has closed, a page trying again, as the page
	// does, is bridged.
	first.Close(websocket.StatusNormalClosure, "")
	for again := true; again; {
		third, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatalf("once the first page closed, a new page was not bridged: %v", err)
		}
		select {
		case <-bridged:
			again = false
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond): // refused: the first is still leaving
		}
		third.CloseNow()
	}
}

func TestBridgeServer_APageThatSendsNothingIsLetGo(t *testing.T) {
	lim := defaultLimits
	lim.idle = 100 * time.Millisecond
	ended := make(chan error, 1)
	url := serveBridgeWithin(t, lim, func(ctx context.Context, page Page) error {
		_, err := page.Read(ctx)
		ended <- err
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	go readReport(ctx, conn) // the page reads, but never sends
	select {
	case err := <-ended:
		if status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("the idle page's Read ended with %v, want DeadlineExceeded", err)
		}
	case <-ctx.Done():
		t.Fatal("a page that sent nothing was still read from after 10 s (IdleTimeout is 100 ms here)")
	}
}

func TestServe_EndsEvenWhenABridgeIgnoresItsContext(t *testing.T) {
	lim := defaultLimits
	lim.shutdown = 200 * time.Millisecond
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bridged := make(chan struct{})
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serveLimited(serveCtx, lis, func(_ context.Context, page Page) error {
			close(bridged)
			_, err := page.Read(context.Background()) // not the bridge's ctx
			return err
		}, slog.New(slog.DiscardHandler), lim)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+lis.Addr().String()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	go readReport(ctx, conn)
	<-bridged

	stop()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "ctx") {
			t.Errorf("Serve returned %v; want an error saying a bridge ignored its ctx", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve had not returned 10 s after its ctx was done (ShutdownTimeout is 200 ms here)")
	}
}

func TestBridgeServer_AMessageOverTheLimitClosesThePage(t *testing.T) {
	ended := make(chan error, 1)
	url := serveBridge(t, func(ctx context.Context, page Page) error {
		_, err := page.Read(ctx)
		ended <- err
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.Write(ctx, websocket.MessageText, []byte(strings.Repeat(" ", maxMessage+1)))
	_, closed := readReport(ctx, conn)
	if closed.Code != websocket.StatusMessageTooBig {
		t.Errorf("after a message of %d bytes the page's socket closed with %d %q, want 1009 (message too big)", maxMessage+1, closed.Code, closed.Reason)
	}
	if err := <-ended; err == nil {
		t.Error("the bridge's Read of an oversized message returned no error")
	}
}
