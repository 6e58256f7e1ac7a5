package scaleout

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/broker"
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
	// publishBound is how long the Left of a member whose stream ended may
	// take to reach the broker: the stream's own context is over by then.
	publishBound = 5 * time.Second
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
// other replicas through the broker.
//
// It publishes what its members do (Joined, Message, Left) to the room's
// stream, and takes the whole stream in, in the stream's order, with one
// ordered consumer: every event reaches the replica's room (room.go) once,
// whoever published it, and the room hands it to each member.
type Server struct {
	roompb.UnimplementedRoomServer
	js        jetstream.JetStream
	stream    jetstream.Stream
	room      *room
	consuming jetstream.ConsumeContext
	joinWait  time.Duration
	logger    *slog.Logger
}

// NewServer starts a replica of the room on cfg's broker. It returns once
// the replica holds the room's recent events (up to the last one stored
// when it started), so that a member who joins at once gets its history.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.LogSize <= 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.JoinTimeout <= 0 {
		cfg.JoinTimeout = DefaultJoinTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	stream, err := cfg.JetStream.Stream(ctx, broker.Stream)
	if err != nil {
		return nil, err
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return nil, err
	}
	// Take in the last LogSize events, then everything after them.
	last := info.State.LastSeq
	start := max(info.State.FirstSeq, 1)
	if last >= uint64(cfg.LogSize) {
		start = max(start, last-uint64(cfg.LogSize)+1)
	}
	s := &Server{js: cfg.JetStream, stream: stream, room: newRoom(cfg.LogSize, start), joinWait: cfg.JoinTimeout, logger: logger}
	// An ordered consumer: the broker delivers the stream in order, and the
	// client library starts it again after a gap or a broken connection,
	// from the next sequence number. Nothing to acknowledge; the broker
	// holds only an ephemeral consumer in memory, dropped once unused.
	consumer, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start,
	})
	if err != nil {
		return nil, err
	}
	s.consuming, err = consumer.Consume(s.takeIn)
	if err != nil {
		return nil, err
	}
	if err := s.room.waitFor(ctx, last); err != nil {
		s.consuming.Stop()
		return nil, err
	}
	return s, nil
}

// takeIn is the consumer's handler: each event of the stream, in order.
func (s *Server) takeIn(msg jetstream.Msg) {
	ev, err := broker.Decode(msg)
	if err != nil {
		s.logger.Error("skipping an event of the room's stream", "err", err)
		return
	}
	s.room.append(ev)
}

// Close ends every member's stream with Unavailable, refuses new ones, and
// stops taking the stream in. Call it when the replica shuts down, before
// GracefulStop waits for the handlers.
func (s *Server) Close() {
	s.room.close()
	s.consuming.Stop()
	<-s.consuming.Closed()
}

// Lag is how many events the room's stream holds that this replica has not
// taken in yet, as the broker counts them now. A replica that cannot reach
// the broker says so with an error: it cannot know how far behind it is.
func (s *Server) Lag(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, status.Errorf(codes.Unavailable, "asking the broker for the room's last event: %v", err)
	}
	if taken := s.room.taken(); info.State.LastSeq > taken {
		return info.State.LastSeq - taken, nil
	}
	return 0, nil
}

// Connect is a bidirectional-streaming rpc: one member on this replica.
// After the Join, three things go on at once, and the first to finish ends
// the stream: a reader publishes the member's Says, a writer follows the
// replica's log and sends it, and the room may end the membership (cut for
// falling behind, or shutdown).
func (s *Server) Connect(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
	join, err := receiveJoin(stream, s.joinWait)
	if err != nil {
		return err
	}
	name := join.GetName()
	m, err := s.room.join(stream.Context(), name, join.After, s.lastStored)
	if err != nil {
		return err
	}
	defer s.room.leave(m)
	ctx := stream.Context()
	// lastOwn is the seq of the member's own last event, as the broker
	// acknowledged it.
	var lastOwn atomic.Uint64
	seq, err := s.publish(ctx, &roompb.ServerEvent{Event: &roompb.ServerEvent_Joined{Joined: &roompb.Joined{Name: name}}})
	if err != nil {
		return err
	}
	lastOwn.Store(seq)
	// However the stream ends, the room hears of it, once. The stream's
	// context is over by then: the Left gets a bound of its own.
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishBound)
		defer cancel()
		left := &roompb.ServerEvent{Event: &roompb.ServerEvent_Left{Left: &roompb.Left{Name: name}}}
		if _, err := s.publish(ctx, left); err != nil {
			s.logger.Warn("the room did not hear that a member left", "name", name, "err", err)
		}
	}()

	written := make(chan error, 1)
	go func() { written <- s.room.write(m, stream.Send) }()
	received := make(chan error, 1)
	go func() { received <- s.receiveSays(stream, name, &lastOwn) }()

	select {
	case err := <-received:
		if err != nil {
			m.end(err) // the writer starts no new Send
			return err
		}
		// io.EOF: the member leaves. The writer sends everything up to
		// their own last event (their last Say, or their Joined), then
		// stops.
		s.room.stopAt(m, lastOwn.Load()+1)
		return <-written
	case err := <-written:
		return err
	case <-m.done:
		return m.Err()
	}
}

// receiveJoin reads the stream's first event, which must be a valid Join,
// within wait.
func receiveJoin(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent], wait time.Duration) (*roompb.Join, error) {
	type first struct {
		ev  *roompb.ClientEvent
		err error
	}
	got := make(chan first, 1) // the Recv ends when the handler returns
	go func() {
		ev, err := stream.Recv()
		got <- first{ev, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var f first
	select {
	case f = <-got:
	case <-timer.C:
		return nil, status.Errorf(codes.DeadlineExceeded, "no Join within %v of opening the stream", wait)
	}
	if errors.Is(f.err, io.EOF) {
		return nil, status.Error(codes.FailedPrecondition, "the stream ended before a Join")
	}
	if f.err != nil {
		return nil, f.err
	}
	join := f.ev.GetJoin()
	if join == nil {
		return nil, status.Error(codes.FailedPrecondition, "the first event must be a Join")
	}
	if err := validate("name", join.GetName(), MaxNameLength); err != nil {
		return nil, err
	}
	return join, nil
}

// receiveSays publishes each Say of the stream, in order, until io.EOF (it
// returns nil) or an error, and keeps in lastOwn the seq of the last one. Publishing waits for the broker's
// acknowledgement: while it waits, nothing more is read, and gRPC's flow
// control slows a fast speaker down.
func (s *Server) receiveSays(stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent], name string, lastOwn *atomic.Uint64) error {
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch ev := ev.GetEvent().(type) {
		case *roompb.ClientEvent_Say:
			text := ev.Say.GetText()
			if err := validate("text", text, MaxTextLength); err != nil {
				return err
			}
			msg := &roompb.ServerEvent{Event: &roompb.ServerEvent_Message{Message: &roompb.Message{Sender: name, Text: text}}}
			seq, err := s.publish(stream.Context(), msg)
			if err != nil {
				return err
			}
			lastOwn.Store(seq)
		case *roompb.ClientEvent_Join:
			return status.Error(codes.FailedPrecondition, "already joined: a stream joins once")
		default:
			return status.Error(codes.FailedPrecondition, "an event must hold a Join or a Say")
		}
	}
}

// publish stores ev in the room's stream, waits for the broker to say it
// did, and returns the seq the broker gave it.
func (s *Server) publish(ctx context.Context, ev *roompb.ServerEvent) (uint64, error) {
	data, err := broker.Encode(ev)
	if err != nil {
		return 0, status.Errorf(codes.Internal, "encoding an event: %v", err)
	}
	ack, err := s.js.Publish(ctx, broker.Subject, data)
	if err != nil {
		if ctx.Err() != nil {
			return 0, status.FromContextError(ctx.Err()).Err()
		}
		return 0, status.Errorf(codes.Unavailable, "the broker did not take the event: %v", err)
	}
	return ack.Sequence, nil
}

// lastStored is the seq of the last event the broker has stored.
func (s *Server) lastStored(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, status.Errorf(codes.Unavailable, "asking the broker for the room's last event: %v", err)
	}
	return info.State.LastSeq, nil
}

// validate checks a name or a text: 1 to limit characters, valid UTF-8,
// not only whitespace, no control characters.
func validate(field, s string, limit int) error {
	switch {
	case !utf8.ValidString(s):
		return status.Errorf(codes.InvalidArgument, "the %s is not valid UTF-8", field)
	case strings.TrimSpace(s) == "":
		return status.Errorf(codes.InvalidArgument, "the %s must not be empty", field)
	case utf8.RuneCountInString(s) > limit:
		return status.Errorf(codes.InvalidArgument, "the %s has %d characters, more than %d", field, utf8.RuneCountInString(s), limit)
	case field == "name" && strings.ContainsFunc(s, unicode.IsControl):
		return status.Errorf(codes.InvalidArgument, "the name %q holds a control character", s)
	}
	return nil
}
