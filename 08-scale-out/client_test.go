package scaleout

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 3: one client connection to every replica spreads new streams.

func TestTask3_NewStreamsSpreadOverEveryReplica(t *testing.T) {
	var addrs []string
	for i := range 3 {
		f := &fakeReplica{play: func(_ int, stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
			// Each stream is told which replica took it.
			return stream.Send(&roompb.ServerEvent{Seq: uint64(i)})
		}}
		addrs = append(addrs, startFake(t, f).Addr())
	}
	conn, err := Dial(addrs, insecureCreds)
	if err != nil {
		t.Fatalf("Dial(%q): %v — task 3 in client.go", addrs, err)
	}
	defer conn.Close()
	wait := patience(streamLimit)
	ctx := grpctest.Context(t, wait)
	took := map[uint64]int{}
	for opened := 0; len(took) < len(addrs); opened++ {
		stream, err := roompb.NewRoomClient(conn).Connect(ctx, grpc.WaitForReady(true))
		if err == nil {
			var ev *roompb.ServerEvent
			if ev, err = stream.Recv(); err == nil {
				took[ev.GetSeq()]++
			}
		}
		if ranOut(ctx, err) {
			t.Fatalf("%d streams opened on Dial's connection in %v went to replicas %v, want some on each of the %d — task 3 in client.go: new streams spread over every replica",
				opened, wait, took, len(addrs))
		}
		if err != nil {
			t.Fatalf("a stream on Dial's connection: %v — task 3 in client.go", err)
		}
	}
}

func TestTask3_DialWithoutReplicasIsAnError(t *testing.T) {
	conn, err := Dial(nil, insecureCreds)
	if err == nil {
		conn.Close()
		t.Fatalf("Dial(nil) returned a connection and no error, want an error: there is no replica to reach — task 3 in client.go")
	}
	if status.Code(err) == codes.Unimplemented {
		t.Fatalf("Dial(nil): %v — task 3 in client.go", err)
	}
}

// Task 4: a member's Chat resumes on another stream when its stream is
// cut, and stops on anything else.

func TestTask4_ChatResumesAfterTheLastEventShown(t *testing.T) {
	said := make(chan string, 1)
	f := &fakeReplica{}
	f.play = func(n int, stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
		if _, err := f.recvJoin(stream); err != nil {
			return err
		}
		if n == 0 {
			for seq := uint64(5); seq <= 7; seq++ {
				if err := stream.Send(&roompb.ServerEvent{Seq: seq, Event: &roompb.ServerEvent_Joined{Joined: &roompb.Joined{Name: "ada"}}}); err != nil {
					return err
				}
			}
			return status.Error(codes.Unavailable, "this replica is shutting down")
		}
		if err := stream.Send(&roompb.ServerEvent{Seq: 8, Event: &roompb.ServerEvent_Joined{Joined: &roompb.Joined{Name: "ada"}}}); err != nil {
			return err
		}
		for {
			ev, err := stream.Recv()
			if err != nil {
				return nil // io.EOF: ada left; anything else: she is gone anyway
			}
			said <- ev.GetSay().GetText()
		}
	}
	conn, err := Dial([]string{startFake(t, f).Addr()}, insecureCreds)
	if err != nil {
		t.Fatalf("Dial: %v — task 3 in client.go", err)
	}
	defer conn.Close()
	ada := startChat(t, conn, "ada")
	hint := "task 4 in client.go: a stream that ends with Unavailable is followed by another, which resumes after the last event shown"
	ada.shown.waitFor(t, "ada", "the events of seq 5 to 8", func(evs []*roompb.ServerEvent) bool { return len(evs) >= 4 }, hint)
	checkTranscript(t, "ada", ada.shown.all(), hint)
	if streams, joins := f.seen(); streams != 2 || joins[0].After != nil || joins[1].GetName() != "ada" || joins[1].After == nil || joins[1].GetAfter() != 7 {
		t.Fatalf("ada's Chat opened %d streams with the Joins %v, want 2: a first one without after, then one as \"ada\" with after 7 — %s", streams, joins, hint)
	}
	ada.say(t, "back again", "task 4 in client.go: Chat says each text of says")
	wait := patience(streamLimit)
	select {
	case got := <-said:
		if got != "back again" {
			t.Fatalf("ada's second stream carried the Say %q, want \"back again\" — task 4 in client.go", got)
		}
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("ada's Chat took \"back again\" and no stream carried it within %v — task 4 in client.go: Chat says each text of says", wait)
	}
	if err := ada.leave(t, "task 4 in client.go: once says is closed, Chat half-closes and returns at the end of the stream"); err != nil {
		t.Fatalf("ada closed says and her Chat returned %v, want nil — task 4 in client.go", err)
	}
}

func TestTask4_ChatReturnsARefusal(t *testing.T) {
	f := &fakeReplica{}
	f.play = func(_ int, stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
		if _, err := f.recvJoin(stream); err != nil {
			return err
		}
		return status.Error(codes.InvalidArgument, "the name must not be empty")
	}
	conn, err := Dial([]string{startFake(t, f).Addr()}, insecureCreds)
	if err != nil {
		t.Fatalf("Dial: %v — task 3 in client.go", err)
	}
	defer conn.Close()
	nobody := startChat(t, conn, "")
	err = nobody.wait(t, "task 4 in client.go: a stream refused with anything but Unavailable ends Chat")
	grpctest.WantCode(t, "Chat refused", err, codes.InvalidArgument, "task 4 in client.go: Chat returns the status of a refusal as it came")
	if streams, _ := f.seen(); streams != 1 {
		t.Fatalf("Chat opened %d streams for a name the room refused, want 1 — task 4 in client.go: only Unavailable is worth another try", streams)
	}
}

func TestTask4_ChatEndsWithItsContext(t *testing.T) {
	f := &fakeReplica{}
	f.play = func(_ int, stream grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]) error {
		<-stream.Context().Done()
		return status.FromContextError(stream.Context().Err()).Err()
	}
	conn, err := Dial([]string{startFake(t, f).Addr()}, insecureCreds)
	if err != nil {
		t.Fatalf("Dial: %v — task 3 in client.go", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Chat(ctx, conn, "ada", make(chan string), func(*roompb.ServerEvent) {}) }()
	cancel()
	wait := patience(streamLimit)
	select {
	case err := <-done:
		grpctest.WantCode(t, "Chat whose context was cancelled", err, codes.Canceled, "task 4 in client.go: Chat returns ctx's status when ctx ends")
	case <-time.After(wait):
		aWaitRanOut.Store(true)
		t.Fatalf("Chat had not returned %v after its context was cancelled — task 4 in client.go", wait)
	}
}
