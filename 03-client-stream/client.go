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
// whitespace: spaces, tabs, newlines, so `seq 1 1000000` will do. It may be
// far larger than memory, or endless: each number goes to the server as soon
// as it is read. ctx bounds the whole call.
//
// Only the end of input tells the server that it has every number. A word
// that is not a number ends the call before anything after it is sent, and
// so does a failure to read input; the server must not take the numbers
// before it for the whole input. Summarize then returns an InvalidArgument
// error, made here on the client, naming the word and its index among the
// words, counting from 0 — the index the sample would have had — or the read
// error, wrapped. A gRPC error, the server's or one that Send made on the
// client, is returned unchanged, so that status.Code(err) reads its code.
func Summarize(ctx context.Context, client statspb.StatsClient, input io.Reader) (*statspb.Summary, error) {
	// TODO(task 4): each number of input reaches the server as soon as it is
	// read, and the caller gets the server's Summary, or a gRPC error exactly as
	// it came. TestTask4_… (bufio.Scanner)

	// TODO(task 5): whichever way the call ends, it does end, the server never
	// takes part of the input for all of it, and nothing is sent once the call
	// is over. TestTask5_…
	return nil, status.Error(codes.Unimplemented, "TODO(task 4): stream the input in 03-client-stream/client.go — see 03-client-stream/README.md")
}
