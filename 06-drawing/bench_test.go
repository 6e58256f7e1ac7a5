package drawing

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/06-drawing/drawingpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The benchmarks run on the solution: go run ./cmd/workshop bench 06.
// Both measure the Mirror stream over real TCP on loopback, next to a raw TCP
// connection that echoes bytes back, measured in the same run: the floor any
// protocol on this machine has to stand on.

// benchStream starts the Server on a loopback port and opens a Mirror stream
// to it whose canvas is already set.
func benchStream(b *testing.B) mirrorStream {
	b.Helper()
	conn := grpctest.StartLoopback(b, func(s *grpc.Server) {
		drawingpb.RegisterDrawingServer(s, &Server{})
	}).Dial(b)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	stream, err := drawingpb.NewDrawingClient(conn).Mirror(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := grpctest.Send(stream, at(1, 1, canvas(800, 500))); err != nil {
		b.Fatalf("sending the first point failed: %v (benchmarks run on the solution: go run ./cmd/workshop bench 06)", err)
	}
	if _, err := stream.Recv(); err != nil {
		b.Fatalf("the first point was not mirrored: %v (benchmarks run on the solution: go run ./cmd/workshop bench 06)", err)
	}
	return stream
}

// benchEcho starts a TCP server on loopback that writes back every byte it
// reads, and returns a connection to it.
func benchEcho(b *testing.B) net.Conn {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lis.Close() })
	go func() {
		conn, err := lis.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		io.Copy(conn, conn)
	}()
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return conn
}

// benchPoint is a point of the size the page sends, and the same number of
// bytes for the raw TCP echo.
func benchPoint(b *testing.B) (*drawingpb.StrokePoint, []byte) {
	p := &drawingpb.StrokePoint{Stroke: 12, X: 345, Y: 234}
	return p, make([]byte, proto.Size(p))
}

// BenchmarkRoundTrip sends one point and waits for its mirror image before
// sending the next (lock-step), then does as many raw TCP ping-pongs of the
// same size, and reports the latency percentiles of both. ns/op is the time
// of one gRPC round trip.
func BenchmarkRoundTrip(b *testing.B) {
	stream, echo := benchStream(b), benchEcho(b)
	point, frame := benchPoint(b)
	var viaGRPC []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := grpctest.Send(stream, point); err != nil {
			b.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			b.Fatal(err)
		}
		viaGRPC = append(viaGRPC, time.Since(start))
	}
	viaTCP := make([]time.Duration, len(viaGRPC))
	for i := range viaTCP {
		start := time.Now()
		if _, err := echo.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(echo, frame); err != nil {
			b.Fatal(err)
		}
		viaTCP[i] = time.Since(start)
	}
	grpc50, grpc99 := percentiles(viaGRPC)
	tcp50, tcp99 := percentiles(viaTCP)
	b.ReportMetric(micros(grpc50), "grpc-p50-µs")
	b.ReportMetric(micros(grpc99), "grpc-p99-µs")
	b.ReportMetric(micros(tcp50), "tcp-p50-µs")
	b.ReportMetric(micros(tcp99), "tcp-p99-µs")
	b.ReportMetric(float64(grpc50)/float64(tcp50), "p50-grpc/tcp")
}

// BenchmarkPipelined sends b.N points without waiting while another goroutine
// receives their images, then pushes the same number of bytes through the raw
// TCP echo the same way, and reports points per second for both.
func BenchmarkPipelined(b *testing.B) {
	stream, echo := benchStream(b), benchEcho(b)
	point, frame := benchPoint(b)

	start := time.Now()
	sent := make(chan error, 1)
	go func() {
		for range b.N {
			if err := stream.Send(point); err != nil {
				// io.EOF: the server ended the stream, and the Recv loop
				// below reports its status. (grpctest.Send would read it
				// here, but only one goroutine may call Recv.)
				if errors.Is(err, io.EOF) {
					err = nil
				}
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for range b.N {
		if _, err := stream.Recv(); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	viaGRPC := time.Since(start)

	start = time.Now()
	go func() {
		for range b.N {
			if _, err := echo.Write(frame); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	back := make([]byte, len(frame)*b.N)
	if _, err := io.ReadFull(echo, back); err != nil {
		b.Fatal(err)
	}
	if err := <-sent; err != nil && !errors.Is(err, net.ErrClosed) {
		b.Fatal(err)
	}
	viaTCP := time.Since(start)

	b.ReportMetric(float64(b.N)/viaGRPC.Seconds(), "grpc-points/s")
	b.ReportMetric(float64(b.N)/viaTCP.Seconds(), "tcp-points/s")
}

// percentiles returns the median and the 99th percentile of ds.
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	return ds[len(ds)*50/100], ds[len(ds)*99/100]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
