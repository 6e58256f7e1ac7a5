// Package serve runs a workshop gRPC server the way every step's cmd/server
// does: listen on a loopback address, register the step's service next to
// gRPC reflection (so `go tool grpcurl` can discover it) and the standard
// health service, log with log/slog, and shut down gracefully on Ctrl-C.
//
// It is plumbing, not a lesson: a step's main is one call to Main.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// DefaultAddr is where every step's server listens unless told otherwise:
// loopback only, so a workshop server is never reachable from the network.
const DefaultAddr = "localhost:50051"

// Config says where and how a server runs.
type Config struct {
	// Addr is the host:port to listen on.
	Addr string
	// Grace bounds how long shutdown waits for open calls and streams to end
	// by themselves (GracefulStop) before it cuts them off (Stop).
	Grace time.Duration
	// Logger receives the start, stop and per-call lines; nil means slog.Default().
	Logger *slog.Logger
	// Stopping, if set, is called once when shutdown begins, as GracefulStop
	// starts waiting. A service whose streams stay open until the server ends
	// them (a chat room) ends them here, or GracefulStop would wait in vain.
	Stopping func()
}

// Main is the whole of a step's cmd/server: it parses the -addr and -grace
// flags, serves until Ctrl-C or SIGTERM, and exits non-zero on failure.
// register adds the step's service(s) to the server. A step that needs flags
// of its own defines them on flag.CommandLine before calling Main.
func Main(register func(*grpc.Server)) {
	MainStopping(register, nil)
}

// MainStopping is Main for a service that must be told to end its open
// streams when the server shuts down: stopping is Config.Stopping.
func MainStopping(register func(*grpc.Server), stopping func()) {
	addr := flag.String("addr", DefaultAddr, "host:port to listen on")
	grace := flag.Duration("grace", 5*time.Second, "on Ctrl-C, how long open streams may take to finish before they are cut off")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, Config{Addr: *addr, Grace: *grace, Stopping: stopping}, register); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// Run listens on cfg.Addr and serves until ctx is done.
func Run(ctx context.Context, cfg Config, register func(*grpc.Server)) error {
	lis, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return Serve(ctx, lis, cfg, register)
}

// Serve serves on lis until ctx is done, then shuts down: health turns
// NOT_SERVING, GracefulStop lets open calls finish for at most cfg.Grace,
// and Stop ends whatever is left. It returns once every handler has returned.
func Serve(ctx context.Context, lis net.Listener, cfg Config, register func(*grpc.Server)) error {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	srv := grpc.NewServer(
		// Stop then waits for the handlers it cancels, so Serve returns only
		// once none is left running.
		grpc.WaitForHandlers(true),
		grpc.ChainUnaryInterceptor(logUnary(logger)),
		grpc.ChainStreamInterceptor(logStream(logger)),
	)
	register(srv)
	services := serviceNames(srv)
	reflection.Register(srv)
	healthSrv := health.NewServer()
	healthpb.RegisterHealthServer(srv, healthSrv)
	for _, name := range services {
		healthSrv.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	logger.Info("serving", "addr", lis.Addr().String(), "services", services)

	select {
	case err := <-served:
		if errors.Is(err, grpc.ErrServerStopped) {
			return nil
		}
		return err
	case <-ctx.Done():
	}

	logger.Info("shutting down", "grace", cfg.Grace)
	healthSrv.Shutdown()
	stopped := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(stopped)
	}()
	if cfg.Stopping != nil {
		cfg.Stopping()
	}
	select {
	case <-stopped:
	case <-time.After(cfg.Grace):
		logger.Warn("grace period over: closing the streams still open")
		srv.Stop()
		<-stopped
	}
	<-served
	logger.Info("stopped")
	return nil
}

// serviceNames lists the services registered on srv, sorted.
func serviceNames(srv *grpc.Server) []string {
	var names []string
	for name := range srv.GetServiceInfo() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
