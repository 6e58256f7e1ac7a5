package unary

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// answeringGreeter answers SayHello like the real one, and fails for the name "fail".
type answeringGreeter struct {
	greeterpb.UnimplementedGreeterServer
}

func (answeringGreeter) SayHello(_ context.Context, req *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	if req.GetName() == "fail" {
		return nil, status.Error(codes.InvalidArgument, "the test server refuses this name")
	}
	return &greeterpb.HelloReply{Message: "Hello from the test server, " + req.GetName() + "!"}, nil
}

// connWatcher is a stats.Handler: gRPC tells it when a client connection to
// the server begins and ends, which is how these tests see what GreetAt does
// with its connection.
type connWatcher struct {
	begun, ended chan struct{}
}

func (w *connWatcher) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (w *connWatcher) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (w *connWatcher) HandleRPC(context.Context, stats.RPCStats)                         {}
func (w *connWatcher) HandleConn(_ context.Context, s stats.ConnStats) {
	switch s.(type) {
	case *stats.ConnBegin:
		w.begun <- struct{}{}
	case *stats.ConnEnd:
		w.ended <- struct{}{}
	}
}

// startGreeter serves the test greeter on a loopback port and returns its
// address and what it sees of connections.
func startGreeter(t *testing.T) (string, *connWatcher) {
	t.Helper()
	w := &connWatcher{begun: make(chan struct{}, 10), ended: make(chan struct{}, 10)}
	srv := grpctest.StartLoopback(t, func(s *grpc.Server) {
		greeterpb.RegisterGreeterServer(s, answeringGreeter{})
	}, grpc.StatsHandler(w))
	return srv.Addr(), w
}

// greetOrExplain calls GreetAt and fails the test if it reports that an earlier
// task is not done yet.
func greetOrExplain(t *testing.T, addr, name string) (string, error) {
	t.Helper()
	got, err := GreetAt(grpctest.Context(t, 10*time.Second), addr, name, 5*time.Second)
	if err != nil && strings.Contains(err.Error(), "TODO(task 3") {
		t.Fatalf("GreetAt returned %v — do task 3 first: GreetAt calls Greet", err)
	}
	return got, err
}

func TestTask8_GreetsThroughTheServerAtAddr(t *testing.T) {
	addr, _ := startGreeter(t)
	got, err := greetOrExplain(t, addr, "Ada")
	if err != nil {
		t.Fatalf("GreetAt(%q, \"Ada\") failed: %v — task 8 in dial.go: the greeting must come from the server at addr, over a plaintext connection", addr, err)
	}
	if want := "Hello from the test server, Ada!"; got != want {
		t.Errorf("GreetAt(%q, \"Ada\") = %q, want the server's reply %q — task 8 in dial.go", addr, got, want)
	}
}

func TestTask8_ClosesItsConnection(t *testing.T) {
	addr, w := startGreeter(t)
	_, err := greetOrExplain(t, addr, "Ada")
	select {
	case <-w.begun:
	default:
		t.Fatalf("GreetAt returned (error: %v) without connecting to %s — task 8 in dial.go: the call goes to the server at addr", err, addr)
	}
	select {
	case <-w.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("10s after GreetAt returned, its connection to the server is still open — task 8 in dial.go: GreetAt closes its connection before it returns")
	}
}

func TestTask8_ReturnsTheCallsErrorUnchanged(t *testing.T) {
	addr, w := startGreeter(t)
	_, err := greetOrExplain(t, addr, "fail")
	grpctest.WantCode(t, `GreetAt(addr, "fail")`, err, codes.InvalidArgument,
		"task 8 in dial.go: the call's error comes back as gRPC gave it, so main can print its code")
	if len(w.begun) == 0 {
		return // it never connected: the code above says why
	}
	select {
	case <-w.ended:
	case <-time.After(10 * time.Second):
		t.Error("10s after a failed GreetAt, its connection is still open — task 8 in dial.go: the connection is closed whatever the call's outcome")
	}
}

func TestTask8_NoServerIsUnavailable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // nothing listens there now
	_, err = greetOrExplain(t, addr, "Ada")
	grpctest.WantCode(t, "GreetAt with no server at "+addr, err, codes.Unavailable,
		"task 8 in dial.go: when nobody listens at addr, the call itself fails, with Unavailable")
}

func TestTask8_AMalformedAddressIsAnError(t *testing.T) {
	// "%zz" is not a valid escape in a URL: gRPC cannot even parse the
	// target, so nothing is dialled.
	const addr = "localhost:%zz"
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("GreetAt(%q) panicked: %v — task 8 in dial.go: an address gRPC cannot parse is an error to return", addr, r)
			}
		}()
		_, err = greetOrExplain(t, addr, "Ada")
	}()
	if err == nil || strings.Contains(err.Error(), "TODO(task 8") {
		t.Errorf("GreetAt(%q) returned %v, want the error of an address that cannot be parsed — task 8 in dial.go", addr, err)
	}
}
