package chat

import (
	"errors"
	"io"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// Config holds the room's limits. A zero field takes its default.
type Config struct {
	// LogSize is how many events may wait to be sent to one member: a
	// member with more than that waiting is cut (ResourceExhausted).
	LogSize int
	// Rate is how many Says per second one member may make, sustained, and
	// Burst how many at once. A faster speaker is slowed, not cut.
	Rate  rate.Limit
	Burst int
	// MaxMembers is how many members the room takes at once.
	MaxMembers int
	// JoinWait is how long a stream may stay open without its Join, and
	// LeaveWait how long a member who left (CloseSend) may take to receive
	// what was said before: then the stream ends (DeadlineExceeded). Both on
	// the wall clock: a stream that does nothing holds a place until then.
	JoinWait, LeaveWait time.Duration
	// Clock tells the time and waits for the rate limit: the real clock
	// unless a test sets a fake one.
	Clock Clock
}

// DefaultConfig is the room that cmd/server runs unless told otherwise.
func DefaultConfig() Config {
	return Config{LogSize: 4096, Rate: 10, Burst: 50, MaxMembers: 2000,
		JoinWait: 10 * time.Second, LeaveWait: 10 * time.Second, Clock: realClock{}}
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.LogSize <= 0 {
		c.LogSize = d.LogSize
	}
	if c.Rate <= 0 {
		c.Rate = d.Rate
	}
	if c.Burst <= 0 {
		c.Burst = d.Burst
	}
	if c.MaxMembers <= 0 {
		c.MaxMembers = d.MaxMembers
	}
	if c.JoinWait <= 0 {
		c.JoinWait = d.JoinWait
	}
	if c.LeaveWait <= 0 {
		c.LeaveWait = d.LeaveWait
	}
	if c.Clock == nil {
		c.Clock = d.Clock
	}
	return c
}

// Clock is the time as the rate limit sees it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Server implements the Chat service of chat.proto: one room, shared by
// every Connect stream.
type Server struct {
	chatpb.UnimplementedChatServer
	hub *hub
}

// NewServer returns a server with an empty room and cfg's limits.
func NewServer(cfg Config) *Server {
	return &Server{hub: newHub(cfg)}
}

// Close ends every open Connect stream with Unavailable and refuses new
// members. Call it when the server shuts down: GracefulStop waits for every
// handler to return, and a chat member's handler returns only when told.
func (s *Server) Close() { s.hub.Close() }

// Connect is a bidirectional-streaming rpc: it runs for as long as the
// client is in the room, on its own goroutine. The first event must be a
// Join; then three things go on at once, and the first to finish ends the
// stream:
//
//   - a reader goroutine takes the client's Say events to the hub, each
//     when the member's rate allows, until io.EOF (the client left with
//     CloseSend) or an error;
//   - a writer goroutine follows the room log and sends it;
//   - the hub may end the membership: fallen off the log, or shutdown.
//
// The handler itself only waits. Returning is the one way a server ends a
// stream, and it also unblocks a Recv or a Send still waiting on the
// client: gRPC cancels the stream's context as the handler returns.
func (s *Server) Connect(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
	m, err := s.receiveJoin(stream)
	if err != nil {
		return err
	}
	// However the stream ends, the member leaves, and the others are told
	// once: Leave does nothing if the member is already gone.
	defer s.hub.Leave(m)

	written := make(chan error, 1)
	go func() { written <- m.writeLoop(stream.Send) }()
	received := make(chan error, 1)
	go func() { received <- s.receiveSays(stream, m) }()

	select {
	case err := <-received:
		if err != nil {
			// A refused event, or the client is gone (Canceled). End the
			// membership with err first, so the writer starts no new Send:
			// the stream is over once the handler returns.
			m.end(err)
			return err
		}
		// io.EOF: the client left. Announce it now, then let the writer
		// send the log up to the member's leaving; it stops there. A member
		// who no longer reads would hold it for ever: LeaveWait bounds that.
		s.hub.Leave(m)
		select {
		case err := <-written:
			return err
		case <-time.After(s.hub.cfg.LeaveWait):
			return status.Errorf(codes.DeadlineExceeded, "left, but did not take what was said before within %v", s.hub.cfg.LeaveWait)
		}
	case err := <-written:
		return err // Send failed (the client is gone), or the hub ended the membership
	case <-m.Done():
		return m.Err() // ended by the hub: fallen off the log, or shutdown
	}
}

// receiveJoin reads the stream's first event, which must be a Join, and
// enters the room with it.
//
// Recv cannot be told to stop waiting, so it runs on a goroutine of its own
// while the handler waits for it for at most JoinWait: a handler that
// returns ends the stream, and that ends the Recv too.
func (s *Server) receiveJoin(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) (*member, error) {
	type received struct {
		ev  *chatpb.ClientEvent
		err error
	}
	first := make(chan received, 1)
	go func() {
		ev, err := stream.Recv()
		first <- received{ev, err}
	}()
	var ev *chatpb.ClientEvent
	var err error
	select {
	case r := <-first:
		ev, err = r.ev, r.err
	case <-time.After(s.hub.cfg.JoinWait):
		return nil, status.Errorf(codes.DeadlineExceeded, "no join within %v", s.hub.cfg.JoinWait)
	}
	if errors.Is(err, io.EOF) {
		return nil, status.Error(codes.FailedPrecondition, "the stream ended before a join")
	}
	if err != nil {
		return nil, err
	}
	join := ev.GetJoin()
	if join == nil {
		return nil, status.Error(codes.FailedPrecondition, "the first event must be a join")
	}
	return s.hub.Join(join.GetName())
}

// receiveSays is the read loop: it hands every Say to the hub, once the
// member's rate allows it (pace). While it waits it reads nothing, and
// gRPC's flow control slows the client down. It returns nil at io.EOF, the
// error of a broken stream, or the status that refuses a bad event (which
// ends the stream: a bidi stream has no per-message error).
func (s *Server) receiveSays(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent], m *member) error {
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch ev := ev.GetEvent().(type) {
		case *chatpb.ClientEvent_Say:
			if err := m.pace(stream.Context()); err != nil {
				return err
			}
			if err := s.hub.Say(m, ev.Say.GetText()); err != nil {
				return err
			}
		case *chatpb.ClientEvent_Join:
			return status.Error(codes.FailedPrecondition, "already joined: a stream joins once")
		default:
			return status.Error(codes.FailedPrecondition, "an event must hold a join or a say")
		}
	}
}
