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
	// IdleConnection: a connection with no call open for this long is sent
	// GOAWAY and closed; its client reconnects when it next calls. With
	// MaxConnections, it bounds what connections that do nothing can hold.
	IdleConnection = 5 * time.Minute
	// MaxStreams caps the concurrent streams of one connection: one client
	// cannot open thousands of handlers. Calls beyond it wait for a free slot.
	MaxStreams = 100
	// MaxCalls caps the calls and streams running on the whole server, over
	// all its connections: one more is refused with RESOURCE_EXHAUSTED. It is
	// above what the busiest step asks of one server (05's room takes 2,000
	// members), so that a step's own limit is the one a client meets first.
	MaxCalls = 4000
	// MaxConnections caps the connections served at once; a new one past it
	// waits, unanswered, until another closes (its client's deadline or
	// connect timeout ends the wait). A chat member holds one connection.
	MaxConnections = 4000
	// MaxMessageIn is the largest message a server takes: the largest any
	// workshop protocol sends to a server is a chat line, 1,000 characters
	// of at most 4 bytes each in UTF-8. A larger one is refused with
	// RESOURCE_EXHAUSTED before it is decoded (gRPC's default is 4 MiB).
	MaxMessageIn = 8 << 10
	// Handshake bounds how long a new connection may take to send its HTTP/2
	// preface: a client that trickles it a byte at a time is dropped.
	// (grpc.ConnectionTimeout, which carries it, is EXPERIMENTAL in grpc-go.)
	Handshake = 5 * time.Second
)

// limits are the server options that carry the limits above; ping, if set,
// replaces the keepalive times.
func limits(ping *keepalive.ServerParameters) []grpc.ServerOption {
	if ping == nil {
		ping = &keepalive.ServerParameters{Time: KeepaliveTime, Timeout: KeepaliveTimeout, MaxConnectionIdle: IdleConnection}
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
		grpc.MaxRecvMsgSize(MaxMessageIn),
		grpc.ConnectionTimeout(Handshake),
	}
}
