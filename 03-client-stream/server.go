package clientstream

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
)

// Server implements the Stats service of stats.proto.
//
// It embeds statspb.UnimplementedStatsServer by value, as every grpc-go
// server must, so that an rpc added to the proto later answers Unimplemented
// instead of breaking the build.
type Server struct {
	statspb.UnimplementedStatsServer
}

// Summarize is a client-streaming rpc. gRPC calls it once per call, on its
// own goroutine, as soon as the call starts: the samples have not arrived yet.
// The handler pulls them one at a time with stream.Recv until Recv returns
// io.EOF, which means the client has half-closed its side (it has nothing more
// to send). Then it answers once with stream.SendAndClose and returns nil.
// Returning a status error instead ends the call at once, whether or not the
// client has finished sending.
func (s *Server) Summarize(stream grpc.ClientStreamingServer[statspb.Sample, statspb.Summary]) error {
	// TODO(task 1): loop on stream.Recv(). Keep running values (count, sum,
	// min, max) and never a slice of the samples: a stream may be endless.
	// When Recv returns io.EOF (compare with errors.Is), answer with
	// stream.SendAndClose(&statspb.Summary{…}) and return its error. Any other
	// error from Recv ends the call: return it as it is.

	// TODO(task 2): reject a sample that is NaN or ±Inf (math.IsNaN,
	// math.IsInf) the moment it arrives: return status.Errorf(
	// codes.InvalidArgument, …) naming its index, counting from 0.

	// TODO(task 3): an empty stream is a valid one: with count 0 the Summary
	// holds 0 in every field. Beware 0/0 (NaN) and a min that starts at +Inf.
	// A sample that takes the sum past a double's range is refused like a NaN.
	return status.Error(codes.Unimplemented, "TODO(task 1): receive the samples in 03-client-stream/server.go — see 03-client-stream/README.md")
}
