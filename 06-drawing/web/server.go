package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
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

// Handler serves the page at / and its WebSocket at /ws; it calls bridge once
// for every WebSocket, on that request's goroutine.
func Handler(bridge BridgeFunc, logger *slog.Logger) http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary: it is there
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(files))
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		// Accept checks that the page comes from this server (same origin),
		// so another site open in the browser cannot draw through it.
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
		conn.Close(websocket.StatusInternalError, "the bridge to the server ended")
	})
	return mux
}

// Serve serves Handler on lis until ctx is done, then stops: every bridge's
// ctx is cancelled, and Serve returns once the last one has returned.
func Serve(ctx context.Context, lis net.Listener, bridge BridgeFunc, logger *slog.Logger) error {
	// A WebSocket is a hijacked connection, which http.Server.Shutdown does
	// not wait for: count the requests ourselves. Each is counted before it
	// is hijacked, while Shutdown still waits for it.
	var requests sync.WaitGroup
	handler := Handler(bridge, logger)
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		defer requests.Done()
		handler.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           counted,
		ReadHeaderTimeout: 5 * time.Second,
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
