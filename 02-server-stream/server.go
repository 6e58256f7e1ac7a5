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
// the stream lasts exactly as long as this method runs: each stream.Send hands
// one message to gRPC, and returning ends the stream, with
// status OK if the error is nil (the client's Recv then returns io.EOF) or
// with the status of the error.
//
// stream.Context() is the call's context. It is done when the client cancels
// the call, when the call's deadline passes, or when the client goes away.
// Nothing stops this method for you: it must notice and return.
func (s *Server) PrimeFactors(req *factorspb.FactorRequest, stream grpc.ServerStreamingServer[factorspb.Factor]) error {
	n := req.GetNumber()

	// TODO(task 2): a number below 2 is refused with InvalidArgument, and a
	// message saying which numbers are allowed, before anything is sent.
	// TestTask2_RejectsNumbersBelowTwo.

	// TODO(task 1): the client gets each factor the moment the search finds it,
	// the last one too, then an OK end; a failed Send ends the call with Send's
	// error. TestTask1_… (grpc.ServerStreamingServer)

	// TODO(task 3): once the call is over (cancelled, past its deadline, client
	// gone), the search stops at once and the stream ends
	// with the matching status. TestTask3_… (stream.Context)

	// Trial division: try every candidate p from 2 up. While p divides n, it
	// is a prime factor (every smaller prime has already been divided out),
	// so divide it out. Once p*p > n (written p <= n/p, which cannot
	// overflow), what is left of n, if more than 1, is the last prime factor.
	for p := int64(2); p <= n/p; p++ {
		for n%p == 0 {
			n /= p
		}
	}
	return status.Error(codes.Unimplemented, "TODO(task 1): send each factor in 02-server-stream/server.go — see 02-server-stream/README.md")
}
