package drawing

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/06-drawing/web"
)

// Bridge is a client of the bidi Mirror rpc. It connects one browser page to
// one Mirror stream for the whole session: the points the user draws go to
// the server, and the images the server sends back are drawn on the page, the
// two directions flowing at once. (A browser cannot open a gRPC stream
// itself; the page talks to this Go client over a WebSocket.)
//
// The session ends in one of four ways, and Bridge returns when it has:
//
//   - the page closes (page.Read returns io.EOF): the server learns that no
//     more points come, still sends every image due, and ends the stream
//     with OK; all of them are drawn, and Bridge returns nil;
//   - the server ends the stream: its status is shown on the page's status
//     line, and Bridge returns it as it came (nil for OK);
//   - the page breaks (a Read or Write fails): the stream is cancelled, and
//     Bridge returns the page's error;
//   - ctx is done: the stream is cancelled.
//
// When Bridge returns, nothing it started is still running. A malformed
// message from the page (web.ErrMalformed) is no end: it is the page's bug,
// not the stream's, so it is shown on the status line as InvalidArgument and
// the session goes on.
func Bridge(ctx context.Context, page web.Page, client drawingpb.DrawingClient) error {
	// TODO(task 3): points flow both ways at once, and each of the four ends
	// above ends the whole session: stream over, nothing left running, Bridge
	// returned. TestTask3_… (golang.org/x/sync/errgroup)

	// TODO(task 3): a malformed page message (web.ErrMalformed) shows as
	// InvalidArgument on the status line, and the session goes on.
	// TestTask3_MalformedMessageIsReportedAndTheStreamLives.
	return status.Error(codes.Unimplemented, "TODO(task 3): bridge the page and the stream in 06-drawing/bridge.go — see 06-drawing/README.md")
}
