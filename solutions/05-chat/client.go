package chat

import (
	"context"
	"errors"
	"io"
	"strings"

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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.Connect(ctx)
	if err != nil {
		return err
	}

	// The receiver: the only goroutine that calls Recv. It ends when the
	// stream does; io.EOF means the server ended it with OK.
	received := make(chan error, 1)
	go func() {
		for {
			ev, err := stream.Recv()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				received <- err
				return
			}
			show(ev)
		}
	}()

	// The sender: this goroutine, the only one that calls Send. A failed
	// Send (io.EOF) means the stream has ended; Recv has the reason.
	if err := stream.Send(&chatpb.ClientEvent{Event: &chatpb.ClientEvent_Join{Join: &chatpb.Join{Name: name}}}); err != nil {
		return <-received
	}
	for {
		select {
		case err := <-received:
			return err // the server ended the stream
		case line, ok := <-lines:
			line = strings.TrimSpace(line)
			if !ok || line == QuitCommand {
				// Half-close: "I am done sending". Then read on until the
				// server ends the stream, so nothing on its way is lost.
				// (CloseSend's error is always nil in grpc-go; how the
				// stream ended is Recv's to say.)
				stream.CloseSend()
				return <-received
			}
			if line == "" {
				continue
			}
			if err := stream.Send(&chatpb.ClientEvent{Event: &chatpb.ClientEvent_Say{Say: &chatpb.Say{Text: line}}}); err != nil {
				return <-received
			}
		}
	}
}
