package grpctest

import (
	"errors"
	"net"
	"testing"
)

// BreakingListener is a loopback listener that hands out its first
// connection, then, once Break is called, fails as a broken listener
// would: for a test of what a server does when its listener fails.
type BreakingListener struct {
	net.Listener
	accepted int
	broken   chan struct{}
}

// ListenBreakable listens on a free port of 127.0.0.1; the listener is
// closed when the test ends.
func ListenBreakable(t testing.TB) *BreakingListener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	t.Cleanup(func() { lis.Close() })
	return &BreakingListener{Listener: lis, broken: make(chan struct{})}
}

// Accept hands out the first connection; a later Accept waits for Break,
// then fails. (Serve calls Accept from one goroutine only.)
func (l *BreakingListener) Accept() (net.Conn, error) {
	if l.accepted++; l.accepted > 1 {
		<-l.broken
		return nil, errors.New("the listener broke")
	}
	return l.Listener.Accept()
}

// Break makes the waiting Accept fail.
func (l *BreakingListener) Break() { close(l.broken) }
