package serverstream

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
)

// Factorize asks the Factorizer behind client for the prime factors of
// number and calls onFactor with each one as soon as it arrives, in the
// order the server sends them, so a caller can show them live.
//
// If first is more than 0, Factorize returns nil after the first `first`
// factors, and by then the call is over: the server has been told, and stops
// searching. Otherwise it reads until the server ends the stream. ctx bounds
// the whole call; give it a deadline.
//
// A failed call returns the gRPC error unchanged, so that the caller can read
// its code with status.Code(err) (InvalidArgument, DeadlineExceeded, …).
func Factorize(ctx context.Context, client factorspb.FactorizerClient, number int64, first int, onFactor func(prime int64)) error {
	// TODO(task 4): onFactor gets every factor as it arrives, in order; an OK
	// end returns nil, and a failed call returns its status error exactly as
	// it came. TestTask4_… (grpc.ServerStreamingClient)

	// TODO(task 5): with first > 0, Factorize returns nil after `first` factors
	// and leaves no call behind: the server stops searching. TestTask5_…
	// (how a stream ends: the doc of grpc.ClientConn.NewStream)
	return status.Error(codes.Unimplemented, "TODO(task 4): receive the factors in 02-server-stream/client.go — see 02-server-stream/README.md")
}
