package clientstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"

	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
)

// streamOneToN sends the samples 1, 2, …, n on one Summarize call, half-closes
// and returns the reply, checking that it counted all n.
func streamOneToN(ctx context.Context, client statspb.StatsClient, n int) (*statspb.Summary, error) {
	// A gRPC client keeps what it has sent, up to 256 KiB, until the server
	// answers, so that it can retry the call transparently. That holds all of
	// a 10k stream but not a 1M one, and it is not the server's memory: the
	// heap measurements turn it off.
	s, err := client.Summarize(ctx, grpc.MaxRetryRPCBufferSize(0))
	if err != nil {
		return nil, err
	}
	sample := &statspb.Sample{}
	for i := range n {
		sample.Value = float64(i + 1)
		if err := s.Send(sample); err != nil {
			break // io.EOF: the server ended the call; CloseAndRecv says why
		}
	}
	summary, err := s.CloseAndRecv()
	if err == nil && summary.GetCount() != int64(n) {
		err = fmt.Errorf("the Summary counted %d samples, want %d", summary.GetCount(), n)
	}
	return summary, err
}

// heapProbe is a stream interceptor that measures the live heap at the end of
// each stream: when the handler's Recv returns io.EOF it collects garbage and
// records what is still in use, while the handler still holds its state.
type heapProbe struct {
	heapAtEOF atomic.Uint64 // bytes, of the last stream that ended
}

func (p *heapProbe) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, probedStream{ss, p})
}

type probedStream struct {
	grpc.ServerStream
	probe *heapProbe
}

func (s probedStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if errors.Is(err, io.EOF) {
		var mem runtime.MemStats
		runtime.GC() // twice: the first only moves pooled buffers (sync.Pool) aside
		runtime.GC()
		runtime.ReadMemStats(&mem)
		s.probe.heapAtEOF.Store(mem.HeapAlloc)
	}
	return err
}
