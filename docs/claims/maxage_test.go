package claims

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// A stream that never ends stays on its connection past MaxConnectionAge:
// the GOAWAY only stops new streams. MaxConnectionAgeGrace later (and up to
// a second more, for the client to hang up first), the server closes the
// connection, and the stream ends with Unavailable on the client
// (08-scale-out, task 5). A new stream on the same client still starts: on
// a new connection, as the old one is closed.
func Example_maxConnectionAgeEndsAStreamAfterItsGrace() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		<-s.Context().Done() // a stream that never ends by itself
		return status.FromContextError(s.Context().Err()).Err()
	}}, grpc.KeepaliveParams(keepalive.ServerParameters{
		MaxConnectionAge:      50 * time.Millisecond,
		MaxConnectionAgeGrace: 50 * time.Millisecond,
	}))
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, _ := client.Factorize(ctx)
	_, err := st.Recv()
	fmt.Println("the old stream:", status.Code(err))
	again, _ := client.Factorize(ctx, grpc.WaitForReady(true))
	fmt.Println("a new stream:", again.Send(&factorpb.FactorRequest{Id: 1, Number: 12}))
	// Output:
	// the old stream: Unavailable
	// a new stream: <nil>
}
