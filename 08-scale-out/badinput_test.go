package scaleout

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 1: bad input ends the stream with the code room.proto lists.

func TestTask1_BadInput(t *testing.T) {
	room := openRoom(t)
	rep := room.start(t, Config{JoinTimeout: 200 * time.Millisecond})
	conn := rep.dial(t)
	join := func(name string) *roompb.ClientEvent { return joinEvent(name, nil) }
	cases := []struct {
		name   string
		events []*roompb.ClientEvent
		want   codes.Code
	}{
		{"an empty name", []*roompb.ClientEvent{join("")}, codes.InvalidArgument},
		{"a name of spaces", []*roompb.ClientEvent{join("   ")}, codes.InvalidArgument},
		{"a name of 33 characters", []*roompb.ClientEvent{join(strings.Repeat("é", 33))}, codes.InvalidArgument},
		{"a name with a control character", []*roompb.ClientEvent{join("ada\x07")}, codes.InvalidArgument},
		{"a Say before the Join", []*roompb.ClientEvent{sayEvent("hi")}, codes.FailedPrecondition},
		{"an event with nothing set", []*roompb.ClientEvent{{}}, codes.FailedPrecondition},
		{"a second Join", []*roompb.ClientEvent{join("ada"), join("ada")}, codes.FailedPrecondition},
		{"an empty text", []*roompb.ClientEvent{join("bob"), sayEvent("")}, codes.InvalidArgument},
		{"a text of 1001 characters", []*roompb.ClientEvent{join("cy"), sayEvent(strings.Repeat("ü", 1001))}, codes.InvalidArgument},
		{"a message over MaxRecvMsgSize", []*roompb.ClientEvent{join("dee"), sayEvent(strings.Repeat("x", MaxRecvMsgSize))}, codes.ResourceExhausted},
		{"no Join within the JoinTimeout", nil, codes.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := connect(t, conn, "?")
			for _, ev := range c.events {
				if grpctest.Send(p.stream, ev) != nil {
					break // the stream is over: its status comes from Recv
				}
			}
			err := p.expectEnd(t, "task 1 in server.go: "+c.name+" ends the stream")
			grpctest.WantCode(t, c.name, err, c.want, "task 1 in server.go: bad input ends the stream with the code room.proto lists")
		})
	}
	// The longest valid name and text are taken.
	p := enter(t, conn, strings.Repeat("é", MaxNameLength), nil)
	p.say(t, strings.Repeat("ü", MaxTextLength))
	p.until(t, messageOf(strings.Repeat("ü", MaxTextLength)), "task 1 in server.go: a text of MaxTextLength characters is valid")
}
