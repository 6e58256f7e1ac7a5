package scaleout

import (
	"io"
	"net"
	"sync"
	"testing"
)

// linkProxy stands between a replica and the broker, as the network does,
// and can stall what the broker sends to the replica: a link that slows to
// nothing, with nothing lost once it recovers.
type linkProxy struct {
	lis    net.Listener
	target string

	mu     sync.Mutex
	open   chan struct{} // closed while traffic flows; replaced when paused
	paused bool
	conns  []net.Conn
}

// startProxy listens on loopback and forwards each connection to target
// (host:port), until the test ends.
func startProxy(t *testing.T, target string) *linkProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &linkProxy{lis: lis, target: target, open: make(chan struct{})}
	close(p.open)
	var wg sync.WaitGroup
	wg.Go(func() { p.accept(&wg) })
	t.Cleanup(func() {
		lis.Close()
		p.resume()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	return p
}

// URL is the broker's URL as seen through the proxy.
func (p *linkProxy) URL() string { return "nats://" + p.lis.Addr().String() }

func (p *linkProxy) accept(wg *sync.WaitGroup) {
	for {
		client, err := p.lis.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		wg.Go(func() { io.Copy(server, client); server.Close() })
		wg.Go(func() { p.copyGated(client, server); client.Close() })
	}
}

// copyGated copies from src to dst, waiting while the proxy is paused.
func (p *linkProxy) copyGated(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			open := p.open
			p.mu.Unlock()
			<-open
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// pause holds everything the broker sends to the replica from now on.
func (p *linkProxy) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.paused, p.open = true, make(chan struct{})
	}
}

// resume lets it through again, in order.
func (p *linkProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		p.paused = false
		close(p.open)
	}
}
