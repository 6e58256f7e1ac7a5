package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// static holds the page: index.html, app.js and style.css, served as they are.
//
//go:embed static
var static embed.FS

// BridgeFunc connects one page to the gRPC server and returns when either
// side is done. ctx is done when the web server shuts down.
type BridgeFunc func(ctx context.Context, page Page) error

// DefaultAddr is where the page is served unless told otherwise: loopback only.
const DefaultAddr = "localhost:8080"

// The bridge's limits, and why.
const (
	// WriteTimeout bounds one write to a page. A page that stops reading (a
	// frozen tab) fills its socket's buffers; its next write then fails,
	// which ends the bridge and with it the gRPC stream, instead of pinning
	// both until shutdown.
	WriteTimeout = 5 * time.Second
	// IdleTimeout bounds how long a page may send nothing: its next Read then
	// fails with DeadlineExceeded, which ends its bridge. An open page that
	// is merely unused reconnects by itself; one that is gone frees its place.
	IdleTimeout = 10 * time.Minute
	// MaxPages caps the pages bridged at once. Every page's stream shares
	// one connection to the drawing server, which takes serve.MaxStreams
	// streams from a connection: one page more would wait, silently, for a
	// free slot. Past the cap a page is told why (RESOURCE_EXHAUSTED) and
	// its socket closed with 1013, "try again later".
	MaxPages = serve.MaxStreams
	// ShutdownTimeout bounds how long Serve waits for the bridges to return
	// once its ctx is done, before it closes their pages and returns anyway.
	ShutdownTimeout = 5 * time.Second
)

// limits are the bridge's limits: those above, unless a test makes them
// small to reach them.
type limits struct {
	idle, shutdown time.Duration
	maxPages       int
}

var defaultLimits = limits{idle: IdleTimeout, shutdown: ShutdownTimeout, maxPages: MaxPages}

// Handler serves the page at / and its WebSocket at /ws; it calls bridge once
// for every WebSocket, on that request's goroutine. Upgrades are accepted
// only for a loopback host name or one of hosts (see allowedHost).
func Handler(bridge BridgeFunc, logger *slog.Logger, hosts ...string) http.Handler {
	return handler(bridge, logger, defaultLimits, &openPages{max: defaultLimits.maxPages}, hosts...)
}

func handler(bridge BridgeFunc, logger *slog.Logger, lim limits, pages *openPages, hosts ...string) http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary: it is there
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(files))
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		// Accept checks that the page comes from this server (same origin),
		// so another site open in the browser cannot draw through it. That
		// is not enough on its own: a site whose name is made to resolve to
		// 127.0.0.1 (DNS rebinding) is "this server" by origin. Its Host
		// header still names it, so refuse any host that is not ours.
		if !allowedHost(r.Host, hosts) {
			logger.Warn("websocket refused: not a loopback host name", "host", r.Host, "remote", r.RemoteAddr)
			http.Error(w, "this bridge serves only pages loaded from localhost", http.StatusForbidden)
			return
		}
		// The server's read and write timeouts guard plain requests; a
		// WebSocket lives long, so lift them before it is taken over.
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Time{})
		rc.SetWriteDeadline(time.Time{})
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			logger.Warn("websocket refused", "error", err)
			return
		}
		defer conn.CloseNow()
		page := newPage(conn, lim.idle)
		if !pages.enter(conn) {
			logger.Warn("page refused: too many pages", "remote", r.RemoteAddr, "max", lim.maxPages)
			full := status.Errorf(codes.ResourceExhausted, "the bridge has %d pages open, its limit: close one", lim.maxPages)
			reportCtx, cancel := context.WithTimeout(r.Context(), time.Second)
			defer cancel()
			page.Report(reportCtx, full)
			conn.Close(websocket.StatusTryAgainLater, closeReason(full))
			return
		}
		logger.Info("page connected", "remote", r.RemoteAddr)
		err = bridge(r.Context(), page)
		pages.exit(conn)
		if err == nil {
			logger.Info("page done", "remote", r.RemoteAddr)
			conn.Close(websocket.StatusNormalClosure, "")
			return
		}
		logger.Info("page disconnected", "remote", r.RemoteAddr, "error", err)
		// Show why on the status line, if the page is still there to see it
		// (an unfinished bridge returns at once, with a TODO).
		reportCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		page.Report(reportCtx, err)
		conn.Close(websocket.StatusInternalError, closeReason(err))
	})
	return mux
}

// Serve serves Handler on lis until ctx is done, then stops: every bridge's
// ctx is cancelled, and Serve returns once the last one has returned, or
// after ShutdownTimeout, with an error, having closed the pages of the
// bridges that ignored their ctx.
//
// hosts are the host names, besides loopback ones, that pages may be loaded
// from: the one given with -listen, if it names one.
func Serve(ctx context.Context, lis net.Listener, bridge BridgeFunc, logger *slog.Logger, hosts ...string) error {
	return serveLimited(ctx, lis, bridge, logger, defaultLimits, hosts...)
}

func serveLimited(ctx context.Context, lis net.Listener, bridge BridgeFunc, logger *slog.Logger, lim limits, hosts ...string) error {
	// A WebSocket is a hijacked connection, which http.Server.Shutdown does
	// not wait for: count the requests ourselves. Each is counted before it
	// is hijacked, while Shutdown still waits for it.
	var requests sync.WaitGroup
	pages := &openPages{max: lim.maxPages}
	handler := handler(bridge, logger, lim, pages, hosts...)
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		defer requests.Done()
		handler.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler: counted,
		// A client gets 5 s for its request headers and 10 s for the whole
		// request and for the response (the page's files are small), and a
		// keep-alive connection may sit idle for 30 s before it is closed.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		// Every request's context derives from ctx, so cancelling ctx
		// reaches every bridge.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), lim.shutdown)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	returned := make(chan struct{})
	go func() { requests.Wait(); close(returned) }()
	select {
	case <-returned:
		return err
	case <-shutdownCtx.Done():
		n := pages.closeAll()
		return errors.Join(err, fmt.Errorf("%d bridge(s) still running %v after shutdown began: does Bridge return when its ctx is done? Their pages were closed", n, lim.shutdown))
	}
}

// allowedHost reports whether host (a Host header: name or name:port) is a
// loopback name or address, or the name of one of hosts.
func allowedHost(host string, hosts []string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	if ip := net.ParseIP(strings.Trim(name, "[]")); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range hosts {
		if h != "" && strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// closeReason is the reason sent in the WebSocket close frame after err: the
// status code and message, cut to the 123 bytes a close frame may carry.
func closeReason(err error) string {
	st := status.Convert(err)
	reason := st.Code().String() + ": " + st.Message()
	for len(reason) > 123 {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	return reason
}

// URL is the address to open in a browser for a server listening on lis,
// started with the -listen flag value listen (its host, if it names one).
func URL(listen string, lis net.Listener) string {
	host, _, _ := net.SplitHostPort(listen)
	_, port, _ := net.SplitHostPort(lis.Addr().String())
	if host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
