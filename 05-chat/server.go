package chat

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// Server implements the Chat service of chat.proto: one room, shared by
// every Connect stream.
type Server struct {
	chatpb.UnimplementedChatServer
	hub *hub
}

// NewServer returns a server with an empty room, in which every member may
// fall at most outboxSize events behind (DefaultOutboxSize is a good start).
func NewServer(outboxSize int) *Server {
	return &Server{hub: newHub(outboxSize)}
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
//   - a reader goroutine takes the client's Say events to the hub, until
//     io.EOF (the client left with CloseSend) or an error;
//   - a writer goroutine sends what the hub queued for this member;
//   - the hub may end the membership: too slow a reader, or shutdown.
//
// The handler itself only waits. Returning is the one way a server ends a
// stream, and it also unblocks a Recv or a Send still waiting on the
// client: gRPC cancels the stream's context as the handler returns.
func (s *Server) Connect(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
	// TODO(task 4): s.receiveJoin, then defer s.hub.Leave(m). Run
	// m.writeLoop(stream.Send) and s.receiveSays(stream, m) in goroutines
	// that report on channels with room for one error, and return with the
	// first of: the read loop's error (at nil, io.EOF: Leave, then return
	// what the writer reports; any other error: m.end(err) first, so the
	// writer starts no Send after you return), the writer's, or m.Err() at
	// <-m.Done().
	return status.Error(codes.Unimplemented, "TODO(task 4): handle a Connect stream in 05-chat/server.go — see 05-chat/README.md")
}

// receiveJoin reads the stream's first event, which must be a Join, and
// enters the room with it.
func (s *Server) receiveJoin(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) (*member, error) {
	// TODO(task 4): stream.Recv() the first event and refuse one whose
	// GetJoin() is nil (or io.EOF) with codes.FailedPrecondition; otherwise
	// return s.hub.Join with its name.
	return nil, status.Error(codes.Unimplemented, "TODO(task 4): receive the join in 05-chat/server.go — see 05-chat/README.md")
}

// receiveSays is the read loop: it hands every Say to the hub. It returns
// nil at io.EOF, the error of a broken stream, or the status that refuses a
// bad event (which ends the stream: a bidi stream has no per-message error).
func (s *Server) receiveSays(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent], m *member) error {
	// TODO(task 4): loop on stream.Recv() (io.EOF: return nil) and switch on
	// ev.GetEvent().(type): a Say goes to s.hub.Say, anything else is refused
	// with codes.FailedPrecondition.
	return status.Error(codes.Unimplemented, "TODO(task 4): receive what members say in 05-chat/server.go — see 05-chat/README.md")
}
