package chat

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tests run Chat against a fake room defined here, so that they
// do not depend on your server: each fake plays one scene, on purpose.

// fakeRoom runs scene as the Connect handler, after checking that the
// stream starts with a Join as "ada".
type fakeRoom struct {
	chatpb.UnimplementedChatServer
	scene func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error
}

func (f *fakeRoom) Connect(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
	ev, err := stream.Recv()
	if err != nil {
		return err
	}
	if ev.GetJoin().GetName() != "ada" {
		return status.Errorf(codes.FailedPrecondition, "fake room: the first event is %v, want a Join as \"ada\"", ev)
	}
	return f.scene(stream)
}

// chatWith runs Chat as "ada" against a fake room playing scene. It returns
// the events Chat showed (closed when Chat returns) and Chat's result.
func chatWith(t *testing.T, lines <-chan string, scene func(grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error) (<-chan *chatpb.ServerEvent, <-chan error) {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) { chatpb.RegisterChatServer(s, &fakeRoom{scene: scene}) })
	shown := make(chan *chatpb.ServerEvent, 100)
	result := make(chan error, 1)
	ctx := grpctest.Context(t, 5*time.Second)
	go func() {
		err := Chat(ctx, chatpb.NewChatClient(conn), "ada", lines, func(ev *chatpb.ServerEvent) { shown <- ev })
		close(shown)
		result <- err
	}()
	return shown, result
}

// chatResult waits for Chat to return.
func chatResult(t *testing.T, result <-chan error, hint string) error {
	t.Helper()
	select {
	case err := <-result:
		return err
	case <-time.After(6 * time.Second):
		t.Fatalf("Chat did not return — %s", hint)
		return nil
	}
}

// recvSays collects the texts of the Says the client sends until io.EOF.
func recvSays(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) ([]string, error) {
	var texts []string
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return texts, nil
		}
		if err != nil {
			return texts, err
		}
		if ev.GetSay() == nil {
			return texts, status.Errorf(codes.FailedPrecondition, "fake room: got %v, want a Say", ev)
		}
		texts = append(texts, ev.GetSay().GetText())
	}
}

func TestTask5_ChatJoinsThenSaysEachLine(t *testing.T) {
	lines := make(chan string, 10)
	for _, line := range []string{"hello", "   ", "", "how are you?", "/quit", "never sent"} {
		lines <- line
	}
	said := make(chan []string, 1)
	_, result := chatWith(t, lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		texts, err := recvSays(stream)
		said <- texts
		return err
	})
	if err := chatResult(t, result, "task 5 in client.go: at /quit, CloseSend and wait for the stream to end"); err != nil {
		t.Fatalf("Chat returned %v, want nil after /quit — task 5 in client.go", err)
	}
	select {
	case texts := <-said:
		if got, want := len(texts), 2; got != want || texts[0] != "hello" || texts[1] != "how are you?" {
			t.Errorf("the room got Says %q, want [\"hello\" \"how are you?\"] — task 5 in client.go: send each line as a Say, skip blank ones, stop at /quit", texts)
		}
	default:
		t.Errorf("the room never saw the client half-close — task 5 in client.go: at /quit call stream.CloseSend()")
	}
}

func TestTask5_ChatShowsEventsAsTheyArrive(t *testing.T) {
	lines := make(chan string)
	shown, result := chatWith(t, lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		// Say something before the client has typed anything, and wait
		// for an answer: a client that only reads after sending would
		// never show it.
		if err := stream.Send(messageEvent("welcome")); err != nil {
			return err
		}
		texts, err := recvSays(stream)
		if err == nil && (len(texts) != 1 || texts[0] != "thanks") {
			err = status.Errorf(codes.FailedPrecondition, "fake room: got Says %q, want [\"thanks\"]", texts)
		}
		return err
	})
	select {
	case ev, ok := <-shown:
		if !ok {
			t.Fatalf("Chat returned %v before showing anything — task 5 in client.go", <-result)
		}
		if ev.GetMessage().GetText() != "welcome" {
			t.Fatalf("Chat showed %s, want the room's Message \"welcome\" — task 5 in client.go", describe(ev))
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("the room said \"welcome\" but Chat did not show it while the user was idle — task 5 in client.go: receive in a goroutine of its own and call show for each event")
	}
	lines <- "thanks"
	lines <- "/quit"
	if err := chatResult(t, result, "task 5 in client.go"); err != nil {
		t.Errorf("Chat returned %v, want nil — task 5 in client.go", err)
	}
}

func TestTask5_LeavingReadsUntilTheServerEndsTheStream(t *testing.T) {
	for _, tc := range []struct {
		how   string
		leave func(chan string)
	}{
		{"/quit", func(lines chan string) { lines <- "/quit" }},
		{"closed lines", func(lines chan string) { close(lines) }},
	} {
		t.Run(tc.how, func(t *testing.T) {
			lines := make(chan string, 1)
			tc.leave(lines)
			shown, result := chatWith(t, lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
				if _, err := recvSays(stream); err != nil {
					return err
				}
				// After the client half-closed, the server still speaks.
				return stream.Send(messageEvent("goodbye"))
			})
			if err := chatResult(t, result, "task 5 in client.go: after CloseSend, keep receiving until Recv returns io.EOF"); err != nil {
				t.Fatalf("Chat returned %v, want nil — task 5 in client.go", err)
			}
			var last string
			for ev := range shown {
				last = ev.GetMessage().GetText()
			}
			if last != "goodbye" {
				t.Errorf("Chat did not show the room's last message \"goodbye\", sent after the client left — task 5 in client.go: after CloseSend, wait for the receiver to reach io.EOF")
			}
		})
	}
}

func TestTask5_ChatReturnsTheStreamsError(t *testing.T) {
	lines := make(chan string) // the user types nothing
	_, result := chatWith(t, lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		return status.Error(codes.ResourceExhausted, "you fell behind")
	})
	err := chatResult(t, result, "task 5 in client.go: return when the receiver sees the stream end, even while waiting for a line")
	grpctest.WantCode(t, "Chat in a room that disconnects you", err, codes.ResourceExhausted,
		"task 5 in client.go: return the error Recv gave, unchanged")
}

func TestTask5_ChatStopsWhenCtxIsDone(t *testing.T) {
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		chatpb.RegisterChatServer(s, &fakeRoom{scene: func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
			<-stream.Context().Done()
			return status.FromContextError(stream.Context().Err()).Err()
		}})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	result := make(chan error, 1)
	go func() {
		result <- Chat(ctx, chatpb.NewChatClient(conn), "ada", make(chan string), func(*chatpb.ServerEvent) {})
	}()
	err := chatResult(t, result, "task 5 in client.go: open the stream with ctx, so that it ends when ctx does")
	grpctest.WantCode(t, "Chat whose ctx expires", err, codes.DeadlineExceeded, "task 5 in client.go: open the stream with ctx")
}
