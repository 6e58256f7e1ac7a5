// Command server runs step 05's chat room on localhost:50051 (see -h).
// On Ctrl-C it ends every member's stream (Unavailable) and stops.
package main

import (
	"google.golang.org/grpc"

	chat "github.com/grpc-streaming-workshop/workshop/05-chat"
	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	room := chat.NewServer(chat.DefaultOutboxSize)
	// A member's stream lasts until they leave, so GracefulStop alone would
	// wait for the whole grace period: room.Close ends the streams as
	// shutdown begins.
	serve.MainStopping(func(s *grpc.Server) {
		chatpb.RegisterChatServer(s, room)
	}, room.Close)
}
