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
// every Connect stream. What it holds is yours to decide (README: the
// design decision).
type Server struct {
	chatpb.UnimplementedChatServer
}

// NewServer returns a server with an empty room and cfg's limits.
func NewServer(cfg Config) *Server {
	return &Server{}
}

// Close ends every open Connect stream with Unavailable and refuses new
// members. Call it when the server shuts down: GracefulStop waits for every
// handler to return, and a chat member's handler returns only when told.
func (s *Server) Close() {
	// TODO(task 2): every open stream ends with codes.Unavailable, and later
	// joins are refused. TestTask2_CloseEndsEveryStream.
}

// Connect is a bidirectional-streaming rpc: it runs for as long as the
// client is in the room. The README's contract says what each member sees.
func (s *Server) Connect(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
	// TODO(task 1): a Join, then History and Joined; each Say reaches every
	// member, in one order for all. TestTask1_… in join_test.go.
	//
	// TODO(task 2): leaving (CloseSend, cancel, a dropped connection): all
	// that was on its way first, Left to the others once. TestTask2_….
	//
	// TODO(task 4): bad events end the stream with the README's codes.
	// TestTask4_BadInput.
	return status.Error(codes.Unimplemented, "TODO(task 1): handle a Connect stream in 05-chat/server.go — see 05-chat/README.md")
}
