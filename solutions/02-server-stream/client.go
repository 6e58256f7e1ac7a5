package serverstream

import (
	"context"
	"errors"
	"io"

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
	// Cancelling this context is how the client ends the call early; the
	// deferred cancel also releases the call's resources on every other path.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	stream, err := client.PrimeFactors(ctx, &factorspb.FactorRequest{Number: number})
	if err != nil {
		return err
	}
	delivered := 0
	for {
		factor, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil // the server ended the stream with OK: that was the last factor
		}
		if err != nil {
			return err
		}
		onFactor(factor.GetPrime())
		delivered++
		if delivered == first {
			return nil // enough: the deferred cancel ends the call, and the server stops searching
		}
	}
}
