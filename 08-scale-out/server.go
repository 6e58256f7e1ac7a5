package scaleout

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// The bounds of a replica, each for a reason.
const (
	// MaxRecvMsgSize is the largest message a replica reads: a Say of
	// MaxTextLength characters, four bytes each at most, and its framing.
	// gRPC's default, 4 MiB, would let one client make a replica hold
	// megabytes per stream.
	MaxRecvMsgSize = 4 << 10
	// MaxStreamsPerConnection caps the streams one connection may hold
	// open: one client cannot take a replica's every handler. Every
	// workshop server has this cap (internal/serve); named here because a
	// replica's tests set it too.
	MaxStreamsPerConnection = serve.MaxStreams
	// DefaultJoinTimeout is how long a stream may stay open without its
	// Join, if Config.JoinTimeout does not say: a client that opens streams
	// and says nothing holds no handler for long.
	DefaultJoinTimeout = 5 * time.Second
	// HistoryLength is how many recent events a first Join is sent.
	HistoryLength = 20
	// DefaultLogSize is how many events a replica holds for its members, if
	// Config.LogSize does not say: the furthest a member may fall behind
	// before it is cut, and the oldest event a resume may start after.
	DefaultLogSize = 4096
	// MaxNameLength and MaxTextLength bound a Join's name and a Say's
	// text, in characters (Unicode code points).
	MaxNameLength = 32
	MaxTextLength = 1000
)

// Config is what a replica needs: the broker, and how much it holds.
type Config struct {
	// JetStream is the replica's connection to the broker, where the
	// room's stream exists (broker.CreateRoom). The caller closes it, after
	// Close.
	JetStream jetstream.JetStream
	// LogSize is how many events the replica holds for its members; zero
	// means DefaultLogSize.
	LogSize int
	// JoinTimeout is how long a stream may wait for its Join; zero means
	// DefaultJoinTimeout.
	JoinTimeout time.Duration
	// Logger, if set, receives the replica's own lines; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Server is one replica of the room: it implements the Room service of
// room.proto for the members connected to it, and shares the room with the
// other replicas through the broker. What it holds is yours to decide
// (README: the design decision).
type Server struct {
	roompb.UnimplementedRoomServer
}

// NewServer starts a replica of the room on cfg's broker. It returns once
// the replica holds the room's recent events, so that a member who joins at
// once gets its history.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	// TODO(task 1): the replica takes in the room's stream (broker.Stream),
	// in the stream's order, from before its start on. TestTask1_….
	return &Server{}, nil
}

// Close ends every member's stream with Unavailable, refuses new ones, and
// stops taking the stream in. Call it when the replica shuts down, before
// GracefulStop waits for the handlers.
func (s *Server) Close() {
	// TODO(task 1): every open stream ends with codes.Unavailable; later
	// Joins are refused. TestTask1_CloseEndsEveryStreamWithUnavailable.
}

// Lag is how many events the room's stream holds that this replica has not
// taken in yet, as the broker counts them now.
func (s *Server) Lag(ctx context.Context) (uint64, error) {
	// TODO(task 6): a replica behind the stream never looks caught up: the
	// count, or an error if it cannot tell. TestTask6_AReplicaBehindTheStreamSaysSo.
	return 0, status.Error(codes.Unimplemented, "TODO(task 6): Lag in 08-scale-out/server.go — see 08-scale-out/README.md")
}

// Connect is a bidirectional-streaming rpc: one member on this replica. The
// README's contract says what each member sees.
func (s *Server) Connect(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
	// TODO(task 1): a Join, then every event of the room's stream to the
	// member, in order; each Say published; bad input ends it. TestTask1_….
	//
	// TODO(task 2): a first Join starts with the last HistoryLength events;
	// a Join with after, right after it. TestTask2_….
	return status.Error(codes.Unimplemented, "TODO(task 1): handle a Connect stream in 08-scale-out/server.go — see 08-scale-out/README.md")
}
