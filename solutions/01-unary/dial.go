package unary

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
)

// GreetAt connects to the Greeter at addr, greets name with Greet, and
// closes the connection before it returns.
//
// grpc.NewClient does not connect yet: the first call does, so a server that
// is not there shows up as that call's Unavailable error, not here. A
// ClientConn is meant to live long and carry many calls; a program that
// makes one call closes it when done, which ends its goroutines and the TCP
// connection.
func GreetAt(ctx context.Context, addr, name string, timeout time.Duration) (string, error) {
	// Plaintext is fine on loopback; anything that crosses a network
	// deserves TLS (credentials.NewTLS).
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", err // a malformed address: nothing was dialled yet
	}
	defer conn.Close()
	return Greet(ctx, greeterpb.NewGreeterClient(conn), name, timeout)
}
