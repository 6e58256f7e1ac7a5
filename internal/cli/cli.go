// Package cli holds the few lines every step's cmd/client shares: how to
// connect, and how to report a failed call.
package cli

import (
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// DefaultAddr is where a client looks for its step's server by default.
const DefaultAddr = serve.DefaultAddr

// Dial returns a client connection to addr, as step 01 taught: grpc.NewClient
// does not connect yet: the connection is made by the first call, and a
// server that is not there shows up as that call's Unavailable error.
// Plaintext (insecure credentials) is fine on loopback; anything else
// deserves TLS. opts add to that, e.g. SessionKeepalive.
func Dial(addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		Exit(err)
	}
	return conn
}

// SessionKeepalive is for a client whose stream is a session that may stay
// quiet for long (a chat, a drawing): it pings the server every 20 s while
// nothing else arrives, and gives the connection up 10 s after a ping goes
// unanswered. So a server that vanished ends the session with Unavailable
// within about 30 s, instead of the minutes TCP alone would take. The server
// allows pings this often (internal/serve.MinClientPing); more often, and it
// would hang up with "too_many_pings".
var SessionKeepalive = grpc.WithKeepaliveParams(keepalive.ClientParameters{
	Time:    2 * serve.MinClientPing,
	Timeout: 10 * time.Second,
})

// Exit prints err as "code: message" (for a gRPC error) on stderr and exits 1.
func Exit(err error) {
	if st, ok := status.FromError(err); ok {
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
	} else {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(1)
}
