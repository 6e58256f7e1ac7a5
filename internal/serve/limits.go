package serve

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// The limits every workshop server sets, and why.
const (
	// KeepaliveTime: after this long without any frame from a client, the
	// server pings it; KeepaliveTimeout later, with no answer, it closes the
	// connection, and every stream on it ends with its context cancelled.
	// A client that vanished is so noticed within about 25 s, while a client
	// that is merely quiet (a chat member reading) answers the pings and stays.
	KeepaliveTime    = 15 * time.Second
	KeepaliveTimeout = 10 * time.Second
	// MinClientPing is how often a client may ping the server. Clients with
	// long-lived streams ping too (see internal/cli.SessionKeepalive), every
	// 20 s; one that pings more often than this is sent GOAWAY
	// ("too_many_pings") and disconnected.
	MinClientPing = 10 * time.Second
	// MaxStreams caps the concurrent streams of one connection: one client
	// cannot open thousands of handlers. Calls beyond it wait for a free slot.
	MaxStreams = 100
	// Handshake bounds how long a new connection may take to send its HTTP/2
	// preface: a client that trickles it a byte at a time is dropped.
	// (grpc.ConnectionTimeout, which carries it, is EXPERIMENTAL in grpc-go.)
	Handshake = 5 * time.Second
)

// limits are the server options that carry the limits above; ping, if set,
// replaces the keepalive times.
func limits(ping *keepalive.ServerParameters) []grpc.ServerOption {
	if ping == nil {
		ping = &keepalive.ServerParameters{Time: KeepaliveTime, Timeout: KeepaliveTimeout}
	}
	return []grpc.ServerOption{
		grpc.KeepaliveParams(*ping),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: MinClientPing,
			// Pings are allowed also when no stream is open, so that a client
			// between calls keeps its connection instead of being cut off.
			PermitWithoutStream: true,
		}),
		grpc.MaxConcurrentStreams(MaxStreams),
		grpc.ConnectionTimeout(Handshake),
	}
}
