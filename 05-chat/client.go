package chat

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// QuitCommand is the line that leaves the room.
const QuitCommand = "/quit"

// Chat is one participant's side of a Connect stream. It joins the room
// behind client as name, then does two things at once until the stream ends:
//
//   - it sends each line read from lines as a Say (skipping blank ones);
//     QuitCommand, or lines being closed, leaves the room with CloseSend;
//   - a receiver goroutine calls show with every event the server sends, as
//     it arrives (show is only ever called from that one goroutine).
//
// Leaving does not end the stream at once: the server ends it, after sending
// what was still on its way, and Chat returns when it has. Chat returns nil
// when the server ended the stream with OK, otherwise the stream's status
// error (ResourceExhausted: too slow; Unavailable: shutdown; Canceled: ctx).
func Chat(ctx context.Context, client chatpb.ChatClient, name string, lines <-chan string, show func(*chatpb.ServerEvent)) error {
	// TODO(task 5): open the stream with client.Connect(ctx). Start the
	// receiver: a goroutine that calls stream.Recv() in a loop, show(ev) for
	// each event, and puts the final error on a channel with room for one
	// (io.EOF becomes nil: the server ended the stream with OK).
	// Then send the Join, and loop on a select: the receiver finished
	// (return its error), or a line arrived (trim it with strings.TrimSpace;
	// skip a blank one; send a Say). At QuitCommand or a closed channel call
	// stream.CloseSend() and return what the receiver reports: wait for the
	// server to end the stream. When a Send fails, the stream has ended:
	// the receiver knows why.
	return status.Error(codes.Unimplemented, "TODO(task 5): join and chat in 05-chat/client.go — see 05-chat/README.md")
}
