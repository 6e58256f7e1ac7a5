package unary

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// These tests run Serve on a real loopback port, as main does,
// and talk to it as any client would.

// waitingGreeter is a stand-in Greeter: its SayHello tells the test that a call has
// arrived, then waits for release, for the call's ctx, or for the test's end.
type waitingGreeter struct {
	greeterpb.UnimplementedGreeterServer
	arrived chan struct{} // receives once per call, as it arrives
	release chan struct{} // closed by answer, to let calls reply
	once    sync.Once
	cutOff  chan error // receives the ctx error of a call cancelled while it waited
}

func newGreeter() *waitingGreeter {
	return &waitingGreeter{arrived: make(chan struct{}, 10), release: make(chan struct{}), cutOff: make(chan error, 10)}
}

// answer lets every call, waiting or to come, reply.
func (g *waitingGreeter) answer() { g.once.Do(func() { close(g.release) }) }

func (g *waitingGreeter) SayHello(ctx context.Context, req *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	g.arrived <- struct{}{}
	select {
	case <-g.release:
		return &greeterpb.HelloReply{Message: "Hello, " + req.GetName() + "!"}, nil
	case <-ctx.Done():
		g.cutOff <- ctx.Err()
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// running is Serve started on its own goroutine.
type running struct {
	addr   string
	cancel context.CancelFunc
	done   chan struct{} // closed when Serve returns
	err    error         // what Serve returned, once done is closed
}

// startServe listens on a free loopback port and runs Serve there until the
// test cancels it (or ends: then it waits for serve to return).
func startServe(t *testing.T, g *waitingGreeter) *running {
	t.Helper()
	grpctest.CheckNoLeaks(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{addr: lis.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = Serve(ctx, lis, g)
		lis.Close() // if Serve left it open, calls now fail fast instead of waiting
	}()
	t.Cleanup(func() {
		cancel()
		g.answer()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return within 10s after its ctx was done — task 6 in serve.go: return once ctx is done")
		}
	})
	return r
}

// dial connects to the server under test; the connection is closed when the test ends.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// whyFailed explains a call to the server that failed: most likely Serve has
// returned already (it is given a second to show it), otherwise hint says
// what the server lacks.
func (r *running) whyFailed(call string, err error, hint string) string {
	if r.stopped(time.Second) {
		return fmt.Sprintf("%s failed because Serve had already returned %v — task 6 in serve.go: serve on lis until ctx is done", call, r.err)
	}
	return fmt.Sprintf("%s failed: %v — %s", call, err, hint)
}

// stopped waits until Serve has returned, for at most d.
func (r *running) stopped(d time.Duration) bool {
	select {
	case <-r.done:
		return true
	case <-time.After(d):
		return false
	}
}

func TestTask6_ServesTheGreeter(t *testing.T) {
	g := newGreeter()
	g.answer() // calls reply at once
	r := startServe(t, g)
	ctx := grpctest.Context(t, 10*time.Second)
	reply, err := greeterpb.NewGreeterClient(dial(t, r.addr)).SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"})
	if err != nil {
		t.Fatal(r.whyFailed("SayHello through Serve", err, "task 6 in serve.go: the greeter Serve was given must answer on lis"))
	}
	if reply.GetMessage() != "Hello, Ada!" {
		t.Errorf("SayHello through Serve = %q, want the greeter's own reply %q — task 6: the Greeter that answers is the one Serve was given", reply.GetMessage(), "Hello, Ada!")
	}
}

func TestTask6_ServesHealth(t *testing.T) {
	g := newGreeter()
	r := startServe(t, g)
	ctx := grpctest.Context(t, 10*time.Second)
	health := healthpb.NewHealthClient(dial(t, r.addr))
	for _, service := range []string{"", greeterpb.Greeter_ServiceDesc.ServiceName} {
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			want := "task 6 in serve.go: the standard health service must answer beside the Greeter"
			if status.Code(err) == codes.NotFound {
				want = "task 6 in serve.go: health answered that it knows no status for this service; it must report the server and the Greeter SERVING"
			}
			t.Fatal(r.whyFailed(fmt.Sprintf("Health/Check(%q)", service), err, want))
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("Health/Check(%q) = %v, want SERVING — task 6 in serve.go: health reports the Greeter SERVING", service, resp.GetStatus())
		}
	}
}

func TestTask6_ServesReflection(t *testing.T) {
	g := newGreeter()
	r := startServe(t, g)
	ctx := grpctest.Context(t, 10*time.Second)
	stream, err := reflectionpb.NewServerReflectionClient(dial(t, r.addr)).ServerReflectionInfo(ctx)
	if err == nil {
		err = grpctest.Send(stream, &reflectionpb.ServerReflectionRequest{
			MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
		})
	}
	var resp *reflectionpb.ServerReflectionResponse
	if err == nil {
		resp, err = stream.Recv()
	}
	if err != nil {
		t.Fatal(r.whyFailed("listing services by reflection", err, "task 6 in serve.go: reflection must answer, so that grpcurl can list the services"))
	}
	stream.CloseSend()
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	if want := greeterpb.Greeter_ServiceDesc.ServiceName; !strings.Contains(strings.Join(names, " "), want) {
		t.Errorf("reflection lists %v, want %s among them — task 6 in serve.go", names, want)
	}
}

func TestTask6_ReturnsWhenCtxIsDone(t *testing.T) {
	g := newGreeter()
	r := startServe(t, g)
	r.cancel()
	if !r.stopped(10 * time.Second) {
		t.Fatal("Serve still runs 10s after its ctx was done — task 6 in serve.go: Serve returns once ctx is done")
	}
	if r.err != nil {
		t.Errorf("Serve returned %v after its ctx was done, want nil: stopping on request is not a failure — task 6", r.err)
	}
	if _, err := net.DialTimeout("tcp", r.addr, 5*time.Second); err == nil {
		t.Error("the port still accepts connections after Serve returned — task 6: stopping the server closes its listener")
	}
}

func TestTask6_ReportsAListenerThatFails(t *testing.T) {
	grpctest.CheckNoLeaks(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis.Close() // Accept now fails at once
	done := make(chan error, 1)
	go func() { done <- Serve(grpctest.Context(t, 10*time.Second), lis, newGreeter()) }()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve on a closed listener returned %v, want Serve's error (net.ErrClosed) — task 6 in serve.go: return what Serve returns if it fails by itself", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve on a closed listener still runs after 10s — task 6 in serve.go: if Serve returns by itself, return its error")
	}
}

// When the listener fails, the server stops: a connection it accepted
// earlier is not served on after Serve has returned.
func TestTask6_AListenerThatFailsStopsTheServer(t *testing.T) {
	grpctest.CheckNoLeaks(t)
	lis := grpctest.ListenBreakable(t)
	g := newGreeter()
	g.answer()
	done := make(chan error, 1)
	go func() {
		err := Serve(grpctest.Context(t, 10*time.Second), lis, g)
		lis.Close() // if Serve left it open, calls now fail fast instead of waiting
		done <- err
	}()
	ctx := grpctest.Context(t, 10*time.Second)
	client := greeterpb.NewGreeterClient(dial(t, lis.Addr().String()))
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"}); err != nil {
		select {
		case serveErr := <-done:
			t.Fatalf("SayHello failed because Serve had already returned %v — task 6 in serve.go: serve on lis until ctx is done", serveErr)
		case <-time.After(time.Second):
			t.Fatalf("SayHello got %v — task 6 in serve.go: serve the Greeter on lis", err)
		}
	}

	lis.Break()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("Serve still runs 10s after its listener failed — task 6 in serve.go: if Serve returns by itself, return its error")
	}
	if _, err := client.SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"}); status.Code(err) != codes.Unavailable {
		t.Errorf("after Serve returned, a call on a connection the server had accepted got %v, want Unavailable — task 6 in serve.go: a server whose Serve failed still served that connection", err)
	}
}

func TestTask7_StopLetsTheCallInFlightFinish(t *testing.T) {
	g := newGreeter()
	r := startServe(t, g)
	ctx := grpctest.Context(t, 20*time.Second)
	answered := make(chan error, 1)
	go func() {
		_, err := greeterpb.NewGreeterClient(dial(t, r.addr)).SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"})
		answered <- err
	}()
	select {
	case <-g.arrived:
	case err := <-answered:
		t.Fatal(r.whyFailed("SayHello", err, "do task 6 first"))
	}

	// The call is in flight. Ask serve to stop, and see what Serve does while
	// the call waits: wait for the listener to close (the stop has begun),
	// then give Serve a second in which it must neither return nor cut the
	// call off. A graceful stop waits for the call however long it takes.
	r.cancel()
	if !refusesConnections(r.addr, 10*time.Second) {
		t.Fatal("10s after ctx was done, Serve still accepts connections — task 6 in serve.go: stop the server once ctx is done")
	}
	select {
	case err := <-g.cutOff:
		t.Fatalf("stopping cut off the call in flight (its ctx ended: %v) — task 7 in serve.go: a graceful stop lets the calls in flight finish", err)
	case <-r.done:
		t.Fatalf("Serve returned (%v) while a call was still in flight — task 7 in serve.go: return only once the graceful stop has finished, or main exits and cuts the call off", r.err)
	case <-time.After(time.Second):
	}

	g.answer()
	if err := <-answered; err != nil {
		t.Fatalf("the call in flight during the stop failed: %v, want its reply — task 7 in serve.go: a graceful stop lets the calls in flight finish", err)
	}
	if !r.stopped(10 * time.Second) {
		t.Fatal("Serve did not return within 10s after the last call finished — task 7 in serve.go")
	}
	if r.err != nil && !errors.Is(r.err, grpc.ErrServerStopped) {
		t.Errorf("Serve returned %v after a graceful stop, want nil — task 7", r.err)
	}
}

// refusesConnections reports whether, within d, a TCP connection to addr is
// refused: the listener is closed, the stop has begun.
func refusesConnections(addr string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func TestTask7_AStopBeforeServingIsNotAFailure(t *testing.T) {
	grpctest.CheckNoLeaks(t)
	// Ctrl-C may come before the server has even started serving. Which of
	// the two goes first is up to the scheduler, and nothing outside Serve
	// can choose it (grpc.Server offers no hook between NewServer and
	// Serve's first look at whether it was stopped), so the stop comes
	// first thousands of times, for the rarer ordering to happen too. Each
	// try takes well under a millisecond.
	const tries = 3000
	for range tries {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err = serveWithin(ctx, lis, 10*time.Second)
		lis.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// serveWithin runs Serve and says what went wrong if it failed or did not
// return within d.
func serveWithin(ctx context.Context, lis net.Listener, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, lis, newGreeter()) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("Serve with its ctx already done returned %v, want nil — task 7 in serve.go: a stop that comes before serving began is still the stop that was asked for, not a failure", err)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("Serve with its ctx already done still runs after %v — task 6 in serve.go: return once ctx is done", d)
	}
}
