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
	f := &factorizer{began: make(chan struct{}, 1), factorize: func(s stream) error {
		s.Recv()
		_, err := s.Recv() // waits for a second message that never comes
		handlerSaw <- s.Context().Err()
		return err
	}}
	client, _, stop := serve(f)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	st := begun(ctx, client, f)
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

// A client that disappears (its connection closes, as when its process
// exits) ends the call for the server: the handler's context is done.
func Example_aClientThatDisappears() {
	handlerSaw := make(chan error, 1)
	f := &factorizer{began: make(chan struct{}, 1), factorize: func(s stream) error {
		<-s.Context().Done()
		handlerSaw <- s.Context().Err()
		return s.Context().Err()
	}}
	conn, _, stop := serveConn(f)
	defer stop()
	begun(context.Background(), factorpb.NewFactorizerClient(conn), f)
	conn.Close() // as the client's process would, on exit
	fmt.Println("the handler's context:", <-handlerSaw)
	// Output:
	// the handler's context: context canceled
}
