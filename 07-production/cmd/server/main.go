// Command server runs step 07's chat room over mutual TLS, with tokens,
// logs and metrics:
//
//	go run ./07-production/cmd/certs -dir /tmp/workshop07
//	go run ./07-production/cmd/server -certs /tmp/workshop07
//
// The gRPC service listens on localhost:50051; the Prometheus metrics are
// at http://localhost:9464/metrics. On Ctrl-C it ends every member's stream
// (Unavailable, end-reason "shutdown") and stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/audit"
	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	addr := flag.String("addr", serve.DefaultAddr, "host:port to listen on")
	grace := flag.Duration("grace", 5*time.Second, "on Ctrl-C, how long open streams may take to finish before they are cut off")
	dir := flag.String("certs", "", "folder made by cmd/certs: the CA, the server's certificate and key, the token key")
	roomName := flag.String("room", "lobby", "the room's name, sent to each member in the \"room\" header")
	debugAddr := flag.String("debug-addr", "localhost:9464", "loopback host:port of the debug server: /metrics")
	flag.Parse()
	if err := run(*addr, *grace, *dir, *roomName, *debugAddr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(addr string, grace time.Duration, dir, roomName, debugAddr string) error {
	if dir == "" {
		return fmt.Errorf("-certs is required: go run ./07-production/cmd/certs -dir /tmp/workshop07, then -certs /tmp/workshop07")
	}
	creds, err := production.ServerCredentials(dir)
	if err != nil {
		return err
	}
	key, err := token.ReadKey(filepath.Join(dir, certs.TokenKey))
	if err != nil {
		return err
	}
	metrics, err := production.NewMetrics()
	if err != nil {
		return err
	}
	defer metrics.Shutdown(context.Background())
	summary, err := production.StreamSummary(slog.Default(), metrics.Meter())
	if err != nil {
		return err
	}
	if err := serveDebug(debugAddr, metrics.Handler()); err != nil {
		return err
	}
	auditClient, err := startAudit()
	if err != nil {
		return err
	}

	room := production.NewServer(production.Config{Room: roomName, Audit: auditClient})
	ctx, abort := serve.Signals()
	return serve.Run(ctx, serve.Config{
		Addr:     addr,
		Grace:    grace,
		Stopping: room.Close, // a member's stream lasts until they leave: end them as shutdown begins
		Abort:    abort,
		Options: append([]grpc.ServerOption{
			grpc.Creds(creds),
			metrics.ServerOption(),
			// The summary first, so it sees refused streams too; then the checks.
			grpc.ChainStreamInterceptor(summary, production.StreamAuth(key)),
			grpc.ChainUnaryInterceptor(production.UnaryAuth(key)),
		}, production.Limits()...),
	}, func(s *grpc.Server) { roompb.RegisterRoomServer(s, room) })
}

// serveDebug serves /metrics on addr, apart from the gRPC server and on
// loopback only: what a server measures tells much about it. The address
// is taken before the room opens, so that a busy port stops the server.
func serveDebug(addr string, metrics http.Handler) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-debug-addr: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-debug-addr %s: the debug server listens on loopback only (localhost, 127.0.0.1, [::1])", addr)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	slog.Info("debug server", "metrics", "http://"+lis.Addr().String()+"/metrics")
	go func() {
		if err := (&http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}).Serve(lis); err != nil {
			slog.Error("debug server", "err", err)
		}
	}()
	return nil
}

// startAudit runs the Audit service in this process, on a loopback port of
// its own, and returns a client of it: a real gRPC hop, as to an audit
// service that runs elsewhere. (Across machines it too would need TLS.)
func startAudit() (roompb.AuditClient, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer()
	roompb.RegisterAuditServer(srv, &audit.Log{Logger: slog.Default()})
	go srv.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return roompb.NewAuditClient(conn), nil
}
