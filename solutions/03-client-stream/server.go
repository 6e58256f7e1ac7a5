package clientstream

import (
	"errors"
	"io"
	"math"

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
	var stats running
	for {
		sample, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// The client has half-closed: every sample is in. Answer once.
			return stream.SendAndClose(stats.summary())
		}
		if err != nil {
			// The client cancelled, its deadline passed, or the connection
			// broke: the call is over and nobody is waiting for a Summary.
			return err
		}
		v := sample.GetValue()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// Returning ends the call now: the server reads no further, and
			// the client learns this status from CloseAndRecv.
			return status.Errorf(codes.InvalidArgument, "sample %d (counting from 0) is %v: only finite numbers can be summarized", stats.count, v)
		}
		if math.IsInf(stats.sum+v, 0) {
			// Finite samples can add up to more than a double holds. From
			// here on the sum, and so the mean, would be ±Inf whatever
			// came next: refuse now, as for a sample that is ±Inf itself.
			return status.Errorf(codes.InvalidArgument, "sample %d (counting from 0) is %v: it takes the sum out of the range of a double", stats.count, v)
		}
		stats.add(v)
	}
}

// running holds what Summarize needs to know about the samples so far: four
// numbers, however long the stream. Its zero value describes no samples.
type running struct {
	count         int64
	sum, min, max float64
}

// add takes one more sample into account.
func (r *running) add(v float64) {
	if r.count == 0 {
		// The first sample is both the smallest and the largest so far.
		// Starting min and max at 0 would be wrong for all-positive or
		// all-negative streams; starting them at ±Inf would leak ±Inf into
		// the Summary of an empty stream.
		r.min, r.max = v, v
	}
	r.count++
	r.sum += v
	r.min = min(r.min, v)
	r.max = max(r.max, v)
}

// summary returns the Summary of the samples so far. With no samples every
// field is 0: the mean is not 0/0, which is NaN.
func (r *running) summary() *statspb.Summary {
	s := &statspb.Summary{Count: r.count, Sum: r.sum, Min: r.min, Max: r.max}
	if r.count > 0 {
		s.Mean = r.sum / float64(r.count)
	}
	return s
}
