package claims

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// bulk is how many replies sendsInBulk sends a stream: of about 36 KiB
// each, 36 MiB in all, far more than any window holds.
const bulk = 1024

// sendsInBulk is a Factorize handler that answers the stream's first
// request with bulk replies, counting in sent those it sends for request 1.
func sendsInBulk(sent *atomic.Int64) func(stream) error {
	primes := make([]int64, 4000)
	for i := range primes {
		primes[i] = math.MaxInt64
	}
	return func(s stream) error {
		req, err := s.Recv()
		if err != nil {
			return err
		}
		for range bulk {
			if err := s.Send(&factorpb.Factorization{Id: req.GetId(), Primes: primes}); err != nil {
				return err
			}
			if req.GetId() == 1 {
				sent.Add(1)
			}
		}
		return nil
	}
}

// receiveAll reads st to its end and returns how many replies came.
func receiveAll(st grpc.BidiStreamingClient[factorpb.FactorRequest, factorpb.Factorization]) int {
	received := 0
	for {
		if _, err := st.Recv(); err != nil {
			return received
		}
		received++
	}
}

// Send blocks once the stream's flow-control window (and the transport's
// buffers) are full: a handler sending to a client that reads nothing stops
// well short of all it means to send, and goes on as the client reads.
func Example_sendBlocksWhenTheReaderStops() {
	var sent atomic.Int64
	client, _, stop := serve(&factorizer{factorize: sendsInBulk(&sent)})
	defer stop()
	st, _ := client.Factorize(context.Background())
	st.Send(&factorpb.FactorRequest{Id: 1, Number: 12})
	// The client reads nothing meanwhile; wait until the count stands still.
	fmt.Println("sent before the client read, fewer than all:", stopsGrowing(&sent) < bulk)
	fmt.Println("received in the end:", receiveAll(st))
	// Output:
	// sent before the client read, fewer than all: true
	// received in the end: 1024
}

// A handler that stops calling Recv frees no room in its stream's window:
// the client's Send blocks once that flow-control window (and the
// transport's buffers) are full, and goes on when the handler reads again.
func Example_clientSendBlocksWhenTheHandlerStopsReading() {
	const messages = 1 << 16 // about 0.7 MiB of requests in all
	read := make(chan struct{})
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		<-read // reads nothing until told
		for {
			if _, err := s.Recv(); err != nil {
				return nil
			}
		}
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	var sent atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range uint64(messages) {
			if st.Send(&factorpb.FactorRequest{Id: i + 1, Number: 12}) != nil {
				return
			}
			sent.Add(1)
		}
		st.CloseSend()
	}()
	fmt.Println("sent while the handler reads nothing, fewer than all:", stopsGrowing(&sent) < messages)
	close(read)
	<-done
	fmt.Println("sent once it reads:", sent.Load())
	// Output:
	// sent while the handler reads nothing, fewer than all: true
	// sent once it reads: 65536
}

// A stream whose reader stops holds up only itself: grpc-go gives the
// connection's window back as data arrives, whoever reads it, so another
// stream on the same connection still carries all it has to.
func Example_aStuckStreamDoesNotHoldUpItsNeighbours() {
	var sent atomic.Int64
	client, _, stop := serve(&factorizer{factorize: sendsInBulk(&sent)})
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stuck, _ := client.Factorize(ctx)
	stuck.Send(&factorpb.FactorRequest{Id: 1, Number: 12}) // and never read
	fmt.Println("the first stream's handler is blocked, short of all:", stopsGrowing(&sent) < bulk)
	other, _ := client.Factorize(ctx)
	other.Send(&factorpb.FactorRequest{Id: 2, Number: 12})
	fmt.Println("the second stream, on the same connection, received:", receiveAll(other))
	// Output:
	// the first stream's handler is blocked, short of all: true
	// the second stream, on the same connection, received: 1024
}

// stopsGrowing returns n once it has stayed the same for 200 ms: a sender
// that does so while a Send takes microseconds is blocked, not slow.
func stopsGrowing(n *atomic.Int64) int64 {
	last := n.Load()
	for {
		time.Sleep(200 * time.Millisecond)
		now := n.Load()
		if now == last {
			return now
		}
		last = now
	}
}
