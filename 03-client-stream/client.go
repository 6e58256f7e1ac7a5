package clientstream

import (
	"context"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
)

// Summarize streams the numbers in input to the Stats server behind client and
// returns the server's Summary of them. input holds decimal numbers (anything
// strconv.ParseFloat reads, "NaN" and "Inf" included) separated by any
// whitespace: spaces, tabs, newlines, so `seq 1 1000000` will do.
//
// Summarize reads and sends one number at a time, so input can be far larger
// than memory. When input ends it half-closes the stream and waits for the
// one reply (CloseAndRecv). ctx bounds the whole call.
//
// A word of input that is not a number ends the call before anything after it
// is sent: Summarize cancels the call (the server sees Canceled, not the end
// of a complete stream) and returns an InvalidArgument error, made here on the
// client, naming the word and its index among the words, counting from 0 —
// the index the sample would have had. A failure to read input cancels the
// call too, and is returned wrapped. A gRPC error, the server's or one that
// Send made on the client, is returned unchanged, so that status.Code(err)
// reads its code.
func Summarize(ctx context.Context, client statspb.StatsClient, input io.Reader) (*statspb.Summary, error) {
	// TODO(task 4): derive a cancellable context (context.WithCancel, defer
	// cancel()) and open the stream with client.Summarize(ctx). Read words with
	// a bufio.Scanner split by bufio.ScanWords; parse each with
	// strconv.ParseFloat and stream.Send it as a Sample. A word that does not
	// parse: return status.Errorf(codes.InvalidArgument, …) naming the word and
	// its index — without CloseSend, so the deferred cancel ends the call. If
	// Send returns io.EOF the server has already ended the call: stop sending;
	// return any other error from Send as it is. Finally return
	// stream.CloseAndRecv(), which also reports why the server ended the call
	// early. (After the loop, check words.Err(): a read error must not look
	// like the end of the input.)
	return nil, status.Error(codes.Unimplemented, "TODO(task 4): stream the input in 03-client-stream/client.go — see 03-client-stream/README.md")
}
