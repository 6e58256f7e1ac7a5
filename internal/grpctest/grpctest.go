// Package grpctest is the test harness every step shares: it starts the step's
// server in memory (over bufconn, so no ports and no network), hands the test a
// connected client, and checks when the test ends that no goroutine was left
// behind: a handler or client loop that never returns is a bug, and this is
// where it shows.
package grpctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
	"github.com/grpc-streaming-workshop/workshop/internal/tasks"
)

// Server is a step's server running for one test.
type Server struct {
	// GRPC is the running server; a test may stop it to see how streams end.
	GRPC *grpc.Server
	lis  net.Listener
}

// Start runs the server every step's cmd/server runs (internal/serve, with
// its limits), with the services register adds, in memory, and stops it when
// the test ends. It also checks, after everything else is
// cleaned up, that no goroutine started during the test is still running
// (so a test that uses it must not call t.Parallel).
func Start(t testing.TB, register func(*grpc.Server), opts ...grpc.ServerOption) *Server {
	t.Helper()
	return start(t, bufconn.Listen(1<<20), register, opts...)
}

// StartLoopback is Start on a free TCP port of 127.0.0.1, for what needs a
// real network address (a benchmark against raw TCP, a browser).
func StartLoopback(t testing.TB, register func(*grpc.Server), opts ...grpc.ServerOption) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	return start(t, lis, register, opts...)
}

// handlerGrace is how long a stopped server waits for its handlers to return
// before the test fails: every stream's context is cancelled by then, so a
// handler still running is one that does not watch it.
var handlerGrace = 10 * time.Second

func start(t testing.TB, lis net.Listener, register func(*grpc.Server), opts ...grpc.ServerOption) *Server {
	t.Helper()
	CheckNoLeaks(t)
	// The server every step's cmd/server runs, with its limits; its log
	// lines are written and dropped.
	s := serve.New(serve.Config{Logger: serve.DiscardLogger}, register, append([]grpc.ServerOption{
		// A panic in a handler fails the test that made the call, instead
		// of killing the test binary and every test after it.
		grpc.ChainUnaryInterceptor(recoverUnary(t)),
		grpc.ChainStreamInterceptor(recoverStream(t)),
	}, opts...)...)
	srv := s.GRPC
	served := make(chan error, 1)
	go func() { served <- s.Serve(lis) }()
	t.Cleanup(func() {
		stopped := make(chan struct{})
		go func() { srv.Stop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(handlerGrace):
			t.Errorf("a handler was still running %v after the server stopped and cancelled every stream.\n"+
				"Does it return when stream.Context() is done, and at io.EOF?", handlerGrace)
			return
		}
		if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			t.Errorf("server ended with %v", err)
		}
	})
	return &Server{GRPC: srv, lis: lis}
}

// Addr is the server's address: host:port for StartLoopback.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Dial opens a new client connection to s, closed when the test ends. Each
// call is a separate connection, as if from another process; closing one
// early is how a test drops a client off the network. opts add to the
// defaults (a client interceptor that watches the calls, say).
func (s *Server) Dial(t testing.TB, extra ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	target, opts := "passthrough:///"+s.Addr(), []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if mem, ok := s.lis.(*bufconn.Listener); ok {
		opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return mem.DialContext(ctx)
		}))
	}
	conn, err := grpc.NewClient(target, append(opts, extra...)...)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Connect is Start followed by Dial: the usual one-server, one-client test.
func Connect(t testing.TB, register func(*grpc.Server), opts ...grpc.ServerOption) *grpc.ClientConn {
	t.Helper()
	return Start(t, register, opts...).Dial(t)
}

// Context returns a context that is done after d, or when the test ends.
// Every streaming test uses one, so a hanging implementation fails in seconds.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// leakPatience is how long the leak check keeps looking after goleak's own
// retries, before it reports a goroutine as leaked.
var leakPatience = 5 * time.Second

// leakChecked holds the tests that already have a leak check, so that a test
// starting two servers gets one report, not two.
var leakChecked sync.Map

// CheckNoLeaks registers, as the test's first cleanup (so it runs last), a
// check that every goroutine started since now has ended. Start and its
// kin call it; a test that runs a server its own way calls it first.
func CheckNoLeaks(t testing.TB) {
	t.Helper()
	if _, dup := leakChecked.LoadOrStore(t, true); dup {
		return
	}
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		leakChecked.Delete(t)
		// goleak retries for a moment while goroutines wind down; on a
		// loaded machine that can take longer, so look again for up to 5 s.
		err := goleak.Find(before)
		for deadline := time.Now().Add(leakPatience); err != nil && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			err = goleak.Find(before)
		}
		if err != nil {
			t.Errorf("goroutines still running after the test ended: a handler, a client loop or a connection did not end%s.\n%v", taskOf(t), err)
		}
	})
}

// taskOf names the task of a TestTaskN_ test, for a message: " — task N".
func taskOf(t testing.TB) string {
	if n, ok := tasks.TaskOfTest(t.Name()); ok {
		return fmt.Sprintf(" — task %d", n)
	}
	return ""
}

// NoteShortWaits is for a test package whose waits grow short once one of
// them has run out (05-chat's and 08-scale-out's patience), so that code
// that stalls everywhere fails every test within go test's own timeout. A
// test that then fails says so: its failure may follow from the earlier
// one rather than from its own task.
func NoteShortWaits(t testing.TB, short func() bool) {
	if !short() {
		return
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("an earlier test's wait ran out, so this test's waits were cut to a second: its failure may follow from that one (run it alone with -run to see)")
		}
	})
}
