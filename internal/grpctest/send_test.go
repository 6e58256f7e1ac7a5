package grpctest

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"
)

// duplex is a TestService whose FullDuplexCall runs handle.
type duplex struct {
	testpb.UnimplementedTestServiceServer
	handle func(grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error
}

func (d *duplex) FullDuplexCall(stream grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
	return d.handle(stream)
}

func startDuplex(t testing.TB, handle func(grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error) testpb.TestServiceClient {
	return testpb.NewTestServiceClient(Connect(t, func(s *grpc.Server) {
		testpb.RegisterTestServiceServer(s, &duplex{handle: handle})
	}))
}

func TestSendReportsTheStatusTheServerEndedWith(t *testing.T) {
	client := startDuplex(t, func(stream grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
		stream.Send(&testpb.StreamingOutputCallResponse{}) // a message before the end, to be skipped
		return status.Error(codes.InvalidArgument, "bad request")
	})
	stream, err := client.FullDuplexCall(Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// Send succeeds until the client learns the stream is over; then Send
	// must give the status, never Send's bare io.EOF.
	for {
		if err = Send(stream, &testpb.StreamingOutputCallRequest{}); err != nil {
			break
		}
	}
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "bad request") {
		t.Errorf("Send on a stream the server ended returned %v, want its status InvalidArgument: bad request", err)
	}
}

func TestSendSaysWhenTheServerEndedWithOK(t *testing.T) {
	client := startDuplex(t, func(grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
		return nil
	})
	stream, err := client.FullDuplexCall(Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if err = Send(stream, &testpb.StreamingOutputCallRequest{}); err != nil {
			break
		}
	}
	if !strings.Contains(err.Error(), "ended the stream with OK") {
		t.Errorf("Send on a stream the server ended with OK returned %v, want it to say so", err)
	}
}

func TestAPanicInAHandlerFailsTheTestAndNotTheBinary(t *testing.T) {
	rec := &recorder{TB: t}
	client := startDuplex(rec, func(grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
		var m map[string]int
		m["boom"]++ // assignment to a nil map
		return nil
	})
	stream, err := client.FullDuplexCall(Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Internal {
		t.Errorf("a call whose handler panicked ended with %v, want Internal", err)
	}
	rec.end()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "FullDuplexCall handler panicked") {
		t.Errorf("after a handler panicked the harness reported %q, want one report naming the handler", rec.errors)
	}
}

func TestAHandlerThatIgnoresItsContextFailsTheTest(t *testing.T) {
	defer func(d time.Duration) { handlerGrace = d }(handlerGrace)
	handlerGrace = 100 * time.Millisecond // only bounds how long this test waits: the handler never returns by itself
	noPatience(t)

	rec := &recorder{TB: t}
	release, started := make(chan struct{}), make(chan struct{})
	client := startDuplex(rec, func(grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
		close(started)
		<-release // ignores stream.Context()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := client.FullDuplexCall(ctx); err != nil {
		t.Fatal(err)
	}
	<-started
	rec.end()
	close(release)
	if len(rec.errors) == 0 || !strings.Contains(rec.errors[0], "handler was still running") {
		t.Errorf("after a handler ignored its context the harness reported %q, want a report that names it", rec.errors)
	}
}
