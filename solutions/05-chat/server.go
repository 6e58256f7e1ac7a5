package chat

import (
	"errors"
	"io"

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
		// send what is still queued; it stops when the outbox is empty. (A
		// client that half-closes and then stops reading can hold this wait
		// until it cancels, or until shutdown's grace period cuts it off.)
		s.hub.Leave(m)
		return <-written
	case err := <-written:
		return err // Send failed (the client is gone), or the hub disconnected the member
	case <-m.Done():
		return m.Err() // disconnected by the hub: ResourceExhausted or Unavailable
	}
}

// receiveJoin reads the stream's first event, which must be a Join, and
// enters the room with it.
func (s *Server) receiveJoin(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) (*member, error) {
	ev, err := stream.Recv()
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

// receiveSays is the read loop: it hands every Say to the hub. It returns
// nil at io.EOF, the error of a broken stream, or the status that refuses a
// bad event (which ends the stream: a bidi stream has no per-message error).
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
