package clientstream

import (
	"runtime"
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
