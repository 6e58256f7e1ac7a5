package bidi

import (
	"context"

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
	// TODO(task 1): each request is answered as soon as it arrives; the client's
	// half-close ends the stream with OK, and a stream that breaks ends with its
	// own error. TestTask1_… (grpc.BidiStreamingServer).

	// TODO(task 5): an id not greater than the last one on its stream ends the
	// stream with FailedPrecondition, unanswered; what a stream costs in memory
	// does not grow with its length. TestTask5_…
	return status.Error(codes.Unimplemented, "TODO(task 1): receive, factor and send in a loop in 04-bidi/server.go — see 04-bidi/README.md")
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

	// TODO(task 2): a number below 2 gets a reply whose Error says it must be at
	// least 2, and the stream goes on. TestTask2_InBandErrorForNumbersBelowTwo.

	// TODO(task 4): once ctx is done, factoring stops, even halfway through a
	// large prime, and ctx's status is returned instead of a reply. TestTask4_Handler…
	factors, _ := primes.Factor(context.TODO(), req.GetNumber())
	reply.Primes = factors
	return reply, nil
}
