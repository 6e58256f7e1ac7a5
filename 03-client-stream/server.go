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
// own goroutine, as soon as the call starts: no sample has arrived yet. The
// client ends its input by half-closing its side of the stream, and then gets
// exactly one Summary of every sample it sent. The handler ends the call by
// returning: after that one answer, or with a status error as soon as a
// sample cannot be summarized, whether or not the client has finished.
func (s *Server) Summarize(stream grpc.ClientStreamingServer[statspb.Sample, statspb.Summary]) error {
	// TODO(task 1): at the client's half-close, one Summary of all its samples,
	// in memory that does not grow with the stream; any other end of the stream
	// ends the call with its error. TestTask1_… (grpc.ClientStreamingServer)

	// TODO(task 2): a NaN or ±Inf sample ends the call at once, InvalidArgument
	// naming its index (counting from 0): nothing after it is read.
	// TestTask2_… (math.IsNaN)

	// TODO(task 3): every field of the Summary is a finite number, for an empty
	// stream too; samples whose sum no double holds are refused like a NaN, at
	// the sample that overflows it. TestTask3_…
	return status.Error(codes.Unimplemented, "TODO(task 1): receive the samples in 03-client-stream/server.go — see 03-client-stream/README.md")
}
