package serve_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs Serve on a free loopback port with a Greeter registered and
// returns a client connection, a function that stops the server, and a
// channel that receives Serve's result.
func start(t *testing.T, grace time.Duration) (*grpc.ClientConn, context.CancelFunc, <-chan error) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	returned := make(chan struct{})
	cfg := serve.Config{Grace: grace, Logger: serve.DiscardLogger}
	go func() {
		defer close(returned)
		done <- serve.Serve(ctx, lis, cfg, func(s *grpc.Server) {
			greeterpb.RegisterGreeterServer(s, &greeterpb.UnimplementedGreeterServer{})
		})
	}()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		stop()
		<-returned
	})
	return conn, stop, done
}

func TestServeRegistersHealthAndReflection(t *testing.T) {
	conn, _, _ := start(t, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	health, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "workshop.greeter.v1.Greeter"})
	if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health of the Greeter = %v, %v; want SERVING", health.GetStatus(), err)
	}

	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"workshop.greeter.v1.Greeter", "grpc.health.v1.Health"} {
		if !slices.Contains(names, want) {
			t.Errorf("reflection lists %v, want it to include %s", names, want)
		}
	}
	stream.CloseSend()
}

// A stream that never ends by itself (a health Watch) must not keep the
// server alive past the grace period: GracefulStop waits, then Stop cuts it.
func TestServeStopsOpenStreamsAfterGrace(t *testing.T) {
	conn, stop, done := start(t, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	watch, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: "workshop.greeter.v1.Greeter"})
	if err != nil {
		t.Fatal(err)
	}
	if first, err := watch.Recv(); err != nil || first.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first health update = %v, %v; want SERVING", first.GetStatus(), err)
	}

	stop()
	if next, err := watch.Recv(); err != nil || next.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health update on shutdown = %v, %v; want NOT_SERVING", next.GetStatus(), err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v, want nil after a shutdown", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve did not return after the grace period: is Stop called when GracefulStop takes too long?")
	}
	if _, err := watch.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("the open stream ended with %v, want Unavailable (cut off by Stop)", err)
	}
}
