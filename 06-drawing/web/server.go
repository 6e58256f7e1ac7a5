package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"google.golang.org/grpc/status"
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

// WriteTimeout bounds one write to a page. A page that stops reading (a
// frozen tab) fills its socket's buffers; its next write then fails, which
// ends the bridge and with it the gRPC stream, instead of pinning both until
// shutdown.
const WriteTimeout = 5 * time.Second

// Handler serves the page at / and its WebSocket at /ws; it calls bridge once
// for every WebSocket, on that request's goroutine. Upgrades are accepted
// only for a loopback host name or one of hosts (see allowedHost).
func Handler(bridge BridgeFunc, logger *slog.Logger, hosts ...string) http.Handler {
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
		logger.Info("page connected", "remote", r.RemoteAddr)
		page := newPage(conn)
		err = bridge(r.Context(), page)
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
// ctx is cancelled, and Serve returns once the last one has returned.
//
// hosts are the host names, besides loopback ones, that pages may be loaded
// from: the one given with -listen, if it names one.
func Serve(ctx context.Context, lis net.Listener, bridge BridgeFunc, logger *slog.Logger, hosts ...string) error {
	// A WebSocket is a hijacked connection, which http.Server.Shutdown does
	// not wait for: count the requests ourselves. Each is counted before it
	// is hijacked, while Shutdown still waits for it.
	var requests sync.WaitGroup
	handler := Handler(bridge, logger, hosts...)
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	requests.Wait()
	return err
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
