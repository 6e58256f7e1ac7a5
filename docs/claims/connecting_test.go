package claims

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// nobodyListens returns an address on which nothing listens.
func nobodyListens() string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	lis.Close()
	return lis.Addr().String()
}

// grpc.NewClient does not connect: it succeeds with no server there, and a
// server that is not there shows up as the call's Unavailable. With
// grpc.WaitForReady(true), the call waits for a server instead, until its
// deadline.
func Example_newClientDoesNotConnect() {
	conn, err := grpc.NewClient(nobodyListens(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	fmt.Println("NewClient:", err)
	defer conn.Close()
	client := greeterpb.NewGreeterClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = client.SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"})
	fmt.Println("a call:", status.Code(err))
	_, err = client.SayHello(ctx, &greeterpb.HelloRequest{Name: "Ada"}, grpc.WaitForReady(true))
	fmt.Println("a call that waits for ready:", status.Code(err))
	// Output:
	// NewClient: <nil>
	// a call: Unavailable
	// a call that waits for ready: DeadlineExceeded
}

// A message over the server's MaxRecvMsgSize is refused before it is
// decoded: the call ends with ResourceExhausted, and the handler never runs.
func Example_aMessageOverMaxRecvMsgSize() {
	client, g, stop := serveGreeter(grpc.MaxRecvMsgSize(8 << 10))
	defer stop()
	_, err := client.SayHello(context.Background(), &greeterpb.HelloRequest{Name: strings.Repeat("a", 9000)})
	fmt.Println(status.Code(err), "—", status.Convert(err).Message())
	fmt.Println("calls that reached the handler:", g.calls.Load())
	// Output:
	// ResourceExhausted — grpc: received message larger than max (9003 vs. 8192)
	// calls that reached the handler: 0
}

// A call that reaches a gRPC server without its service fails with
// Unimplemented: here a Greeter call to a server of Factorizer only.
func Example_aCallToAnotherServer() {
	conn, _, stop := serveConn(&factorizer{})
	defer stop()
	_, err := greeterpb.NewGreeterClient(conn).SayHello(context.Background(), &greeterpb.HelloRequest{Name: "Ada"})
	fmt.Println(status.Code(err), "—", status.Convert(err).Message())
	// Output:
	// Unimplemented — unknown service workshop.greeter.v1.Greeter
}
