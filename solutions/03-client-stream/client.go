package clientstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

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
	// Every way out of this function before CloseAndRecv cancels the call.
	// That is what tells the server "this stream is not complete": a
	// half-close (CloseSend) would instead ask it for a Summary of the
	// samples sent so far.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	stream, err := client.Summarize(ctx)
	if err != nil {
		return nil, err
	}
	words := bufio.NewScanner(input)
	words.Split(bufio.ScanWords)
	for i := 0; words.Scan(); i++ {
		value, err := parseSample(i, words.Text())
		if err != nil {
			return nil, err
		}
		if err := stream.Send(&statspb.Sample{Value: value}); err != nil {
			if errors.Is(err, io.EOF) {
				// The server has ended the call (it rejected a sample, or
				// it stopped): CloseAndRecv below returns its status.
				break
			}
			return nil, err
		}
	}
	if err := words.Err(); err != nil {
		return nil, fmt.Errorf("reading the input: %w", err)
	}
	return stream.CloseAndRecv()
}

// parseSample reads word number i of the input as a sample's value.
func parseSample(i int, word string) (float64, error) {
	value, err := strconv.ParseFloat(word, 64)
	if err != nil {
		reason := "it is not a number"
		if errors.Is(err, strconv.ErrRange) {
			reason = "it is out of the range of a double"
		}
		return 0, status.Errorf(codes.InvalidArgument, "word %d of the input (counting from 0) is %q: %s", i, word, reason)
	}
	return value, nil
}
