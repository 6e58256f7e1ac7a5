// Package cli holds the few lines every step's cmd/client shares: how to
// connect, and how to report a failed call.
package cli

import (
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// DefaultAddr is where a client looks for its step's server by default.
const DefaultAddr = serve.DefaultAddr

// Dial returns a client connection to addr. grpc.NewClient does not connect
// yet: the connection is made by the first call, and a server that is not
// there shows up as that call's Unavailable error. Plaintext (insecure
// credentials) is fine on loopback; anything else deserves TLS.
func Dial(addr string) *grpc.ClientConn {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		Exit(err)
	}
	return conn
}

// Exit prints err as "code: message" (for a gRPC error) on stderr and exits 1.
func Exit(err error) {
	if st, ok := status.FromError(err); ok {
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
	} else {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(1)
}
