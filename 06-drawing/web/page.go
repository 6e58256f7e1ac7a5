// Package web is the browser side of step 06, provided complete: it serves the
// drawing page (HTML, JavaScript and CSS embedded in the binary with go:embed)
// and, for every open page, a WebSocket. Each WebSocket becomes a Page, the
// small interface through which your bridge (../bridge.go) talks to the
// browser, so the bridge can be tested with a fake Page and no browser.
//
// The messages on the WebSocket are JSON text. The page sends one
// drawingpb.StrokePoint per message in protobuf's JSON form, e.g.
//
//	{"stroke": 1, "x": 120, "y": 80, "canvas": {"width": 800, "height": 500}}
//
// and receives a mirrored point, an error for its status line, or, once, word
// that the bridge is reading the page (so its stream is open) and the user
// may draw:
//
//	{"point": {"stroke": 1, "x": 680, "y": 80, "reflection": "REFLECTION_LEFT_RIGHT"}}
//	{"error": {"code": "InvalidArgument", "message": "x 900 is outside the canvas"}}
//	{"ready": true}
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
)

// Page is one open browser page, as the bridge sees it.
//
// Read must be called from one goroutine at a time; Write and Report may be
// called from any goroutine, also while a Read is waiting. A Page whose ctx
// of Read or Write is cancelled is closed: after that every call fails.
type Page interface {
	// Read waits for the next point the user drew. It returns io.EOF once
	// the page has been closed normally (the tab closed or reloaded), an
	// error wrapping ErrMalformed for a message that is not a StrokePoint
	// (the page stays open: read on), and any other error when the
	// connection broke or ctx is done. The first Read also tells the page
	// that the user may draw: a bridge reads the page once its stream is
	// open, and until then the page does not let the user draw.
	Read(ctx context.Context) (*drawingpb.StrokePoint, error)

	// Write draws a point the server sent (a mirror image) on the page.
	Write(ctx context.Context, p *drawingpb.StrokePoint) error

	// Report shows err on the page's status line as "Code: message", where
	// the code is its gRPC status code (Unknown for a plain Go error).
	Report(ctx context.Context, err error) error
}

// ErrMalformed is wrapped by the error Page.Read returns for a message that
// is not a StrokePoint in JSON: a typing mistake in the browser's console, or
// a bug in the page. One bad message is no reason to end the session.
var ErrMalformed = errors.New("malformed message from the page")

// maxMessage is the largest message a page may send, in bytes: a point in
// JSON is well under 200.
const maxMessage = 4 << 10

// wsPage is a Page on a WebSocket connection.
type wsPage struct {
	conn  *websocket.Conn
	idle  time.Duration // how long a Read waits for the page
	ready sync.Once     // tells the page, at the first Read, that it may draw
}

// newPage wraps an accepted WebSocket connection.
func newPage(conn *websocket.Conn, idle time.Duration) *wsPage {
	conn.SetReadLimit(maxMessage)
	return &wsPage{conn: conn, idle: idle}
}

func (p *wsPage) Read(ctx context.Context) (*drawingpb.StrokePoint, error) {
	// A bridge reads the page once its stream to the server is open: from
	// then on what the user draws can go somewhere, so the page lets them.
	// (If the message cannot be sent, the Read below fails as well.)
	p.ready.Do(func() { p.send(ctx, toPage{Ready: true}) })
	// A page that sends nothing for IdleTimeout is let go (the Read's ctx
	// ending closes the connection).
	readCtx, cancel := context.WithTimeout(ctx, p.idle)
	defer cancel()
	typ, data, err := p.conn.Read(readCtx)
	switch code := websocket.CloseStatus(err); {
	case code == websocket.StatusNormalClosure || code == websocket.StatusGoingAway:
		return nil, io.EOF
	case err != nil && ctx.Err() == nil && errors.Is(readCtx.Err(), context.DeadlineExceeded):
		return nil, status.Errorf(codes.DeadlineExceeded, "the page sent nothing for %v", p.idle)
	case err != nil:
		return nil, err
	case typ != websocket.MessageText:
		return nil, fmt.Errorf("%w: a binary message, want JSON text", ErrMalformed)
	}
	point := &drawingpb.StrokePoint{}
	if err := protojson.Unmarshal(data, point); err != nil {
		return nil, fmt.Errorf("%w: %q is not a StrokePoint: %v", ErrMalformed, truncate(data), err)
	}
	return point, nil
}

// toPage is a message to the page: exactly one of its fields is set.
type toPage struct {
	Point json.RawMessage `json:"point,omitempty"`
	Error *errorLine      `json:"error,omitempty"`
	Ready bool            `json:"ready,omitempty"`
}

// errorLine is what the page's status line shows for an error.
type errorLine struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p *wsPage) Write(ctx context.Context, point *drawingpb.StrokePoint) error {
	data, err := protojson.Marshal(point)
	if err != nil {
		return err
	}
	return p.send(ctx, toPage{Point: data})
}

func (p *wsPage) Report(ctx context.Context, err error) error {
	st := status.Convert(err)
	return p.send(ctx, toPage{Error: &errorLine{Code: st.Code().String(), Message: st.Message()}})
}

func (p *wsPage) send(ctx context.Context, msg toPage) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	// A write that cannot finish within WriteTimeout closes the connection:
	// the page has stopped reading.
	ctx, cancel := context.WithTimeout(ctx, WriteTimeout)
	defer cancel()
	return p.conn.Write(ctx, websocket.MessageText, data)
}

// truncate shortens a bad message for an error text.
func truncate(data []byte) string {
	const max = 60
	if len(data) > max {
		return string(data[:max]) + "…"
	}
	return string(data)
}
