package clientstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/03-client-stream/statspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// BenchmarkSummarize streams 1,000,000 samples per operation to Server over
// an in-memory connection and reports:
//
//   - samples/s: throughput of the client stream, both ends included;
//   - allocs/sample and B/sample: allocation per sample, client and server
//     together (they share this process);
//   - live-heap-10k-B and live-heap-1M-B: the live heap, after a garbage
//     collection, at the moment the server's Recv returns io.EOF — that is,
//     with every sample received and the handler's running state still in
//     use — for a stream of 10,000 samples and for one of 1,000,000;
//   - heap-1M/10k: their ratio, and growth-B/sample: the difference per extra
//     sample. With running values the ratio stays near 1 and the growth near
//     0; a server that kept the samples in a slice would hold 8 to 16 bytes
//     per sample (a slice grows by doubling), 8 MB or more at 1M.
//
// Run it on the solution with `go run ./cmd/workshop bench 03`.
func BenchmarkSummarize(b *testing.B) {
	const small, large = 10_000, 1_000_000
	probe := &heapProbe{}
	conn := grpctest.Connect(b, func(s *grpc.Server) {
		statspb.RegisterStatsServer(s, &Server{})
	}, grpc.StreamInterceptor(probe.intercept))
	client := statspb.NewStatsClient(conn)

	mustStream(b, client, small) // warm up the connection and its buffers
	mustStream(b, client, small) // the baseline, measured in the same run
	smallHeap := probe.heapAtEOF.Load()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		mustStream(b, client, large)
	}
	elapsed := b.Elapsed()
	runtime.ReadMemStats(&after)
	largeHeap := probe.heapAtEOF.Load()

	samples := float64(b.N) * large
	b.ReportMetric(samples/elapsed.Seconds(), "samples/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/samples, "allocs/sample")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/samples, "B/sample")
	b.ReportMetric(float64(smallHeap), "live-heap-10k-B")
	b.ReportMetric(float64(largeHeap), "live-heap-1M-B")
	b.ReportMetric(float64(largeHeap)/float64(smallHeap), "heap-1M/10k")
	b.ReportMetric((float64(largeHeap)-float64(smallHeap))/(large-small), "growth-B/sample")
}

// mustStream streams 1, 2, …, n on one call and fails the benchmark on error.
func mustStream(b *testing.B, client statspb.StatsClient, n int) {
	b.Helper()
	if _, err := streamOneToN(grpctest.Context(b, time.Minute), client, n); err != nil {
		b.Fatalf("Summarize(1, 2, …, %d): %v", n, err)
	}
}

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
	for i := range n {
		// A new message for each Send: gRPC may still use one after Send
		// has returned, so a sent message is never changed.
		if err := grpctest.Send(s, &statspb.Sample{Value: float64(i + 1)}); err != nil {
			return nil, err
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
		s.probe.heapAtEOF.Store(grpctest.LiveHeap())
	}
	return err
}
