package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
)

// These tests guard the provided plumbing, not a task: they pass from the
// start. A WebSocket client written in Go plays the page.

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
