package chat

import (
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// Config holds the room's limits. A zero field takes its default.
type Config struct {
	// LogSize is how many events the room log holds, shared by all
	// members: how far one member may fall behind before it is cut.
	LogSize int
	// Rate is how many Says per second one member may make, sustained, and
	// Burst how many at once. A faster speaker is slowed, not cut.
	Rate  rate.Limit
	Burst int
	// MaxMembers is how many members the room takes at once.
	MaxMembers int
	// Clock tells the time and waits for the rate limit: the real clock
	// unless a test sets a fake one.
	Clock Clock
}

// DefaultConfig is the room that cmd/server runs unless told otherwise.
func DefaultConfig() Config {
	return Config{LogSize: 4096, Rate: 10, Burst: 50, MaxMembers: 2000, Clock: realClock{}}
}

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
	// TODO(task 4): the design decision of the step (README): who reads, who
	// sends, how the first to finish ends the stream, the member leaving once.
	// TestTask4_JoinSayAndLeave, TestTask4_NoSendAfterTheStreamEnded.
	return status.Error(codes.Unimplemented, "TODO(task 4): handle a Connect stream in 05-chat/server.go — see 05-chat/README.md")
}

// receiveJoin reads the stream's first event, which must be a Join, and
// enters the room with it.
func (s *Server) receiveJoin(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) (*member, error) {
	// TODO(task 4): the first event must be a Join (codes.FailedPrecondition
	// otherwise); enter the room with it. TestTask4_FirstEventMustBeAJoin.
	return nil, status.Error(codes.Unimplemented, "TODO(task 4): receive the join in 05-chat/server.go — see 05-chat/README.md")
}

// receiveSays is the read loop: it hands every Say to the hub, once the
// member's rate allows it (pace). While it waits it reads nothing, and
// gRPC's flow control slows the client down. It returns nil at io.EOF, the
// error of a broken stream, or the status that refuses a bad event (which
// ends the stream: a bidi stream has no per-message error).
func (s *Server) receiveSays(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent], m *member) error {
	// TODO(task 4): every Say to the hub until io.EOF (nil); anything else
	// ends the stream with its code. TestTask4_BadInput.
	//
	// TODO(task 7): a fast speaker is slowed by flow control, never cut or
	// dropped: pace. TestTask7_AFastSpeakerIsSlowedNotCut.
	return status.Error(codes.Unimplemented, "TODO(task 4): receive what members say in 05-chat/server.go — see 05-chat/README.md")
}
