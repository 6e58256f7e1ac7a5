package claims

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// When the client's deadline passes, the client's call ends with
// DeadlineExceeded, and the handler's Recv and context end too: with
// DeadlineExceeded if the server's own timer fired first, with Canceled if
// the client's reset of the stream arrived first. Either is the call's end.
func Example_aDeadlineThatPasses() {
	handlerSaw := make(chan error, 1)
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		s.Recv()
		_, err := s.Recv() // waits for a second message that never comes
		handlerSaw <- s.Context().Err()
		return err
	}})
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	st, _ := client.Factorize(ctx)
	st.Send(&factorpb.FactorRequest{Id: 1, Number: 12})
	_, err := st.Recv()
	fmt.Println("client:", status.Code(err))
	seen := <-handlerSaw
	fmt.Println("handler: Canceled or DeadlineExceeded:",
		errors.Is(seen, context.Canceled) || errors.Is(seen, context.DeadlineExceeded))
	// Output:
	// client: DeadlineExceeded
	// handler: Canceled or DeadlineExceeded: true
}

// Serve returns only once a graceful stop is over: while a call is in
// flight after GracefulStop began, Serve still waits, and it returns nil
// after the handler has returned.
func Example_serveReturnsOnceTheStopIsOver() {
	f := &factorizer{arrived: make(chan struct{}, 1), release: make(chan struct{}), returned: make(chan struct{})}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	factorpb.RegisterFactorizerServer(srv, f)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	conn := dial(lis)
	defer conn.Close()
	answered := callInFlight(factorpb.NewFactorizerClient(conn), f)
	go srv.GracefulStop()
	select {
	case err := <-served:
		fmt.Println("Serve returned while the handler ran:", err)
	case <-time.After(200 * time.Millisecond):
		fmt.Println("Serve waits while the handler runs")
	}
	close(f.release)
	err := <-served
	select {
	case <-f.returned:
		fmt.Println("Serve returned after the handler, with", err)
	default:
		fmt.Println("Serve returned before the handler, with", err)
	}
	<-answered
	// Output:
	// Serve waits while the handler runs
	// Serve returned after the handler, with <nil>
}
