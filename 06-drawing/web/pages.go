package web

import (
	"sync"

	"github.com/coder/websocket"
)

// openPages is the set of pages being bridged: it holds at most max, and
// can close them all when a shutdown cannot wait any longer.
type openPages struct {
	max   int
	mu    sync.Mutex
	conns map[*websocket.Conn]bool
}

// enter adds conn, unless max pages are open already.
func (p *openPages) enter(conn *websocket.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) >= p.max {
		return false
	}
	if p.conns == nil {
		p.conns = map[*websocket.Conn]bool{}
	}
	p.conns[conn] = true
	return true
}

func (p *openPages) exit(conn *websocket.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, conn)
}

// closeAll closes every open page's connection, so that a bridge waiting on
// its page returns, and says how many there were.
func (p *openPages) closeAll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for conn := range p.conns {
		conn.CloseNow()
	}
	return len(p.conns)
}
