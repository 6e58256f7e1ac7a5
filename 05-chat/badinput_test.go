package chat

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 4: every refusal of the README's table ends the stream with its code
// (the names that impersonate are task 8's, the cap task 9's). What the
// message says is yours.
func TestTask4_BadInput(t *testing.T) {
	const (
		badName  = "task 4 in names.go: a name that is blank, over 32 characters or holds a control character is refused with codes.InvalidArgument"
		taken    = "task 4 in server.go: a name in the room is refused with codes.AlreadyExists"
		badText  = "task 4 in server.go: a text that is blank or over 1000 characters is refused with codes.InvalidArgument, and the stream ends"
		badOrder = "task 4 in server.go: a Join first, then only Says: anything else is refused with codes.FailedPrecondition"
	)
	for _, tc := range []struct {
		what   string
		joined bool // join as "ada" first
		send   []*chatpb.ClientEvent
		want   codes.Code
		hint   string
	}{
		{"an empty name", false, []*chatpb.ClientEvent{joinEvent("")}, codes.InvalidArgument, badName},
		{"a name of only whitespace", false, []*chatpb.ClientEvent{joinEvent(" \t")}, codes.InvalidArgument, badName},
		{"a name over 32 characters", false, []*chatpb.ClientEvent{joinEvent(strings.Repeat("é", 33))}, codes.InvalidArgument, badName},
		{"a name with a control character", false, []*chatpb.ClientEvent{joinEvent("a\x07b")}, codes.InvalidArgument, badName},
		{"a name with a newline", false, []*chatpb.ClientEvent{joinEvent("bob\nada")}, codes.InvalidArgument, badName},
		{"a name already in the room", false, []*chatpb.ClientEvent{joinEvent("bob")}, codes.AlreadyExists, taken},
		{"a say before the join", false, []*chatpb.ClientEvent{sayEvent("hi")}, codes.FailedPrecondition, badOrder},
		{"an event with nothing set", false, []*chatpb.ClientEvent{{}}, codes.FailedPrecondition, badOrder},
		{"a second join", true, []*chatpb.ClientEvent{joinEvent("ada")}, codes.FailedPrecondition, badOrder},
		{"a join after joining, of another name", true, []*chatpb.ClientEvent{joinEvent("cy")}, codes.FailedPrecondition, badOrder},
		{"an event with nothing set after joining", true, []*chatpb.ClientEvent{{}}, codes.FailedPrecondition, badOrder},
		{"an empty text", true, []*chatpb.ClientEvent{sayEvent("")}, codes.InvalidArgument, badText},
		{"a text of only whitespace", true, []*chatpb.ClientEvent{sayEvent(" \t\n")}, codes.InvalidArgument, badText},
		{"a text over 1000 characters", true, []*chatpb.ClientEvent{sayEvent(strings.Repeat("é", 1001))}, codes.InvalidArgument, badText},
		{"a say after a refused say", true, []*chatpb.ClientEvent{sayEvent(""), sayEvent("is anyone there?")}, codes.InvalidArgument, badText},
	} {
		t.Run(tc.what, func(t *testing.T) {
			r := startRoom(t, testConfig())
			bob, _ := enter(t, r.srv.Dial(t), "bob")
			var p *participant
			if tc.joined {
				p, _ = enter(t, r.srv.Dial(t), "ada")
				bob.expectJoined(t, "ada")
			} else {
				p = connect(t, r.srv.Dial(t), "ada")
			}
			var err error
			for _, ev := range tc.send {
				if err = grpctest.Send(p.stream, ev); err != nil {
					break // the server ended the stream already: err is its status
				}
			}
			if err == nil {
				err = p.expectEnd(t, "a bad event ends the stream — "+tc.hint)
			}
			grpctest.WantCode(t, tc.what, err, tc.want, tc.hint)
			if tc.joined {
				bob.expectLeft(t, "ada", "task 4 in server.go: a member whose stream was refused leaves, and the others get Left")
			}
			// The room is as it was: carol can join, and bob hears it next;
			// a refused Say took no sequence number.
			enter(t, r.srv.Dial(t), "carol")
			bob.expectJoined(t, "carol")
			bob.say(t, "after")
			if msg := bob.expectMessage(t, "bob", "after"); msg.GetSeq() != 1 {
				t.Errorf("the room's first accepted message has seq %d, want 1 — task 4 in server.go: a refused Say is not a message of the room, and takes no number", msg.GetSeq())
			}
		})
	}
	// A client who fell behind ends with ResourceExhausted: task 3.
}

// The edges of the limits are inside them.
func TestTask4_TheLongestNameAndTextAreFine(t *testing.T) {
	r := startRoom(t, testConfig())
	name := strings.Repeat("é", 32)
	p, err := tryJoin(t, r.srv.Dial(t), name)
	if err != nil {
		t.Fatalf("a Join as a name of 32 characters (64 bytes) ended with %v, want it to succeed — task 4 in names.go: names of up to 32 characters are fine", err)
	}
	text := strings.Repeat("é", 1000)
	p.say(t, text)
	p.expectMessageFor(t, name, text, "task 4 in server.go: texts of up to 1000 characters are fine")
}

// A refused Say ends ada's stream while a Send to her is in progress, with
// more events on their way. The spy lets that Send complete as the handler
// returns: no other Send may start after that.
func TestTask4_NoSendAfterARefusedSay(t *testing.T) {
	_, bob, ada, spied := bobAndAda(t, testConfig())
	sendsToAdaUnderWay(t, bob, spied)

	ada.say(t, "") // refused: ends ada's stream while "two" and "three" are still on their way to her
	grpctest.WantCode(t, "ada's Connect handler after a refused Say", spied.waitReturn(t, "task 4 in server.go: a refused Say ends the stream"),
		codes.InvalidArgument, "task 4 in server.go: an empty text is refused with codes.InvalidArgument")
	bob.expectLeft(t, "ada", "task 4 in server.go: a member whose stream was refused leaves")
	// The spy reports any Send that started after the handler returned
	// once every goroutine has ended (startRoom's cleanup).
}

// A stream that never sends its Join is ended after JoinWait. The stream
// has no deadline of its own, so a DeadlineExceeded can only be the room's.
func TestTask4_AStreamThatNeverJoinsIsEnded(t *testing.T) {
	cfg := testConfig()
	cfg.JoinWait = 100 * time.Millisecond
	r := startRoom(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := chatpb.NewChatClient(r.srv.Dial(t)).Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := stream.Recv()
		ended <- err
	}()
	limit := patience(streamLimit)
	select {
	case err := <-ended:
		grpctest.WantCode(t, "a stream that sent nothing for JoinWait", err,
			codes.DeadlineExceeded, "task 4 in server.go: a stream without a Join within Config.JoinWait ends")
	case <-time.After(limit):
		aWaitRanOut.Store(true)
		t.Fatalf("a stream that sent no Join was still open %v later (JoinWait is 100 ms here) — task 4 in server.go", limit)
	}
}
