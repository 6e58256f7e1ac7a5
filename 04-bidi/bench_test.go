package bidi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// batchSize is how many numbers each way factors per benchmark iteration.
const batchSize = 1000

// BenchmarkUnaryVsBidi factors the same batch of small numbers three ways,
// one after the other in every iteration, so that all three see the same
// machine at the same moment, and reports each as calls/s (numbers
// answered per second) and the two streams' speed-ups over unary:
//
//	(a) unary:     one FactorOne call per number, each a full round trip;
//	(b) lockstep:  one Factorize stream, send a number, wait for its answer, send the next;
//	(c) pipelined: one Factorize stream, a goroutine sends every number while
//	               the caller receives the answers as they come.
//
// The numbers are small on purpose: factoring them takes a few hundred
// nanoseconds, so what is measured is the cost of the calls around them.
// ns/op is suppressed: an op is all three ways, which means nothing.
//
//	go run ./cmd/workshop bench 04
func BenchmarkUnaryVsBidi(b *testing.B) {
	conn := grpctest.Connect(b, func(s *grpc.Server) { factorpb.RegisterFactorizerServer(s, &Server{}) })
	client := factorpb.NewFactorizerClient(conn)
	ctx := context.Background()
	numbers := make([]int64, batchSize)
	for i := range numbers {
		numbers[i] = int64(1000 + i)
	}

	ways := []struct {
		name string
		run  func(context.Context, factorpb.FactorizerClient, []int64) error
		took time.Duration
	}{
		{name: "unary", run: viaUnary},
		{name: "lockstep", run: viaLockstep},
		{name: "pipelined", run: viaPipeline},
	}
	iterations := 0
	for b.Loop() {
		for i := range ways {
			start := time.Now()
			if err := ways[i].run(ctx, client, numbers); err != nil {
				b.Fatalf("%s: %v", ways[i].name, err)
			}
			ways[i].took += time.Since(start)
		}
		iterations++
	}

	calls := float64(iterations * batchSize)
	rate := map[string]float64{}
	for _, w := range ways {
		rate[w.name] = calls / w.took.Seconds()
		b.ReportMetric(rate[w.name], w.name+"-calls/s")
	}
	b.ReportMetric(rate["lockstep"]/rate["unary"], "lockstep/unary")
	b.ReportMetric(rate["pipelined"]/rate["unary"], "pipelined/unary")
	b.ReportMetric(0, "ns/op")
}

// viaUnary makes one FactorOne call per number: every number pays a whole
// round trip, plus the setting up and tearing down of a call.
func viaUnary(ctx context.Context, client factorpb.FactorizerClient, numbers []int64) error {
	for i, n := range numbers {
		if _, err := client.FactorOne(ctx, &factorpb.FactorRequest{Id: uint64(i + 1), Number: n}); err != nil {
			return err
		}
	}
	return nil
}

// viaLockstep sends each number on one stream and waits for its answer
// before sending the next: no call set-up per number, but still one round
// trip each.
func viaLockstep(ctx context.Context, client factorpb.FactorizerClient, numbers []int64) error {
	stream, err := client.Factorize(ctx)
	if err != nil {
		return err
	}
	for i, n := range numbers {
		if err := grpctest.Send(stream, &factorpb.FactorRequest{Id: uint64(i + 1), Number: n}); err != nil {
			return err
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	return drain(stream, 0)
}

// viaPipeline sends every number from one goroutine while this one
// receives: requests and answers are in flight at the same time, and no
// message waits for a round trip.
func viaPipeline(ctx context.Context, client factorpb.FactorizerClient, numbers []int64) error {
	stream, err := client.Factorize(ctx)
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() {
		for i, n := range numbers {
			if err := stream.Send(&factorpb.FactorRequest{Id: uint64(i + 1), Number: n}); err != nil {
				// The stream is over, and Send says no more than io.EOF:
				// drain's Recv, on the other goroutine, returns the status.
				// (grpctest.Send, which would read it, must not: only one
				// goroutine may receive.)
				sent <- nil
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	if err := drain(stream, len(numbers)); err != nil {
		return err
	}
	return <-sent
}

// drain receives want answers and then the end of the stream (io.EOF).
func drain(stream rawStream, want int) error {
	got := 0
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if got != want {
				return fmt.Errorf("got %d answers, want %d", got, want)
			}
			return nil
		}
		if err != nil {
			return err
		}
		got++
	}
}
