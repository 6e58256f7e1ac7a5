package unary

import (
	"context"
	"errors"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// Serve runs greeter on lis, with the health and reflection services beside
// it, until ctx is done; then it stops gracefully and returns nil.
//
// Serve blocks until the server stops, and the stop must come from
// elsewhere, so one of them runs on a goroutine. Here Serve does, and this
// function stays to wait: for ctx, or for Serve failing by itself. It
// returns only once the graceful stop is over: returning sooner would let
// main exit and cut off the very calls GracefulStop waits for.
func Serve(ctx context.Context, lis net.Listener, greeter greeterpb.GreeterServer) error {
	srv := grpc.NewServer()
	greeterpb.RegisterGreeterServer(srv, greeter)
	// Health: load balancers and `grpcurl … grpc.health.v1.Health/Check` ask
	// it whether the server (service "") or one service is up.
	healthSrv := health.NewServer()
	healthSrv.SetServingStatus(greeterpb.Greeter_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, healthSrv)
	// Reflection lets tools such as grpcurl list and describe the services.
	reflection.Register(srv)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	select {
	case err := <-served:
		// Serve failed by itself: the listener broke. Stop, so that the
		// connections it accepted earlier are not served on after we return.
		srv.Stop()
		return err
	case <-ctx.Done():
	}
	// Health says NOT_SERVING first: whoever watches it (a load balancer)
	// learns that this server is going away.
	healthSrv.Shutdown()
	// GracefulStop closes the listener, refuses new calls, and returns once
	// every call in flight has finished. Serve has then returned nil, or
	// ErrServerStopped if the stop came before it even started: both mean
	// the server stopped as asked.
	srv.GracefulStop()
	if err := <-served; !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}
