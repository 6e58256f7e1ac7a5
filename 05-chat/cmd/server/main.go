// Command server runs step 05's chat room on localhost:50051 (see -h).
// On Ctrl-C it ends every member's stream (Unavailable) and stops.
package main

import (
	"expvar"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"

	chat "github.com/grpc-streaming-workshop/workshop/05-chat"
	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	cfg := chat.DefaultConfig()
	perSecond := flag.Float64("rate", float64(cfg.Rate), "messages per second one member may say, sustained; a faster member is slowed (its sends block), never cut")
	flag.IntVar(&cfg.Burst, "burst", cfg.Burst, "messages one member may say at once, before -rate applies")
	flag.IntVar(&cfg.MaxMembers, "max-members", cfg.MaxMembers, "members the room takes at once; one more is refused with RESOURCE_EXHAUSTED")
	flag.IntVar(&cfg.LogSize, "log", cfg.LogSize, "events that may wait for one member: a member with more waiting is cut with RESOURCE_EXHAUSTED")
	debugAddr := flag.String("debug-addr", "", "if set (say localhost:6060), serve the Go runtime's profiles and memory statistics there over HTTP, for go tool pprof and cmd/load")
	// serve.MainStopping parses the flags: read them only once it has.
	var room *chat.Server
	serve.MainStopping(func(s *grpc.Server) {
		cfg.Rate = rate.Limit(*perSecond)
		room = chat.NewServer(cfg)
		chatpb.RegisterChatServer(s, room)
		if *debugAddr != "" {
			serveDebug(*debugAddr)
		}
	}, func() {
		// A member's stream lasts until they leave, so GracefulStop alone
		// would wait for the whole grace period: Close ends the streams as
		// shutdown begins.
		room.Close()
	})
}

// serveDebug serves, on its own port and apart from the gRPC server, what
// measuring the room needs: net/http/pprof's profiles (/debug/pprof/) and
// expvar's runtime.MemStats (/debug/vars). It is for a machine of your own:
// a profile tells much about a program, so listen on localhost only.
//
// Importing net/http/pprof and expvar also registers their handlers on
// http.DefaultServeMux; this program never serves that mux, only its own.
// The address is taken before the room opens, so that a busy port stops the
// server instead of leaving a measurement to reach another process.
func serveDebug(addr string) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server: -debug-addr:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // and every named profile: heap, goroutine, …
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	slog.Info("debug server", "addr", lis.Addr().String(), "profiles", "/debug/pprof/", "memory", "/debug/vars")
	go func() {
		if err := http.Serve(lis, mux); err != nil {
			slog.Error("debug server", "err", err)
		}
	}()
}
