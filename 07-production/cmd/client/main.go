// Command client joins step 07's room over mutual TLS, with a token:
//
//	go run ./07-production/cmd/client -certs /tmp/workshop07 -token "$(go run ./07-production/cmd/token -certs /tmp/workshop07 -name ada)"
//
// Each line you type is said to the room; /quit or Ctrl-D leaves. It shows
// the headers the server sent when it let you in, and the trailer that
// says why your stream ended. -remove NAME, with an admin's token, removes
// a member instead, within -timeout.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

func main() {
	addr := flag.String("addr", cli.DefaultAddr, "server address")
	dir := flag.String("certs", "", "folder made by cmd/certs: the CA to trust, the client certificate and key")
	tok := flag.String("token", "", "your token (cmd/token); without one, the server refuses you")
	remove := flag.String("remove", "", "instead of chatting, remove this member (an admin's token only)")
	timeout := flag.Duration("timeout", 5*time.Second, "how long -remove may take; the server's call to the Audit service gets the same deadline")
	flag.Parse()

	creds, err := production.ClientCredentials(*dir)
	if err != nil {
		cli.Exit(err)
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(creds), cli.SessionKeepalive}
	if *tok != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(production.Bearer(*tok)))
	}
	conn := cli.Dial(*addr, opts...)
	defer conn.Close()
	client := roompb.NewRoomClient(conn)
	if *remove != "" {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		_, err = client.Remove(ctx, &roompb.RemoveRequest{Name: *remove})
		cancel()
	} else {
		err = chat(client)
	}
	if err != nil {
		conn.Close()
		cli.Exit(err)
	}
}

// chat joins, says each line of stdin, and prints what the room says.
func chat(client roompb.RoomClient) error {
	stream, err := client.Connect(context.Background())
	if err != nil {
		return err
	}
	if err := stream.Send(&roompb.ClientEvent{Event: &roompb.ClientEvent_Join{Join: &roompb.Join{}}}); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	// Header waits for the server's headers: they come before any message.
	if md, err := stream.Header(); err == nil && len(md.Get(production.HeaderMember)) > 0 {
		fmt.Printf("* you are %s in room %s\n", md.Get(production.HeaderMember)[0], strings.Join(md.Get(production.HeaderRoom), ""))
	}
	received := make(chan error, 1)
	go func() { received <- show(stream) }()
	lines := make(chan string)
	go func() { // ends with the program: a read from a terminal cannot be cancelled
		for sc := bufio.NewScanner(os.Stdin); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	}()

	for {
		select {
		case err := <-received: // the server ended the stream
			return ended(stream, err)
		case line, ok := <-lines:
			text := strings.TrimSpace(line)
			if !ok || text == "/quit" {
				stream.CloseSend()
				return ended(stream, <-received)
			}
			if text == "" {
				continue
			}
			// An error here means the stream has ended: received has the reason.
			stream.Send(&roompb.ClientEvent{Event: &roompb.ClientEvent_Say{Say: &roompb.Say{Text: text}}})
		}
	}
}

// ended shows the trailer's end-reason, there once the stream has ended.
func ended(stream grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent], err error) error {
	if reason := stream.Trailer().Get(production.TrailerEndReason); len(reason) > 0 {
		fmt.Printf("* the stream ended: %s\n", reason[0])
	}
	return err
}

// show prints the room's events until the stream ends; nil for OK.
func show(stream grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent]) error {
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch e := ev.GetEvent().(type) {
		case *roompb.ServerEvent_Message:
			fmt.Printf("%s: %s\n", e.Message.GetSender(), e.Message.GetText())
		case *roompb.ServerEvent_Joined:
			fmt.Printf("* %s joined\n", e.Joined.GetName())
		case *roompb.ServerEvent_Left:
			fmt.Printf("* %s left (%s)\n", e.Left.GetName(), e.Left.GetReason())
		}
	}
}
