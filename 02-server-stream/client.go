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
// If first is more than 0, Factorize stops after the first `first` factors:
// it cancels the call, which tells the server to stop searching, and returns
// nil. Otherwise it reads until the server ends the stream. ctx bounds the
// whole call; give it a deadline.
//
// A failed call returns the gRPC error unchanged, so that the caller can read
// its code with status.Code(err) (InvalidArgument, DeadlineExceeded, …).
func Factorize(ctx context.Context, client factorspb.FactorizerClient, number int64, first int, onFactor func(prime int64)) error {
	// TODO(task 5): to stop after the first `first` factors, make the call
	// with a context you can cancel (context.WithCancel(ctx), defer cancel()),
	// count the factors you deliver, and return nil once you have delivered
	// `first` of them: the deferred cancel ends the call on both sides.

	// TODO(task 4): call client.PrimeFactors, then call Recv on the stream in
	// a loop. Pass each factor's GetPrime() to onFactor as it arrives. Recv
	// returns io.EOF when the server has ended the stream with OK: return nil
	// then. Any other error is the call's status: return it unchanged.
	return status.Error(codes.Unimplemented, "TODO(task 4): receive the factors in 02-server-stream/client.go — see 02-server-stream/README.md")
}
