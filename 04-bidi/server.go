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
// that status. The client sends FactorRequests until it half-closes its side
// (CloseSend), which Recv reports as io.EOF; each request gets its answer
// with Send before the next one is read.
//
// stream.Context() is done when the client cancels or its deadline passes.
func (s *Server) Factorize(stream grpc.BidiStreamingServer[factorpb.FactorRequest, factorpb.Factorization]) error {
	// TODO(task 5): each id may be used once per stream. Remember the ids
	// seen so far (a map[uint64]bool made before the loop) and end the stream
	// on a repeat with status.Errorf(codes.AlreadyExists, "…") naming the id.

	// TODO(task 1): loop: read a request with stream.Recv(); when it returns
	// io.EOF the client is done sending: return nil (never io.EOF itself);
	// on any other error return that error. Answer each request with
	// factorize(stream.Context(), req) and stream.Send the reply; when Send
	// fails, return its error.
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

	// TODO(task 2): a number below 2 has no prime factors, and it must not
	// end the stream either: set reply.Error to a message saying the number
	// must be at least 2 (fmt.Sprintf, with the number) and return the reply
	// with a nil error.

	// TODO(task 4): a large prime takes seconds to factor; if the client
	// leaves meanwhile, stop. Pass ctx to primes.Factor instead of
	// context.TODO(), and when Factor returns an error (ctx is done) return
	// status.FromContextError(err).Err() instead of a reply.
	factors, _ := primes.Factor(context.TODO(), req.GetNumber())
	reply.Primes = factors
	return reply, nil
}
