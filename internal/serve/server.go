package serve

import (
	"io"
	"log/slog"
	"net"

	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server is a gRPC server set up the way every workshop server is: the
// limits of limits.go, a log line per call, and the health and reflection
// services beside the step's own. Each step's cmd/server runs one (through
// Serve), and so do the steps' tests and benchmarks (internal/grpctest): what
// they check and measure is the server a learner runs.
type Server struct {
	// GRPC is the server itself; Serve below is how to start it.
	GRPC     *grpc.Server
	health   *health.Server
	running  *inflight
	maxConns int
	services []string
}

// New returns a server with cfg's limits and register's services, not yet
// serving. cfg.Options, then extra, come after the workshop's own options (a
// step adds its credentials there, a test its interceptors; interceptors run
// inside the workshop's).
func New(cfg Config, register func(*grpc.Server), extra ...grpc.ServerOption) *Server {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{
		health:   health.NewServer(),
		running:  newInflight(orDefault(cfg.MaxCalls, MaxCalls)),
		maxConns: orDefault(cfg.MaxConnections, MaxConnections),
	}
	opts := append(limits(cfg.Keepalive),
		// Stop then waits for the handlers it cancels, so Serve returns only
		// once none is left running (or names the ones that are).
		// WaitForHandlers is EXPERIMENTAL in grpc-go: it may change.
		grpc.WaitForHandlers(true),
		grpc.StatsHandler(&callLog{logger: logger}),
		// gRPC answers a call to a method it does not know before any stats
		// Begin or End; this handler gives the same code, Unimplemented
		// (with a message of its own), where the log can see it.
		grpc.UnknownServiceHandler(unknownMethod),
		grpc.ChainUnaryInterceptor(s.running.unary),
		grpc.ChainStreamInterceptor(s.running.stream),
	)
	opts = append(opts, cfg.Options...)
	s.GRPC = grpc.NewServer(append(opts, extra...)...)
	register(s.GRPC)
	s.services = serviceNames(s.GRPC) // the step's own, before health and reflection join them
	reflection.Register(s.GRPC)
	healthpb.RegisterHealthServer(s.GRPC, s.health)
	for _, name := range s.services {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	return s
}

// Serve serves on lis until the server is stopped, as grpc.Server.Serve
// does, taking at most MaxConnections connections at once: past that, a new
// connection waits, unanswered, until another closes (netutil.LimitListener).
func (s *Server) Serve(lis net.Listener) error {
	return s.GRPC.Serve(netutil.LimitListener(lis, s.maxConns))
}

// orDefault is n, or def when n is zero or less.
func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// DiscardLogger drops every line: for tests and benchmarks, which run the
// logging code as cmd/server does but keep their output for verdicts.
var DiscardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))
