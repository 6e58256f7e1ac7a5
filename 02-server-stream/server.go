package serverstream

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
)

// Server implements the Factorizer service of factors.proto.
//
// It embeds factorspb.UnimplementedFactorizerServer by value, as every gRPC
// server type should: an rpc added to the proto later answers Unimplemented
// instead of breaking the build.
type Server struct {
	factorspb.UnimplementedFactorizerServer
}

// PrimeFactors is a server-streaming rpc: one FactorRequest in, any number of
// Factor messages out. gRPC calls it on its own goroutine for every call, and
// the stream lasts exactly as long as this method runs: each stream.Send puts
// one message on the wire at once, and returning ends the stream, with
// status OK if the error is nil (the client's Recv then returns io.EOF) or
// with the status of the error.
//
// stream.Context() is the call's context. It is done when the client cancels
// the call, when the call's deadline passes, or when the client goes away.
// Nothing stops this method for you: it must notice and return.
func (s *Server) PrimeFactors(req *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	n := req.GetNumber()

	// TODO(task 2): a number below 2 has no prime factors. Reject it before
	// searching with status.Error(codes.InvalidArgument, "…") and a message
	// that says which numbers are allowed.

	// Trial division: try every candidate p from 2 up. While p divides n, it
	// is a prime factor (every smaller prime has already been divided out),
	// so divide it out. Once p*p > n (written p <= n/p, which cannot
	// overflow), what is left of n, if more than 1, is the last prime factor.
	for p := int64(2); p <= n/p; p++ {
		// TODO(task 3): for a large prime this loop runs billions of times.
		// Check stream.Context().Err() on each pass and, once it is not nil,
		// return status.FromContextError(err).Err() so the search stops as
		// soon as the client cancels or its deadline passes.
		for n%p == 0 {
			n /= p
			// TODO(task 1): send p to the client right now with
			// stream.Send(&factorspb.Factor{…}); if Send fails, return its error.
		}
	}
	// TODO(task 1): if what is left of n is more than 1, it is the last
	// prime factor: send it too.
	// TODO(task 1): once every factor is sent, return nil to end the stream with OK.
	return status.Error(codes.Unimplemented, "TODO(task 1): send each factor in 02-server-stream/server.go — see 02-server-stream/README.md")
}
