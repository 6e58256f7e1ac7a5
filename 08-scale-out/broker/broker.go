// Package broker is the message broker that step 08's replicas share: NATS
// with JetStream, which stores the room's events in one stream and hands
// them to every replica in the same order. It holds what is not the lesson:
// starting an embedded nats-server (tests and the demo run one in-process,
// so nothing needs installing), creating the room's stream, and turning the
// room's events into stream messages and back.
//
// Only step 08 imports it: it lives in the step's folder, not in the shared
// internal/, so that the other steps never compile NATS. (Not under
// 08-scale-out/internal either: the solution, in solutions/08-scale-out,
// imports it too.)
package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// The room's stream: every replica publishes to Subject and consumes Stream.
const (
	Stream  = "ROOM"
	Subject = "room.events"
	// Keep is how many events the stream keeps (then it drops the oldest):
	// the broker's memory of the room, far more than any replica holds.
	Keep = 1_000_000
	// startBound is how long an embedded server may take to accept clients.
	startBound = 10 * time.Second
)

// Embedded is a nats-server with JetStream running in this process.
type Embedded struct {
	srv *server.Server
}

// Start runs a nats-server with JetStream in this process, storing the
// streams under dir, on a free loopback port (port -1), or on listen
// ("host:port") if it is not empty. It logs nothing.
func Start(dir, listen string) (*Embedded, error) {
	opts := &server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  dir,
		NoLog:     true,
		NoSigs:    true,
	}
	if listen != "" {
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return nil, err
		}
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("the broker's port %q: %w", port, err)
		}
		opts.Host = host
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(startBound) {
		srv.Shutdown()
		return nil, errors.New("the embedded nats-server did not start")
	}
	return &Embedded{srv: srv}, nil
}

// URL is where clients connect: nats://127.0.0.1:port.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Stop shuts the server down and waits until it has.
func (e *Embedded) Stop() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// Connect connects to the broker at url and returns the connection (close
// it when done) and its JetStream API. name shows in the broker's
// monitoring (a replica's name, say).
func Connect(url, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1))
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// CreateRoom creates the room's stream, or leaves it as it is if it exists:
// every replica may call it at start. File storage: the room outlives a
// restart of the broker.
func CreateRoom(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
	return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      Stream,
		Subjects:  []string{Subject},
		Storage:   jetstream.FileStorage,
		MaxMsgs:   Keep,
		Discard:   jetstream.DiscardOld,
		Retention: jetstream.LimitsPolicy,
	})
}

// Encode is the message body of ev as published on Subject. Its Seq is
// left out: the broker gives each message its sequence number as it stores
// it, and Decode reads it from there.
func Encode(ev *roompb.ServerEvent) ([]byte, error) {
	ev = proto.CloneOf(ev)
	ev.Seq = 0
	return proto.Marshal(ev)
}

// Decode turns a message of the stream back into the event it carries,
// with Seq set to the message's sequence number in the stream: the same on
// every replica, and the cursor a member resumes from.
func Decode(msg jetstream.Msg) (*roompb.ServerEvent, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return nil, fmt.Errorf("a message of the room's stream without its metadata: %w", err)
	}
	ev := &roompb.ServerEvent{}
	if err := proto.Unmarshal(msg.Data(), ev); err != nil {
		return nil, fmt.Errorf("message %d of the room's stream: %w", meta.Sequence.Stream, err)
	}
	ev.Seq = meta.Sequence.Stream
	return ev, nil
}
