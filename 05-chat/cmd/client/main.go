// Command client joins step 05's chat room and chats from the terminal:
//
//	go run ./05-chat/cmd/client -name ada
//
// Type a line and Enter to say it; /quit (or Ctrl-D) leaves, with a goodbye.
package main

import (
	"context"
	"flag"

	chat "github.com/grpc-streaming-workshop/workshop/05-chat"
	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/05-chat/console"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	name := flag.String("name", "", "your name in the room (1 to 32 characters)")
	flag.Parse()

	con, err := console.Open(*name + "> ")
	if err != nil {
		cli.Exit(err)
	}
	conn := cli.Dial(*addr, cli.SessionKeepalive)
	err = chat.Chat(context.Background(), chatpb.NewChatClient(conn), *name, con.Lines(),
		func(ev *chatpb.ServerEvent) { con.Println(format(ev)) })
	if err == nil {
		con.Println("* you left the room — goodbye")
	}
	conn.Close()
	con.Close()
	if err != nil {
		cli.Exit(err)
	}
}
