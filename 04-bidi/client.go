package bidi

import (
	"context"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// Factorize runs one Factorize stream: it reads numbers from in, one per
// line, sends each the moment it is read, and prints each answer to out the
// moment it arrives. A line that is not a number is reported on out and
// skipped; the stream goes on.
//
// The two directions overlap: the answer to the first number is printed
// while the user is still typing the second. At the end of in, the server
// learns that no more numbers come, and Factorize returns nil once the
// server has answered everything and ended the stream with OK.
//
// It returns early when the server ends the stream (with its status, or nil
// for OK) or when ctx is done (Canceled, DeadlineExceeded: the server sees
// the stream cancelled), even while the input is still open. When it
// returns, the stream and every goroutine of its own have ended (the
// console.Lines reader ends at the next line: a Read cannot be interrupted).
func Factorize(ctx context.Context, client factorpb.FactorizerClient, in io.Reader, out io.Writer) error {
	// TODO(task 3): numbers go out as they are typed, ids from 1 up, while answers
	// are printed as they arrive; at the end of input every answer still comes, and
	// a failed call returns the server's status. TestTask3_… (grpc.ClientStream)

	// TODO(task 4): Factorize returns, leaving nothing running, when ctx is done or
	// the server ends the stream, however it ends it. TestTask4_Stops…
	return status.Error(codes.Unimplemented, "TODO(task 3): send and receive at the same time in 04-bidi/client.go — see 04-bidi/README.md")
}
