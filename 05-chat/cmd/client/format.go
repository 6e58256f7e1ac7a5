package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// format renders a server event as the line(s) a user reads.
func format(ev *chatpb.ServerEvent) string {
	switch ev := ev.GetEvent().(type) {
	case *chatpb.ServerEvent_Message:
		return formatMessage(ev.Message)
	case *chatpb.ServerEvent_Joined:
		return "* " + ev.Joined.GetName() + " joined"
	case *chatpb.ServerEvent_Left:
		return "* " + ev.Left.GetName() + " left"
	case *chatpb.ServerEvent_History:
		msgs := ev.History.GetMessages()
		if len(msgs) == 0 {
			return "* you are in; nothing was said yet (type /quit to leave)"
		}
		lines := []string{fmt.Sprintf("* you are in; the last %d message(s) (type /quit to leave):", len(msgs))}
		for _, msg := range msgs {
			lines = append(lines, formatMessage(msg))
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("* %v", ev) // an event this client does not know yet
}

// formatMessage renders "15:04:05 ada: hello" in local time. Control
// characters become '?': someone else's text must not be able to move the
// cursor or recolour your terminal.
func formatMessage(msg *chatpb.Message) string {
	text := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, msg.GetText())
	return fmt.Sprintf("%s %s: %s", msg.GetSentAt().AsTime().Local().Format("15:04:05"), msg.GetSender(), text)
}
