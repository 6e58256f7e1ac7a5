package serve_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// Each limit of limits.go, reached: what the client that meets it gets, and
// what the others still get.

func TestPastMaxCallsACallIsRefused(t *testing.T) {
	g := &stubbornGreeter{arrived: make(chan struct{}, 2), release: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, _ := serveGreeter(t, ctx, g, serve.Config{Grace: time.Second, MaxCalls: 2})
	client := greeterpb.NewGreeterClient(dial(t, addr))
	held := make(chan error, 2)
	for range 2 {
		go func() { _, err := client.SayHello(ctx, &greeterpb.HelloRequest{}); held <- err }()
		<-g.arrived
	}

	_, err := client.SayHello(ctx, &greeterpb.HelloRequest{})
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(status.Convert(err).Message(), "limit") {
		t.Errorf("a third call while two run, with MaxCalls 2, ended with %v; want ResourceExhausted, naming the limit", err)
	}
	close(g.release)
	for range 2 {
		if err := <-held; err != nil {
			t.Errorf("a call within the limit ended with %v, want OK", err)
		}
	}
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{}); err != nil {
		t.Errorf("a call once the others have ended got %v, want OK", err)
	}
}

func TestPastMaxConnectionsAConnectionWaitsForAnotherToClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, _ := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Second, MaxConnections: 1})
	first := dial(t, addr)
	if _, err := greeterpb.NewGreeterClient(first).SayHello(ctx, &greeterpb.HelloRequest{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("the first connection's call got %v, want the Unimplemented of a served call", err)
	}

	second := greeterpb.NewGreeterClient(dial(t, addr))
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := second.SayHello(short, &greeterpb.HelloRequest{})
	cancelShort()
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("with MaxConnections 1 taken, a second connection's call got %v; want it to wait until its deadline", err)
	}
	first.Close()
	if _, err := second.SayHello(ctx, &greeterpb.HelloRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("once the first connection closed, the second's call got %v, want the Unimplemented of a served call", err)
	}
}

func TestAMessageOverMaxMessageInIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, _ := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Second})
	client := greeterpb.NewGreeterClient(dial(t, addr))

	_, err := client.SayHello(ctx, &greeterpb.HelloRequest{Name: strings.Repeat("a", serve.MaxMessageIn)})
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a %d-byte name got %v; want ResourceExhausted (over MaxMessageIn)", serve.MaxMessageIn, err)
	}
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"}); status.Code(err) != codes.Unimplemented {
		t.Errorf("a small call after it got %v, want the Unimplemented of a served call", err)
	}
}

func TestAnIdleConnectionIsClosed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, _ := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Second,
		Keepalive: &keepalive.ServerParameters{Time: time.Hour, MaxConnectionIdle: 100 * time.Millisecond}})
	conn := dial(t, addr)
	greeterpb.NewGreeterClient(conn).SayHello(ctx, &greeterpb.HelloRequest{})
	for conn.GetState() == connectivity.Ready {
		if !conn.WaitForStateChange(ctx, connectivity.Ready) {
			t.Fatal("a connection with no call open stayed ready for 10 s; want it closed after MaxConnectionIdle (100 ms here)")
		}
	}
}

func TestWhenTheListenerFailsServeStopsTheConnectionsItHas(t *testing.T) {
	lis := grpctest.ListenBreakable(t)
	done := make(chan error, 1)
	go func() {
		done <- serve.Serve(context.Background(), lis, serve.Config{Logger: serve.DiscardLogger}, func(s *grpc.Server) {
			greeterpb.RegisterGreeterServer(s, &greeterpb.UnimplementedGreeterServer{})
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := greeterpb.NewGreeterClient(dial(t, lis.Addr().String()))
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("a call got %v, want the Unimplemented of a served call", err)
	}

	lis.Break()
	if err := <-done; err == nil {
		t.Error("Serve returned nil after its listener failed; want the listener's error")
	}
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("after Serve returned, a call on a connection it had accepted got %v; want Unavailable (the server stopped)", err)
	}
}

// rawConn opens a TCP connection to addr that speaks HTTP/2 frames by hand,
// as no gRPC client would.
func rawConn(t *testing.T, addr string) (net.Conn, *http2.Framer) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second)) // every read and write below ends by then
	return conn, http2.NewFramer(conn, conn)
}

func TestAConnectionThatNeverSaysHelloIsClosedAfterHandshake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Second})
	conn, _ := rawConn(t, addr)
	// No HTTP/2 preface: the server may write its own settings, then closes.
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Errorf("a connection that sent nothing was still open after 20 s (%v); want it closed after Handshake (%v)", err, serve.Handshake)
	}
}

func TestAClientThatPingsTooOftenIsSentAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Second})
	conn, framer := rawConn(t, addr)
	if _, err := io.WriteString(conn, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := framer.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	// Pings back to back, far more often than MinClientPing allows.
	for i := range 10 {
		if err := framer.WritePing(false, [8]byte{byte(i)}); err != nil {
			break // the server has hung up already
		}
	}
	for {
		frame, err := framer.ReadFrame()
		if err != nil {
			t.Fatalf("the connection ended (%v) without a GOAWAY; want GOAWAY too_many_pings", err)
		}
		if away, ok := frame.(*http2.GoAwayFrame); ok {
			if away.ErrCode != http2.ErrCodeEnhanceYourCalm || string(away.DebugData()) != "too_many_pings" {
				t.Errorf("GOAWAY %v %q, want ENHANCE_YOUR_CALM \"too_many_pings\"", away.ErrCode, away.DebugData())
			}
			return
		}
	}
}
