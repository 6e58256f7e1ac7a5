package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/primes"
)

// Server implements the Factorizer service of factor.proto.
//
// It embeds factorpb.UnimplementedFactorizerServer by value, as grpc-go
// requires, so that an rpc added to the proto later answers Unimplemented
// instead of breaking the build.
type Server struct {
	factorpb.UnimplementedFactorizerServer
}

// Factorize is a bidirectional-streaming rpc. gRPC calls it once per stream,
// on a goroutine of its own, and the stream lives as long as this method
// runs: returning nil ends it with OK, returning a status error ends it with
// that status. The client sends FactorRequests until it half-closes its side;
// each request is answered, in the order they came, before the next is read.
// The ids of a stream start at 1 and increase (factor.proto).
//
// stream.Context() is done when the client cancels or its deadline passes.
func (s *Server) Factorize(stream grpc.BidiStreamingServer[factorpb.FactorRequest, factorpb.Factorization]) error {
	// The ids of a stream increase, so the last one is all there is to keep
	// of them: one number, however long the stream runs. It starts at 0,
	// which no id is greater than: the first id is 1 or more.
	var last uint64
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// The client has sent its last request and each one is answered:
			// returning nil ends the stream with OK, and the client's Recv
			// then returns io.EOF. Never return io.EOF itself: gRPC would
			// send it as an Unknown error.
			return nil
		}
		if err != nil {
			// The stream broke: typically the client cancelled. Recv's
			// error is already a status (Canceled, DeadlineExceeded); pass it on.
			return err
		}

		// Checked before factoring: a request that breaks the rule gets no
		// answer, only the end of the stream.
		if req.GetId() <= last {
			return status.Errorf(codes.FailedPrecondition, "id %d must be greater than %d: the ids of a stream start at 1 and increase", req.GetId(), last)
		}
		last = req.GetId()

		reply, err := factorize(stream.Context(), req)
		if err != nil {
			return err
		}
		if err := stream.Send(reply); err != nil {
			return err
		}
	}
}

// FactorOne is a unary rpc that answers one request exactly as Factorize
// answers it on a stream. It is the baseline of the step's benchmark.
func (s *Server) FactorOne(ctx context.Context, req *factorpb.FactorRequest) (*factorpb.Factorization, error) {
	return factorize(ctx, req)
}

// factorize answers one request. A number below 2 gets an answer too: one
// whose Error says why, an in-band error that leaves the stream open. The
// returned error is only for a request nobody is waiting for any more:
// ctx is done, and factorize returns its status (Canceled or DeadlineExceeded).
func factorize(ctx context.Context, req *factorpb.FactorRequest) (*factorpb.Factorization, error) {
	reply := &factorpb.Factorization{Id: req.GetId(), Number: req.GetNumber()}
	if req.GetNumber() < 2 {
		reply.Error = fmt.Sprintf("number must be at least 2, got %d", req.GetNumber())
		return reply, nil
	}
	factors, err := primes.Factor(ctx, req.GetNumber())
	if err != nil {
		return nil, status.FromContextError(err).Err()
	}
	reply.Primes = factors
	return reply, nil
}
