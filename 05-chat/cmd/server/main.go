// Command server runs step 05's chat room on localhost:50051 (see -h).
// On Ctrl-C it ends every member's stream (Unavailable) and stops.
package main

import (
	"flag"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"

	chat "github.com/grpc-streaming-workshop/workshop/05-chat"
	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

func main() {
	cfg := chat.DefaultConfig()
	perSecond := flag.Float64("rate", float64(cfg.Rate), "messages per second one member may say, sustained; a faster member is slowed (its sends block), never cut")
	flag.IntVar(&cfg.Burst, "burst", cfg.Burst, "messages one member may say at once, before -rate applies")
	flag.IntVar(&cfg.MaxMembers, "max-members", cfg.MaxMembers, "members the room takes at once; one more is refused with RESOURCE_EXHAUSTED")
	flag.IntVar(&cfg.LogSize, "log", cfg.LogSize, "events the room log holds: a member who falls further behind is cut with RESOURCE_EXHAUSTED")
	// serve.MainStopping parses the flags: read them only once it has.
	var room *chat.Server
	serve.MainStopping(func(s *grpc.Server) {
		cfg.Rate = rate.Limit(*perSecond)
		room = chat.NewServer(cfg)
		chatpb.RegisterChatServer(s, room)
	}, func() {
		// A member's stream lasts until they leave, so GracefulStop alone
		// would wait for the whole grace period: Close ends the streams as
		// shutdown begins.
		room.Close()
	})
}
