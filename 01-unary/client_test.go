package unary

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tasks are tested against fake Greeters defined here, so that they
// do not depend on your server: each fake does one thing, on purpose.

// scriptedGreeter answers every call with reply, or with err if it is set.
type scriptedGreeter struct {
	greeterpb.UnimplementedGreeterServer
	reply string
	err   error
}

func (g *scriptedGreeter) SayHello(context.Context, *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	if g.err != nil {
		return nil, g.err
	}
	return &greeterpb.HelloReply{Message: g.reply}, nil
}

// stallingGreeter never answers: it waits until the call's context is done,
// the way an overloaded or stuck server would look to a client. It tells
// arrived, if set, that a call has reached it.
type stallingGreeter struct {
	greeterpb.UnimplementedGreeterServer
	arrived chan<- struct{}
}

func (g *stallingGreeter) SayHello(ctx context.Context, _ *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	if g.arrived != nil {
		g.arrived <- struct{}{}
	}
	<-ctx.Done()
	return nil, status.FromContextError(ctx.Err()).Err()
}

func fakeClient(t *testing.T, fake greeterpb.GreeterServer) greeterpb.GreeterClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { greeterpb.RegisterGreeterServer(s, fake) })
	return greeterpb.NewGreeterClient(conn)
}

func TestTask3_GreetReturnsTheReply(t *testing.T) {
	client := fakeClient(t, &scriptedGreeter{reply: "the server's reply"})
	got, err := Greet(grpctest.Context(t, 2*time.Second), client, "Ada", time.Second)
	if err != nil {
		t.Fatalf("Greet(\"Ada\") failed: %v — task 3 in client.go: Greet returns the server's reply", err)
	}
	if want := "the server's reply"; got != want {
		t.Errorf("Greet(\"Ada\") = %q, want the reply's message %q — task 3 in client.go", got, want)
	}
}

func TestTask3_GreetPassesErrorsThrough(t *testing.T) {
	sent := status.Error(codes.PermissionDenied, "no greetings today")
	client := fakeClient(t, &scriptedGreeter{err: sent})
	_, err := Greet(grpctest.Context(t, 2*time.Second), client, "Ada", time.Second)
	grpctest.WantCode(t, `Greet("Ada")`, err, codes.PermissionDenied,
		"task 3 in client.go: the caller gets the error exactly as gRPC gave it")
	if status.Code(err) == codes.PermissionDenied && err.Error() != sent.Error() {
		t.Errorf("Greet(\"Ada\") returned the error %q, want it unchanged: %q — task 3 in client.go: the caller gets the error exactly as gRPC gave it", err, sent)
	}
}

func TestTask4_GreetGivesUpAtItsTimeout(t *testing.T) {
	client := fakeClient(t, &stallingGreeter{})
	// The test itself gives up after 3 s: if Greet ignores its timeout, the
	// call ends with Canceled from here rather than DeadlineExceeded.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := time.AfterFunc(3*time.Second, cancel)
	defer stop.Stop()

	const timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := Greet(ctx, client, "Ada", timeout)
	took := time.Since(start).Round(time.Millisecond)
	grpctest.WantCode(t, "Greet(timeout 100ms) against a server that never answers", err, codes.DeadlineExceeded,
		"task 4 in client.go: the call must end when its timeout has passed (it took "+took.String()+")")
}

func TestTask5_GreetRefusesInvalidUTF8(t *testing.T) {
	client := fakeClient(t, &scriptedGreeter{reply: "should not be reached"})
	_, err := Greet(grpctest.Context(t, 2*time.Second), client, "Ad\xffa", time.Second)
	grpctest.WantCode(t, `Greet("Ad\xffa")`, err, codes.InvalidArgument,
		"task 5 in client.go: a name that is not valid UTF-8 is refused before it is sent, with the code a bad argument gets")
}

// deadlineGreeter answers at once and tells deadlines the deadline its call
// carried, as the server saw it.
type deadlineGreeter struct {
	greeterpb.UnimplementedGreeterServer
	deadlines chan time.Time
}

func (g *deadlineGreeter) SayHello(ctx context.Context, _ *greeterpb.HelloRequest) (*greeterpb.HelloReply, error) {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Time{} // no deadline reached the server
	}
	g.deadlines <- d
	return &greeterpb.HelloReply{Message: "hello"}, nil
}

func TestTask4_GreetSendsItsTimeoutAsTheDeadline(t *testing.T) {
	fake := &deadlineGreeter{deadlines: make(chan time.Time, 1)}
	client := fakeClient(t, fake)
	// Two timeouts, so that one fixed in the code cannot match both. The
	// deadline the server sees lies between the call's start plus the
	// timeout and its end plus the timeout (gRPC sends the time left, which
	// the server adds to its own clock).
	for _, timeout := range []time.Duration{7 * time.Second, 13 * time.Second} {
		start := time.Now()
		if _, err := Greet(grpctest.Context(t, 20*time.Second), client, "Ada", timeout); err != nil {
			t.Fatalf("Greet(timeout %v) failed: %v — task 3 in client.go", timeout, err)
		}
		end := time.Now()
		got := <-fake.deadlines
		if got.IsZero() {
			t.Fatalf("Greet(timeout %v): the call reached the server with no deadline — task 4 in client.go: the call takes at most timeout, and the server knows it", timeout)
		}
		if got.Before(start.Add(timeout-time.Millisecond)) || got.After(end.Add(timeout+time.Millisecond)) {
			t.Errorf("Greet(timeout %v): the server saw its deadline %v after the call began, want %v — task 4 in client.go: the deadline comes from the timeout argument",
				timeout, got.Sub(start).Round(time.Millisecond), timeout)
		}
	}
}

func TestTask4_GreetStopsWhenItsCallerCancels(t *testing.T) {
	arrived := make(chan struct{}, 1)
	client := fakeClient(t, &stallingGreeter{arrived: arrived})
	ctx, cancel := context.WithCancel(grpctest.Context(t, 20*time.Second))
	done := make(chan error, 1)
	go func() {
		_, err := Greet(ctx, client, "Ada", 10*time.Second)
		done <- err
	}()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("Greet against a server that never answers returned %v before the call reached it — task 3 in client.go", err)
	}
	cancel() // the caller gives up long before the 10s timeout
	select {
	case err := <-done:
		grpctest.WantCode(t, "Greet whose caller cancelled", err, codes.Canceled,
			"task 4 in client.go: the caller's ctx can end the call before its timeout")
	case <-time.After(5 * time.Second):
		t.Errorf("Greet still waits 5s after its caller cancelled ctx — task 4 in client.go: the caller's ctx can end the call before its timeout")
		<-done // it ends at its own timeout
	}
}
