package chat

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// The client tests run Chat against fake rooms defined here, so that they
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

// chatRun is one run of Chat as "ada": what it showed, and what it returned.
type chatRun struct {
	mu       sync.Mutex
	shown    []*chatpb.ServerEvent
	returned bool     // Chat has returned
	late     []string // events shown after Chat had returned
	arrived  chan struct{}
	result   chan error
}

// show is the show function given to Chat.
func (r *chatRun) show(ev *chatpb.ServerEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.returned {
		r.late = append(r.late, describe(ev))
		return
	}
	r.shown = append(r.shown, ev)
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}

// chatWith runs Chat(ctx, …) as "ada" against a fake room playing scene.
func chatWith(t *testing.T, ctx context.Context, lines <-chan string, scene func(grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error) *chatRun {
	t.Helper()
	run := &chatRun{arrived: make(chan struct{}, 1), result: make(chan error, 1)}
	// Registered first, so it runs last, once every goroutine has ended.
	t.Cleanup(func() {
		run.mu.Lock()
		defer run.mu.Unlock()
		if len(run.late) > 0 {
			t.Errorf("Chat's show was called with %v after Chat had returned — task 5 in client.go: "+
				"show is never called once Chat has returned", run.late)
		}
	})
	srv := grpctest.Start(t, func(s *grpc.Server) { chatpb.RegisterChatServer(s, &fakeRoom{scene: scene}) })
	before := learnerGoroutines()
	t.Cleanup(func() { // runs after the client connection is closed
		goroutinesEnd(t, before, "task 5 in client.go: nothing of Chat keeps running once it has returned")
	})
	client := chatpb.NewChatClient(srv.Dial(t))
	go func() {
		err := Chat(ctx, client, "ada", lines, run.show)
		run.mu.Lock()
		run.returned = true
		run.mu.Unlock()
		run.result <- err
	}()
	return run
}

// wait waits for Chat to return.
func (r *chatRun) wait(t *testing.T, hint string) error {
	t.Helper()
	select {
	case err := <-r.result:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("Chat had not returned %v later — %s", waitLimit, hint)
		return nil
	}
}

// waitShown waits until Chat has shown n events, and returns them.
func (r *chatRun) waitShown(t *testing.T, n int, hint string) []*chatpb.ServerEvent {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		r.mu.Lock()
		shown := slices.Clone(r.shown)
		r.mu.Unlock()
		if len(shown) >= n {
			return shown
		}
		select {
		case <-r.arrived:
		case err := <-r.result:
			t.Fatalf("Chat returned %v after showing %d events, want %d first — %s", err, len(shown), n, hint)
		case <-deadline:
			t.Fatalf("Chat showed %d events in %v, want %d — %s", len(shown), waitLimit, n, hint)
		}
	}
}

// typeLine hands line to Chat as if the user had typed it.
func (r *chatRun) typeLine(t *testing.T, lines chan<- string, line string) {
	t.Helper()
	select {
	case lines <- line:
	case err := <-r.result:
		t.Fatalf("Chat returned %v while the user was still typing — task 5 in client.go: Chat runs until /quit, the end of lines, or the end of the stream", err)
	case <-time.After(waitLimit):
		t.Fatalf("Chat did not read the line %q within %v — task 5 in client.go: each typed line is said as it comes", line, waitLimit)
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
	type says struct {
		texts []string
		err   error // how the room's Recv ended: nil for io.EOF
	}
	said := make(chan says, 1)
	run := chatWith(t, grpctest.Context(t, patience(streamLimit)), lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		texts, err := recvSays(stream)
		said <- says{texts, err}
		return err
	})
	err := run.wait(t, "task 5 in client.go: /quit leaves the room, and Chat returns when the server has ended the stream")
	if err != nil {
		t.Fatalf("Chat returned %v, want nil after /quit — task 5 in client.go: /quit half-closes the stream, and the server ends it with OK; "+
			"then wait until Recv returns io.EOF: the server ended the stream with OK", err)
	}
	var room says
	select {
	case room = <-said: // the room ended the stream after this, and Chat returned after that
	default:
		t.Fatalf("Chat returned before the room had seen it leave — task 5 in client.go: after /quit, Chat returns only once the server has ended the stream")
	}
	if room.err != nil {
		t.Fatalf("the room's Recv ended with %v, want io.EOF (a half-close) — task 5 in client.go: /quit half-closes the stream; it does not cancel the call", room.err)
	}
	if !slices.Equal(room.texts, []string{"hello", "how are you?"}) {
		t.Errorf("the room got Says %q, want [\"hello\" \"how are you?\"] — task 5 in client.go: each line is said, blank ones skipped, until /quit", room.texts)
	}
}

func TestTask5_ChatShowsEventsAsTheyArrive(t *testing.T) {
	lines := make(chan string)
	run := chatWith(t, grpctest.Context(t, patience(streamLimit)), lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		// Say something before the client has typed anything, and wait
		// for an answer: a client that only reads after sending would
		// never show it.
		if err := stream.Send(messageEvent("welcome")); err != nil {
			return err
		}
		texts, err := recvSays(stream)
		if err == nil && !slices.Equal(texts, []string{"thanks"}) {
			err = status.Errorf(codes.FailedPrecondition, "fake room: got Says %q, want [\"thanks\"]", texts)
		}
		return err
	})
	shown := run.waitShown(t, 1, "the room said \"welcome\" while the user was idle — task 5 in client.go: "+
		"each event is shown as it arrives, whether or not a line is typed")
	if shown[0].GetMessage().GetText() != "welcome" {
		t.Fatalf("Chat showed %s, want the room's Message \"welcome\" — task 5 in client.go", describe(shown[0]))
	}
	run.typeLine(t, lines, "thanks")
	run.typeLine(t, lines, QuitCommand)
	if err := run.wait(t, "task 5 in client.go"); err != nil {
		t.Errorf("Chat returned %v, want nil — task 5 in client.go", err)
	}
}

func TestTask5_LeavingReadsUntilTheServerEndsTheStream(t *testing.T) {
	for _, tc := range []struct {
		how   string
		leave func(chan string)
	}{
		{"/quit", func(lines chan string) { lines <- QuitCommand }},
		{"closed lines", func(lines chan string) { close(lines) }},
	} {
		t.Run(tc.how, func(t *testing.T) {
			lines := make(chan string, 1)
			tc.leave(lines)
			run := chatWith(t, grpctest.Context(t, patience(streamLimit)), lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
				if _, err := recvSays(stream); err != nil {
					return err
				}
				// After the client half-closed, the server still speaks.
				return stream.Send(messageEvent("goodbye"))
			})
			if err := run.wait(t, "task 5 in client.go: the end of lines, like /quit, leaves the room; Chat returns when the server has ended the stream"); err != nil {
				t.Fatalf("Chat returned %v, want nil — task 5 in client.go", err)
			}
			run.mu.Lock()
			defer run.mu.Unlock()
			if n := len(run.shown); n == 0 || run.shown[n-1].GetMessage().GetText() != "goodbye" {
				t.Errorf("Chat did not show the room's last message \"goodbye\", sent after the client left — task 5 in client.go: " +
					"everything the server sends before it ends the stream is shown")
			}
		})
	}
}

// After /quit the stream is not over until the server ends it. This room
// keeps it open until ada's ctx is cancelled, so a Chat that waits returns
// Canceled, and one that did not wait has returned already, with nil.
func TestTask5_LeavingWaitsForTheServer(t *testing.T) {
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience(streamLimit)))
	lines := make(chan string, 1)
	lines <- QuitCommand
	halfClosed := make(chan error, 1)
	run := chatWith(t, ctx, lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		_, err := recvSays(stream)
		halfClosed <- err
		<-stream.Context().Done() // the room is not done with ada yet
		return status.FromContextError(stream.Context().Err()).Err()
	})
	select {
	case err := <-run.result:
		t.Fatalf("Chat returned %v at /quit, before the room had ended the stream — task 5 in client.go: after /quit, Chat returns only once the server has ended the stream", err)
	case err := <-halfClosed:
		if err != nil {
			t.Fatalf("the room's Recv ended with %v, want io.EOF (a half-close) — task 5 in client.go: /quit half-closes the stream", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the room never saw the client half-close — task 5 in client.go: /quit half-closes the stream")
	}
	cancel() // ada's caller gives up, while the stream is still open
	grpctest.WantCode(t, "Chat, cancelled while the room still held its stream open after /quit",
		run.wait(t, "task 5 in client.go: the stream ends when ctx does, and Chat returns once it has ended"), codes.Canceled,
		"task 5 in client.go: Chat returns how the stream ended")
}

func TestTask5_ChatReturnsTheStreamsError(t *testing.T) {
	lines := make(chan string) // the user types nothing
	run := chatWith(t, grpctest.Context(t, patience(streamLimit)), lines, func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		return status.Error(codes.ResourceExhausted, "you fell behind")
	})
	err := run.wait(t, "task 5 in client.go: Chat returns when the stream ends, even while no line is typed")
	grpctest.WantCode(t, "Chat in a room that disconnects you", err, codes.ResourceExhausted,
		"task 5 in client.go: Chat returns the stream's status, unchanged")
}

// When the server has ended a stream, the client's Send returns a bare
// io.EOF; the status is what Recv returns. scriptedStream plays exactly
// that, with no server, so that the order of events is the test's to set.
func TestTask5_AFailedSendGivesTheStreamsStatus(t *testing.T) {
	for _, tc := range []struct {
		what     string
		failFrom int // the Send that returns io.EOF: 0 is the Join
	}{
		{"the Join", 0},
		{"a Say", 1},
	} {
		t.Run(tc.what, func(t *testing.T) {
			stream := &scriptedStream{failFrom: tc.failFrom, sent: make(chan *chatpb.ClientEvent, 10), end: make(chan error, 1)}
			lines := make(chan string, 1)
			lines <- "hello"
			result := make(chan error, 1)
			ctx := grpctest.Context(t, patience(streamLimit))
			go func() { result <- Chat(ctx, scriptedClient{stream}, "ada", lines, func(*chatpb.ServerEvent) {}) }()

			for range tc.failFrom + 1 {
				select {
				case <-stream.sent:
				case err := <-result:
					t.Fatalf("Chat returned %v before sending %s — task 5 in client.go", err, tc.what)
				case <-time.After(waitLimit):
					t.Fatalf("Chat did not send %s within %v — task 5 in client.go", tc.what, waitLimit)
				}
			}
			// The Send of tc.what returned io.EOF; now the receiver learns why.
			stream.end <- status.Error(codes.ResourceExhausted, "you fell behind")
			select {
			case err := <-result:
				grpctest.WantCode(t, "Chat, when Send of "+tc.what+" failed", err, codes.ResourceExhausted,
					"task 5 in client.go: when a Say cannot be sent because the stream ended, Chat returns the stream's status, not io.EOF")
			case <-time.After(waitLimit):
				t.Fatalf("Chat had not returned %v after the stream ended — task 5 in client.go: Chat returns once the stream has ended", waitLimit)
			}
		})
	}
}

func TestTask5_ChatStopsWhenCtxIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(grpctest.Context(t, patience(streamLimit)))
	joined := make(chan struct{})
	run := chatWith(t, ctx, make(chan string), func(stream grpc.BidiStreamingServer[chatpb.ClientEvent, chatpb.ServerEvent]) error {
		close(joined)
		<-stream.Context().Done()
		return status.FromContextError(stream.Context().Err()).Err()
	})
	select {
	case <-joined:
	case err := <-run.result:
		t.Fatalf("Chat returned %v before the room got its Join — task 5 in client.go: Chat joins first", err)
	case <-time.After(waitLimit):
		t.Fatalf("the room did not get ada's Join within %v — task 5 in client.go: Chat joins first", waitLimit)
	}
	cancel()
	err := run.wait(t, "task 5 in client.go: the stream ends when ctx does")
	grpctest.WantCode(t, "Chat whose ctx is cancelled", err, codes.Canceled, "task 5 in client.go: open the stream with ctx and return the receiver's error")
}

// scriptedClient is a ChatClient whose one stream is scripted by the test.
type scriptedClient struct{ stream *scriptedStream }

func (c scriptedClient) Connect(ctx context.Context, _ ...grpc.CallOption) (grpc.BidiStreamingClient[chatpb.ClientEvent, chatpb.ServerEvent], error) {
	c.stream.ctx = ctx
	return c.stream, nil
}

// scriptedStream is a Connect stream that the server has ended, as gRPC
// shows it to a client: Sends from the failFrom-th on return io.EOF, and
// Recv returns what the test puts into end (or the ctx's status).
type scriptedStream struct {
	ctx      context.Context
	failFrom int
	sent     chan *chatpb.ClientEvent // every Send, as it happens
	end      chan error

	mu    sync.Mutex
	sends int
}

func (s *scriptedStream) Send(ev *chatpb.ClientEvent) error {
	s.mu.Lock()
	n := s.sends
	s.sends++
	s.mu.Unlock()
	s.sent <- ev
	if n >= s.failFrom {
		return io.EOF
	}
	return nil
}

func (s *scriptedStream) Recv() (*chatpb.ServerEvent, error) {
	select {
	case err := <-s.end:
		s.end <- err // the stream stays ended for any later Recv
		return nil, err
	case <-s.ctx.Done():
		return nil, status.FromContextError(s.ctx.Err()).Err()
	}
}

func (s *scriptedStream) CloseSend() error             { return nil }
func (s *scriptedStream) Context() context.Context     { return s.ctx }
func (s *scriptedStream) Header() (metadata.MD, error) { return nil, nil }
func (s *scriptedStream) Trailer() metadata.MD         { return nil }
func (s *scriptedStream) SendMsg(m any) error          { return s.Send(m.(*chatpb.ClientEvent)) }
func (s *scriptedStream) RecvMsg(any) error            { _, err := s.Recv(); return err }
