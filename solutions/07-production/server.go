package production

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/07-production/room"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
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

// Connect puts the caller in the room under the name its token proves.
func (s *Server) Connect(stream roompb.Room_ConnectServer) error {
	reason, err := s.connect(stream)
	stream.SetTrailer(metadata.Pairs(TrailerEndReason, reason))
	return err
}

// connect runs the stream and returns why it ended, and how.
func (s *Server) connect(stream roompb.Room_ConnectServer) (string, error) {
	who, ok := identity(stream.Context())
	if !ok {
		return room.Refused, status.Error(codes.Unauthenticated, "no identity: is StreamAuth installed?")
	}
	join, err := room.ReadJoin(stream, s.cfg.JoinTimeout)
	if err != nil {
		return room.Refused, err
	}
	if join.GetName() != "" && join.GetName() != who.Name {
		return room.Refused, status.Errorf(codes.PermissionDenied, "your token says you are %q; you cannot join as %q", who.Name, join.GetName())
	}
	// Set before the first message: the headers go out with it, or alone
	// ahead of the status if the Join is refused.
	if err := stream.SetHeader(metadata.Pairs(HeaderRoom, s.room.Name(), HeaderMember, who.Name)); err != nil {
		return room.Canceled, err
	}
	member, err := s.room.Join(who.Name)
	if err != nil {
		return room.Refused, err
	}
	return member.Serve(stream)
}

// Remove lets an admin end a member's stream, once the audit has it.
func (s *Server) Remove(ctx context.Context, req *roompb.RemoveRequest) (*roompb.RemoveResponse, error) {
	who, ok := identity(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "no identity: is UnaryAuth installed?")
	}
	if who.Role != token.Admin {
		return nil, status.Errorf(codes.PermissionDenied, "only an admin may remove a member; %q is a %s", who.Name, who.Role)
	}
	// On the caller's behalf, so with the caller's context: its deadline
	// travels to the audit service, and its cancellation ends that call.
	entry := &roompb.AuditEntry{Actor: who.Name, Action: "remove", Target: req.GetName()}
	if _, err := s.cfg.Audit.Record(ctx, entry); err != nil {
		return nil, err
	}
	if err := s.room.Remove(req.GetName()); err != nil {
		return nil, err
	}
	return &roompb.RemoveResponse{}, nil
}
