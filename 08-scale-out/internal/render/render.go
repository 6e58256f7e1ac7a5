// Package render writes the room's events as lines of text, for step 08's
// client and demo.
package render

import (
	"fmt"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// Line renders an event as one line: its seq, then what happened.
func Line(ev *roompb.ServerEvent) string {
	switch e := ev.GetEvent().(type) {
	case *roompb.ServerEvent_Message:
		return fmt.Sprintf("#%d %s: %s", ev.GetSeq(), e.Message.GetSender(), e.Message.GetText())
	case *roompb.ServerEvent_Joined:
		return fmt.Sprintf("#%d * %s joined", ev.GetSeq(), e.Joined.GetName())
	case *roompb.ServerEvent_Left:
		return fmt.Sprintf("#%d * %s left", ev.GetSeq(), e.Left.GetName())
	}
	return fmt.Sprintf("#%d (an event this client does not know)", ev.GetSeq())
}
