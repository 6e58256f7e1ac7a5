package serve_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// stubbornGreeter's SayHello tells arrived that a call came, then waits for
// release, ignoring its context: the handler of a learner who has not yet
// done the task that watches it. If ctxDone is set, it reports there when
// the call's context ends.
type stubbornGreeter struct {
	greeterpb.UnimplementedGreeterServer
	arrived chan struct{}
	release chan struct{}
	ctxDone chan struct{}
}

func (g *stubbornGreeter) SayHello(ctx context.Context, _ *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	g.arrived <- struct{}{}
	if g.ctxDone != nil {
		select {
		case <-ctx.Done():
			close(g.ctxDone)
		case <-g.release:
		}
	}
	<-g.release
	return &greeterpb.HelloReply{}, nil
}

// serveGreeter runs Serve with g and cfg on a loopback port; it returns the
// address and Serve's result channel.
func serveGreeter(t *testing.T, ctx context.Context, g greeterpb.GreeterServer, cfg serve.Config) (string, <-chan error) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = serve.DiscardLogger
	}
	done := make(chan error, 1)
	go func() {
		done <- serve.Serve(ctx, lis, cfg, func(s *grpc.Server) { greeterpb.RegisterGreeterServer(s, g) })
	}()
	return lis.Addr().String(), done
}

func TestAHandlerThatIgnoresItsContextIsNamedNotWaitedFor(t *testing.T) {
	g := &stubbornGreeter{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	defer close(g.release) // lets the handler end after the test, for the leak check
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := serveGreeter(t, ctx, g, serve.Config{Grace: 100 * time.Millisecond})
	conn := dial(t, addr)
	go greeterpb.NewGreeterClient(conn).SayHello(context.Background(), &greeterpb.HelloRequest{})
	<-g.arrived

	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "/workshop.greeter.v1.Greeter/SayHello") {
			t.Errorf("Serve returned %v, want an error naming the handler that did not return", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still waits 10s after its grace period for a handler that ignores its context")
	}
}

func TestAbortEndsTheGracePeriodAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	addr, done := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Grace: time.Hour, Abort: abort})
	conn := dial(t, addr)
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	watch, err := healthpb.NewHealthClient(conn).Watch(watchCtx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil { // the stream is open: a graceful stop would wait for it
		t.Fatal(err)
	}

	cancel()
	close(abort) // the second Ctrl-C
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after an abort, want nil: every handler returned", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still waits 10s after an abort, with an hour of grace left")
	}
}

// rawCodec sends bytes as they are, as a client in another language might:
// here, a request that is not valid protobuf for the method.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { return nil }
func (rawCodec) Name() string                       { return "proto" }

func TestEveryCallIsLoggedAlsoOneRefusedBeforeAnyHandler(t *testing.T) {
	var log grpctest.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := serveGreeter(t, ctx, &greeterpb.UnimplementedGreeterServer{}, serve.Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	conn := dial(t, addr)
	// HelloRequest{name: "\xff"}: field 1, length 1, a byte that is not UTF-8.
	// protobuf-go refuses to decode it, before any interceptor or handler runs.
	notUTF8 := []byte{0x0a, 0x01, 0xff}
	err := conn.Invoke(context.Background(), "/workshop.greeter.v1.Greeter/SayHello", notUTF8, new([]byte), grpc.ForceCodec(rawCodec{}))
	if err == nil {
		t.Fatal("a request that is not valid protobuf was accepted")
	}
	err = conn.Invoke(context.Background(), "/workshop.greeter.v1.Greeter/NoSuchMethod", []byte{}, new([]byte), grpc.ForceCodec(rawCodec{}))
	if err == nil {
		t.Fatal("a call to a method that does not exist succeeded")
	}
	conn.Close()
	cancel()
	<-done
	for _, want := range []string{
		`method=/workshop.greeter.v1.Greeter/SayHello code=Internal`,
		`method=/workshop.greeter.v1.Greeter/NoSuchMethod code=Unimplemented`,
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
}

// freezable is a client connection that can go silent, as a peer does when
// its machine sleeps or its cable is pulled: nothing written arrives and
// nothing more is read, but no FIN or RST is sent either.
type freezable struct {
	net.Conn
	frozen chan struct{}
	once   sync.Once
}

func (f *freezable) freeze() { f.once.Do(func() { close(f.frozen) }) }

func (f *freezable) Write(p []byte) (int, error) {
	select {
	case <-f.frozen:
		return len(p), nil // dropped on the floor
	default:
		return f.Conn.Write(p)
	}
}

func (f *freezable) Read(p []byte) (int, error) {
	n, err := f.Conn.Read(p)
	select {
	case <-f.frozen:
		return 0, io.EOF // what was in flight never arrives
	default:
		return n, err
	}
}

func TestKeepaliveEndsTheCallsOfAClientThatWentSilent(t *testing.T) {
	g := &stubbornGreeter{arrived: make(chan struct{}, 1), release: make(chan struct{}), ctxDone: make(chan struct{})}
	defer close(g.release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveGreeter(t, ctx, g, serve.Config{Grace: time.Second,
		Keepalive: &keepalive.ServerParameters{Time: time.Second, Timeout: time.Second}})

	var conn *freezable
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			conn = &freezable{Conn: c, frozen: make(chan struct{})}
			return conn, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	go greeterpb.NewGreeterClient(cc).SayHello(context.Background(), &greeterpb.HelloRequest{})
	<-g.arrived

	conn.freeze()
	select {
	case <-g.ctxDone:
	case <-time.After(20 * time.Second):
		t.Fatal("20s after its client went silent, the call's context is still alive: keepalive should have closed the connection within about 2s")
	}
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
