// Package claims demonstrates, one example each (a test, for the one that
// measures memory), what the workshop's prose says about how grpc-go
// behaves. `go test ./docs/claims` runs them, and so
// does `workshop verify`: an upgrade of grpc-go that changes a behaviour
// turns CI red instead of leaving a false sentence behind. The prose links
// here.
//
// Each example runs a Factorizer (04-bidi's service), or 01's Greeter, in
// memory, with the handler the example needs.
package claims

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

type stream = grpc.BidiStreamingServer[factorpb.FactorRequest, factorpb.Factorization]

// factorizer answers FactorOne at once, unless it is held: then a call waits
// for release; its Factorize is the example's own.
type factorizer struct {
	factorpb.UnimplementedFactorizerServer
	factorize func(stream) error
	began     chan struct{} // Factorize says here that a stream reached its handler;
	arrived   chan struct{} // FactorOne says here that it has started,
	release   chan struct{} // then waits for this to close,
	returned  chan struct{} // and closes this as it returns.
}

func (f *factorizer) Factorize(s stream) error {
	if f.began != nil {
		f.began <- struct{}{}
	}
	return f.factorize(s)
}

// begun opens a Factorize stream on client and returns it once its handler
// runs: a client's Send returns before the server has anything, so a cancel
// or a stop right after it could come before the stream reached the server.
func begun(ctx context.Context, client factorpb.FactorizerClient, f *factorizer) grpc.BidiStreamingClient[factorpb.FactorRequest, factorpb.Factorization] {
	st, _ := client.Factorize(ctx)
	st.Send(&factorpb.FactorRequest{Id: 1, Number: 12})
	<-f.began
	return st
}

func (f *factorizer) FactorOne(ctx context.Context, req *factorpb.FactorRequest) (*factorpb.Factorization, error) {
	if f.returned != nil {
		defer close(f.returned)
	}
	if f.arrived != nil {
		f.arrived <- struct{}{}
		<-f.release
	}
	return &factorpb.Factorization{Id: req.GetId(), Number: req.GetNumber()}, nil
}

// serve runs f over an in-memory connection and returns a client for it and
// the server; stop ends both.
func serve(f *factorizer, opts ...grpc.ServerOption) (client factorpb.FactorizerClient, srv *grpc.Server, stop func()) {
	conn, srv, stop := serveConn(f, opts...)
	return factorpb.NewFactorizerClient(conn), srv, stop
}

// serveConn is serve, for an example that needs the connection itself: to
// close it, or to make a client of another service on it.
func serveConn(f *factorizer, opts ...grpc.ServerOption) (conn *grpc.ClientConn, srv *grpc.Server, stop func()) {
	lis := bufconn.Listen(1 << 20)
	srv = grpc.NewServer(opts...)
	factorpb.RegisterFactorizerServer(srv, f)
	go srv.Serve(lis)
	conn = dial(lis)
	return conn, srv, func() { conn.Close(); srv.Stop() }
}

// dial returns a client connection to lis, in memory.
func dial(lis *bufconn.Listener) *grpc.ClientConn {
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	return conn
}

// callInFlight starts a FactorOne call and returns once its handler (f's,
// which waits for f.release) has started; the call's error comes on the
// channel returned.
func callInFlight(client factorpb.FactorizerClient, f *factorizer) <-chan error {
	answered := make(chan error, 1)
	go func() {
		_, err := client.FactorOne(context.Background(), &factorpb.FactorRequest{Id: 1, Number: 12})
		answered <- err
	}()
	<-f.arrived
	return answered
}

// Wrapping a status error with %w keeps its code (status.Code unwraps it with
// errors.As) and makes the message yours; %v keeps only the text, and the
// code is Unknown.
func Example_wrappingAStatusError() {
	err := status.Error(codes.NotFound, "no such user")
	fmt.Println(status.Code(fmt.Errorf("lookup: %w", err)))
	fmt.Println(status.Convert(fmt.Errorf("lookup: %w", err)).Message())
	fmt.Println(status.Code(fmt.Errorf("lookup: %v", err)))
	// Output:
	// NotFound
	// lookup: rpc error: code = NotFound desc = no such user
	// Unknown
}

// A handler's return is the end of the stream: nil reaches the client's Recv
// as io.EOF, an error as its status.
func Example_returningEndsTheStream() {
	for _, end := range []error{nil, status.Error(codes.FailedPrecondition, "ids must increase")} {
		client, _, stop := serve(&factorizer{factorize: func(s stream) error { return end }})
		st, _ := client.Factorize(context.Background())
		_, err := st.Recv()
		if errors.Is(err, io.EOF) {
			fmt.Println("Recv: io.EOF")
		} else {
			fmt.Println("Recv:", status.Code(err))
		}
		stop()
	}
	// Output:
	// Recv: io.EOF
	// Recv: FailedPrecondition
}

// Send does not wait for the client to receive: a handler sends and returns
// while the client has read nothing, and every message still arrives, then
// the end.
func Example_sendDoesNotWaitForTheReader() {
	returned := make(chan error, 1)
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		for i := range 3 {
			if err := s.Send(&factorpb.Factorization{Id: uint64(i + 1)}); err != nil {
				returned <- err
				return err
			}
		}
		returned <- nil
		return nil
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	fmt.Println("the handler returned:", <-returned) // before any Recv
	for {
		reply, err := st.Recv()
		if err != nil {
			fmt.Println("then:", err)
			break
		}
		fmt.Println("received", reply.GetId())
	}
	// Output:
	// the handler returned: <nil>
	// received 1
	// received 2
	// received 3
	// then: EOF
}

// CloseSend ends only the client's direction: the server's Recv returns
// io.EOF after the last message, and the client still receives what the
// server sends afterwards.
func Example_closeSendIsAHalfClose() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		n := 0
		for {
			_, err := s.Recv()
			if errors.Is(err, io.EOF) {
				return s.Send(&factorpb.Factorization{Error: fmt.Sprintf("%d received, then io.EOF", n)})
			}
			if err != nil {
				return err
			}
			n++
		}
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	st.Send(&factorpb.FactorRequest{Id: 1, Number: 12})
	st.Send(&factorpb.FactorRequest{Id: 2, Number: 97})
	st.CloseSend()
	reply, err := st.Recv()
	fmt.Println(reply.GetError(), err)
	// Output:
	// 2 received, then io.EOF <nil>
}

// A call the client cancels ends with Canceled on its side; on the server,
// the handler's Recv returns Canceled (already a status: return it as it
// is) and its context is done: the handler must notice and return.
func Example_aCancelledCall() {
	handlerSaw := make(chan string, 1)
	f := &factorizer{began: make(chan struct{}, 1), factorize: func(s stream) error {
		s.Recv()
		_, err := s.Recv() // waits for a second message that never comes
		_, isStatus := status.FromError(err)
		handlerSaw <- fmt.Sprintf("Recv %v (a status: %v), its context %v", status.Code(err), isStatus, s.Context().Err())
		return err
	}}
	client, _, stop := serve(f)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	st := begun(ctx, client, f)
	cancel()
	_, err := st.Recv()
	fmt.Println("client:", status.Code(err))
	fmt.Println("handler:", <-handlerSaw)
	// Output:
	// client: Canceled
	// handler: Recv Canceled (a status: true), its context context canceled
}

// The server's status ends both directions: once the handler has returned,
// the client's Send fails with a bare io.EOF (earlier Sends may still have
// succeeded, their messages dropped), and Recv gives the status.
func Example_theServersStatusEndsBothDirections() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		s.Recv()
		return status.Error(codes.FailedPrecondition, "enough")
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	var err error
	for i := uint64(1); err == nil && i < 1_000_000; i++ {
		err = st.Send(&factorpb.FactorRequest{Id: i, Number: 12})
	}
	fmt.Println("Send:", err)
	_, err = st.Recv()
	fmt.Println("Recv:", status.Code(err))
	// Output:
	// Send: EOF
	// Recv: FailedPrecondition
}

// GracefulStop waits for the calls in flight: it returns only after their
// handlers have returned, and the call it waited for ends OK. (The client may
// read that OK just before or just after GracefulStop returns.)
func Example_gracefulStopWaitsForCallsInFlight() {
	f := &factorizer{arrived: make(chan struct{}, 1), release: make(chan struct{}), returned: make(chan struct{})}
	client, srv, stop := serve(f)
	defer stop()
	answered := callInFlight(client, f)
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
		fmt.Println("GracefulStop returned while the handler was running")
	case <-time.After(100 * time.Millisecond):
		fmt.Println("GracefulStop is waiting for the handler")
	}
	close(f.release)
	<-stopped
	select {
	case <-f.returned:
		fmt.Println("GracefulStop returned after the handler did")
	default:
		fmt.Println("GracefulStop returned before the handler did")
	}
	fmt.Println("the call ended:", status.Code(<-answered))
	// Output:
	// GracefulStop is waiting for the handler
	// GracefulStop returned after the handler did
	// the call ended: OK
}

// Past MaxConcurrentStreams, a new stream waits in the client for a free
// slot: while the connection's one stream is open, a second cannot start
// (here its deadline passes first); once the first has ended, it can.
func Example_aStreamOverMaxConcurrentStreamsWaits() {
	end := make(chan struct{})
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		<-end
		return nil
	}}, grpc.MaxConcurrentStreams(1))
	defer stop()
	one, _ := client.Factorize(context.Background())
	one.Send(&factorpb.FactorRequest{Id: 1, Number: 12})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := client.Factorize(ctx)
	cancel()
	fmt.Println("while the first is open:", status.Code(err))

	close(end)
	one.Recv() // the first stream has ended
	two, err := client.Factorize(context.Background())
	fmt.Println("once it has ended:", status.Code(err))
	two.CloseSend()
	two.Recv()
	// Output:
	// while the first is open: DeadlineExceeded
	// once it has ended: OK
}

// A handler must never return io.EOF: the client gets Unknown, "EOF".
func Example_aHandlerThatReturnsIOEOF() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error { return io.EOF }})
	defer stop()
	st, _ := client.Factorize(context.Background())
	_, err := st.Recv()
	fmt.Println(status.Code(err), status.Convert(err).Message())
	// Output:
	// Unknown EOF
}

// What the handler sent before its error reaches the client's Recv first,
// in order; the status comes last.
func Example_messagesBeforeTheStatusArrive() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		s.Send(&factorpb.Factorization{Id: 1})
		s.Send(&factorpb.Factorization{Id: 2})
		return status.Error(codes.InvalidArgument, "id 3 is bad")
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	for {
		reply, err := st.Recv()
		if err != nil {
			fmt.Println(status.Code(err))
			break
		}
		fmt.Println("reply", reply.GetId())
	}
	// Output:
	// reply 1
	// reply 2
	// InvalidArgument
}

// A string field that is not valid UTF-8 cannot be marshalled: the call
// fails on the client with Internal, and no request reaches the handler.
func Example_aStringThatIsNotUTF8() {
	client, g, stop := serveGreeter()
	defer stop()
	_, err := client.SayHello(context.Background(), &greeterpb.HelloRequest{Name: "Ad\xffa"})
	fmt.Println(status.Code(err), "—", status.Convert(err).Message())
	fmt.Println("calls that reached the handler:", g.calls.Load())
	// Output:
	// Internal — grpc: error while marshaling: string field contains invalid UTF-8
	// calls that reached the handler: 0
}

// serveGreeter runs a greeter over an in-memory connection and returns a
// client for it and the greeter; stop ends both.
func serveGreeter(opts ...grpc.ServerOption) (client greeterpb.GreeterClient, g *greeter, stop func()) {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(opts...)
	g = &greeter{}
	greeterpb.RegisterGreeterServer(srv, g)
	go srv.Serve(lis)
	conn := dial(lis)
	return greeterpb.NewGreeterClient(conn), g, func() { conn.Close(); srv.Stop() }
}

// greeter counts the calls that reach it.
type greeter struct {
	greeterpb.UnimplementedGreeterServer
	calls atomic.Int32
}

func (g *greeter) SayHello(context.Context, *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	g.calls.Add(1)
	return &greeterpb.HelloReply{}, nil
}

// When the handler returns, its stream's context is done: whatever of the
// handler's still waits on that context (a reader, a writer) is woken.
func Example_returningEndsTheStreamsContext() {
	woken := make(chan error, 1)
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		go func() {
			<-s.Context().Done()
			woken <- s.Context().Err()
		}()
		return status.Error(codes.Aborted, "done")
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	_, err := st.Recv()
	fmt.Println("client:", status.Code(err))
	fmt.Println("the handler's goroutine woke with:", <-woken)
	// Output:
	// client: Aborted
	// the handler's goroutine woke with: context canceled
}

// GracefulStop waits for open streams too, however idle: it returns only
// once they have ended (here by Stop).
func Example_gracefulStopWaitsForAnIdleStream() {
	f := &factorizer{began: make(chan struct{}, 1), factorize: func(s stream) error {
		<-s.Context().Done()
		return s.Context().Err()
	}}
	client, srv, stop := serve(f)
	defer stop()
	begun(context.Background(), client, f) // the stream is open
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
		fmt.Println("GracefulStop returned with the stream open")
	case <-time.After(200 * time.Millisecond):
		fmt.Println("GracefulStop still waits for the open stream")
	}
	srv.Stop() // cuts the stream off
	<-stopped
	fmt.Println("after Stop, GracefulStop has returned")
	// Output:
	// GracefulStop still waits for the open stream
	// after Stop, GracefulStop has returned
}

// A stop that comes before Serve makes Serve return grpc.ErrServerStopped:
// the stop that was asked for, not a failure of the listener.
func Example_aStopBeforeServe() {
	srv := grpc.NewServer()
	srv.GracefulStop()
	lis := bufconn.Listen(1 << 10)
	fmt.Println(errors.Is(srv.Serve(lis), grpc.ErrServerStopped))
	// Output:
	// true
}

// Stop closes every connection at once: a call in flight fails with
// Unavailable, and its handler's context ends.
func Example_stopEndsTheCallsInFlight() {
	f := &factorizer{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	client, srv, stop := serve(f)
	defer stop()
	answered := callInFlight(client, f)
	go srv.Stop()
	fmt.Println("the call ended:", status.Code(<-answered))
	close(f.release)
	// Output:
	// the call ended: Unavailable
}
