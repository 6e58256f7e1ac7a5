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
// behind client as name, then, until the stream ends, says each line read
// from lines (skipping blank ones) and calls show with every event the
// server sends, as it arrives (never from two goroutines at once).
// QuitCommand, or lines being closed, leaves the room with CloseSend.
//
// Leaving does not end the stream at once: the server ends it, after sending
// what was still on its way, and Chat returns when it has. Chat returns nil
// when the server ended the stream with OK, otherwise the stream's status
// error (ResourceExhausted: too slow; Unavailable: shutdown; Canceled: ctx).
func Chat(ctx context.Context, client chatpb.ChatClient, name string, lines <-chan string, show func(*chatpb.ServerEvent)) error {
	// TODO(task 5): join, show each event as it arrives, say each line; /quit
	// or the end of lines half-closes and waits for the server's status.
	// TestTask5_ChatJoinsThenSaysEachLine, TestTask5_LeavingWaitsForTheServer.
	return status.Error(codes.Unimplemented, "TODO(task 5): join and chat in 05-chat/client.go — see 05-chat/README.md")
}
