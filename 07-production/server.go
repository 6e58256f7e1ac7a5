package production

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/07-production/room"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
)

// The bounds of the server, and why.
const (
	// MaxMessageSize: the largest message is a Say of 1000 characters, at
	// most 4 bytes each; anything bigger is refused by gRPC before it is
	// decoded (RESOURCE_EXHAUSTED), instead of the default 4 MiB.
	MaxMessageSize = 4 << 10
	// MaxStreamsPerConnection: one member needs one stream (and an admin a
	// unary call beside it); one connection may not open hundreds.
	MaxStreamsPerConnection = 8
)

// Limits are the server options that carry the bounds above.
func Limits() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxConcurrentStreams(MaxStreamsPerConnection),
	}
}

// The metadata of a Connect stream: the headers, sent before the first
// message, and the trailer, sent with the status.
const (
	HeaderRoom       = "room"
	HeaderMember     = "member"
	TrailerEndReason = "end-reason"
)

// Config is what a Server needs.
type Config struct {
	// Room is the room's name, sent in the "room" header.
	Room string
	// Audit records each removal before it takes effect.
	Audit roompb.AuditClient
	// JoinTimeout bounds the wait for a stream's Join; zero means room.JoinTimeout.
	JoinTimeout time.Duration
}

// Server is the Room service.
type Server struct {
	roompb.UnimplementedRoomServer
	cfg  Config
	room *room.Room
}

// NewServer returns a Server with an empty room.
func NewServer(cfg Config) *Server {
	if cfg.JoinTimeout == 0 {
		cfg.JoinTimeout = room.JoinTimeout
	}
	return &Server{cfg: cfg, room: room.New(cfg.Room)}
}

// Close ends every member's stream (UNAVAILABLE, "shutdown"): the server is stopping.
func (s *Server) Close() { s.room.Close() }

// Connect puts the caller in the room. As it stands, it trusts the name
// in the Join: anyone may speak as anyone.
func (s *Server) Connect(stream roompb.Room_ConnectServer) error {
	// TODO(task 3): the headers "room" and "member" reach the client before the first
	// message, and every way out sets the trailer "end-reason" (TestTask3_…).
	join, err := room.ReadJoin(stream, s.cfg.JoinTimeout)
	if err != nil {
		return err
	}
	// TODO(task 2): the member's name is the one the caller's token proves; a Join
	// naming anyone else is refused (TestTask2_JoiningAsSomeoneElseIsRefused).
	member, err := s.room.Join(join.GetName())
	if err != nil {
		return err
	}
	_, err = member.Serve(stream)
	return err
}

// Remove lets an admin end a member's stream.
func (s *Server) Remove(ctx context.Context, req *roompb.RemoveRequest) (*roompb.RemoveResponse, error) {
	// TODO(task 2): only a caller whose token has the admin role removes a member
	// (TestTask2_OnlyAnAdminRemoves).
	// TODO(task 6): the Audit service records the removal first, on the caller's
	// behalf: within its deadline, and abandoned with it (TestTask6_…).
	return nil, status.Error(codes.Unimplemented, "TODO(task 2): Remove — see 07-production/README.md")
}
