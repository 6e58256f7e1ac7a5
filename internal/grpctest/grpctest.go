// Package grpctest is the test harness every step shares: it starts the step's
// server in memory (over bufconn, so no ports and no network), hands the test a
// connected client, and checks when the test ends that no goroutine was left
// behind: a handler or client loop that never returns is a bug, and this is
// where it shows.
package grpctest

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

// Server is a step's server running in memory for one test.
type Server struct {
	// GRPC is the running server; a test may stop it to see how streams end.
	GRPC *grpc.Server
	lis  *bufconn.Listener
}

// Start runs a gRPC server with the services register adds, and stops it when
// the test ends. It also checks, after everything else is cleaned up, that no
// goroutine started during the test is still running.
func Start(t testing.TB, register func(*grpc.Server), opts ...grpc.ServerOption) *Server {
	t.Helper()
	checkNoLeaks(t)

	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(opts...)
	register(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			t.Errorf("server ended with %v", err)
		}
	})
	return &Server{GRPC: srv, lis: lis}
}

// Dial opens a new client connection to s, closed when the test ends. Each
// call is a separate connection, as if from another process; closing one
// early is how a test drops a client off the network.
func (s *Server) Dial(t testing.TB) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return s.lis.DialContext(ctx)
		}),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
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

// leakChecked holds the tests that already have a leak check, so that a test
// starting two servers gets one report, not two.
var leakChecked sync.Map

// checkNoLeaks registers, as the test's first cleanup (so it runs last), a
// check that every goroutine started since now has ended.
func checkNoLeaks(t testing.TB) {
	t.Helper()
	if _, dup := leakChecked.LoadOrStore(t, true); dup {
		return
	}
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		leakChecked.Delete(t)
		if err := goleak.Find(before); err != nil {
			t.Errorf("goroutines still running after the test ended: a handler or client loop did not return.\n"+
				"Does it stop at io.EOF, and when stream.Context() is done?\n%v", err)
		}
	})
}
