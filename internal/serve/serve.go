// Package serve runs a workshop gRPC server the way every step's cmd/server
// does, and the way step 01 teaches it by hand: listen on a loopback
// address, register the step's service next to gRPC reflection (so
// `go tool grpcurl` can discover it) and the standard health service, serve,
// and shut down gracefully on Ctrl-C. On top of step 01 it adds what a
// server that meets real clients needs:
//
//   - a log line for every call, also one refused before any handler ran;
//   - keepalive, so a client that vanished without a word (a laptop lid
//     closed, a cable pulled) is noticed within about 25 s instead of the
//     minutes TCP alone would take;
//   - a bound on everything a client can take: connections, calls per
//     connection and in all, message size, idle time (limits.go);
//   - a shutdown that always ends: GracefulStop for at most Config.Grace,
//     then Stop; a second Ctrl-C or SIGTERM skips the wait; and a handler
//     that ignores its context is named, not waited for forever.
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
	"google.golang.org/grpc/keepalive"
)

// DefaultAddr is where every step's server listens unless told otherwise:
// loopback only, so a workshop server is never reachable from the network.
const DefaultAddr = "localhost:50051"

// StopBound is how long Stop may take to end the handlers it cancels. A
// handler still running after that ignores its context; Serve names it and
// returns rather than wait for it forever.
const StopBound = 500 * time.Millisecond

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
	// Abort, if set, ends a graceful shutdown at once when it is closed: the
	// second Ctrl-C.
	Abort <-chan struct{}
	// Keepalive, if set, replaces the keepalive pings of limits.go (tests
	// use seconds where a real server waits longer).
	Keepalive *keepalive.ServerParameters
	// MaxCalls and MaxConnections, if set, replace the limits of the same
	// names in limits.go (tests reach a limit of 2 more easily).
	MaxCalls, MaxConnections int
	// Options add to the server's own: a step's credentials, interceptors
	// and stats handlers (07), or limits of its own (08's MaxRecvMsgSize); a
	// limit set here replaces the one of limits.go.
	Options []grpc.ServerOption
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

	ctx, abort := Signals()
	if err := Run(ctx, Config{Addr: *addr, Grace: *grace, Stopping: stopping, Abort: abort}, register); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// Signals returns a context that is done at the first Ctrl-C (SIGINT) or
// SIGTERM, and a channel closed at the second: drain gracefully first, and
// stop at once if asked again.
func Signals() (context.Context, <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(abort)
	}()
	return ctx, abort
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
// NOT_SERVING, GracefulStop lets open calls finish for at most cfg.Grace (or
// until cfg.Abort), and Stop ends whatever is left. It returns nil once
// every handler has returned, or an error naming the handlers that ignored
// their cancelled context for longer than StopBound.
func Serve(ctx context.Context, lis net.Listener, cfg Config, register func(*grpc.Server)) error {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := New(cfg, register)
	served := make(chan error, 1)
	go func() { served <- s.Serve(lis) }()
	logger.Info("serving", "addr", lis.Addr().String(), "services", s.services)

	select {
	case err := <-served:
		// The listener failed. Stop, so that the connections it accepted
		// earlier are not served on by a server whose Serve has returned.
		s.GRPC.Stop()
		if errors.Is(err, grpc.ErrServerStopped) {
			return nil
		}
		return err
	case <-ctx.Done():
	}

	logger.Info("shutting down: open calls may finish (Ctrl-C again to stop at once)", "grace", cfg.Grace)
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() {
		s.GRPC.GracefulStop()
		close(stopped)
	}()
	if cfg.Stopping != nil {
		cfg.Stopping()
	}
	grace := time.NewTimer(cfg.Grace)
	defer grace.Stop()
	select {
	case <-stopped:
		<-served
		logger.Info("stopped")
		return nil
	case <-grace.C:
		logger.Warn("grace period over: closing the streams still open")
	case <-cfg.Abort:
		logger.Warn("asked again: closing every stream now")
	}

	go s.GRPC.Stop()
	select {
	case <-stopped:
		<-served
		logger.Info("stopped")
		return nil
	case <-time.After(StopBound):
		return fmt.Errorf("stopped without waiting for handlers that ignore their cancelled context: %v", s.running.methods())
	}
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
