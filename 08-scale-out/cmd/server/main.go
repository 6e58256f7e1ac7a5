// Command server runs one replica of step 08's room.
//
// The replicas of a room share one NATS JetStream broker. Without -nats,
// this replica starts one of its own, in-process, on -nats-listen: the
// others then point at it.
//
//	go run ./08-scale-out/cmd/server                                        # replica 1, and the broker
//	go run ./08-scale-out/cmd/server -addr localhost:50052 -nats nats://localhost:4222
//	go run ./08-scale-out/cmd/server -addr localhost:50053 -nats nats://localhost:4222
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"

	scaleout "github.com/grpc-streaming-workshop/workshop/08-scale-out"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/broker"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	addr := flag.String("addr", serve.DefaultAddr, "host:port to listen on")
	grace := flag.Duration("grace", 5*time.Second, "on Ctrl-C, how long open streams may take to finish before they are cut off")
	natsURL := flag.String("nats", "", "the broker's URL, e.g. nats://localhost:4222; empty: start one in this process on -nats-listen")
	natsListen := flag.String("nats-listen", "localhost:4222", "where the broker this replica starts (without -nats) listens")
	maxAge := flag.Duration("max-age", 30*time.Minute, "how long a client connection lasts before the replica closes it, so that streams spread again")
	logSize := flag.Int("log", scaleout.DefaultLogSize, "how many events the replica holds: the furthest a member may fall behind")
	flag.Parse()
	if err := run(*addr, *grace, *natsURL, *natsListen, *maxAge, *logSize); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(addr string, grace time.Duration, natsURL, natsListen string, maxAge time.Duration, logSize int) error {
	if natsURL == "" {
		dir, err := os.MkdirTemp("", "room-broker-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		b, err := broker.Start(dir, natsListen)
		if err != nil {
			return fmt.Errorf("starting the broker: %w", err)
		}
		defer b.Stop()
		natsURL = b.URL()
		slog.Info("broker started in this process (JetStream in a temp dir)", "url", natsURL)
	}
	nc, js, err := broker.Connect(natsURL, "replica "+addr)
	if err != nil {
		return fmt.Errorf("connecting to the broker at %s: %w", natsURL, err)
	}
	defer nc.Close()
	ctx, abort := serve.Signals()
	start, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := broker.CreateRoom(start, js); err != nil {
		return fmt.Errorf("creating the room's stream: %w", err)
	}
	room, err := scaleout.NewServer(start, scaleout.Config{JetStream: js, LogSize: logSize})
	if err != nil {
		return err
	}
	keepalive, err := scaleout.Rebalance(maxAge)
	if err != nil {
		return err
	}
	return serve.Run(ctx, serve.Config{
		Addr:      addr,
		Grace:     grace,
		Stopping:  room.Close,
		Abort:     abort,
		Keepalive: &keepalive,
		Options:   []grpc.ServerOption{grpc.MaxRecvMsgSize(scaleout.MaxRecvMsgSize)},
	}, func(s *grpc.Server) { roompb.RegisterRoomServer(s, room) })
}
