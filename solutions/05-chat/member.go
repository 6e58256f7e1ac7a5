package chat

import (
	"sync"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// member is one participant as the hub sees them: the name they joined with
// and their outbox, the events waiting to be sent down their stream.
//
// Two sides share the outbox. The hub puts events in (deliver) while it holds
// its lock, so putting must never wait: a member with a full outbox is too
// slow, and the hub disconnects them (task 3) rather than make the room wait.
// One writer goroutine per stream takes events out and sends them
// (writeLoop), so Send is only ever called from that goroutine: gRPC allows
// one goroutine sending and one receiving on a stream, never two sending.
type member struct {
	name   string
	outbox chan *chatpb.ServerEvent // bounded: its capacity is the outbox size

	endOnce sync.Once
	gone    chan struct{} // closed when the membership ends
	err     error         // why it ended (nil: the member left); set before gone is closed
}

func newMember(name string, outboxSize int) *member {
	return &member{
		name:   name,
		outbox: make(chan *chatpb.ServerEvent, outboxSize),
		gone:   make(chan struct{}),
	}
}

// deliver queues ev for m without waiting, and reports whether the outbox
// had room for it.
func (m *member) deliver(ev *chatpb.ServerEvent) bool {
	select {
	case m.outbox <- ev:
		return true
	default:
		return false
	}
}

// writeLoop is the member's one writer: it sends the outbox's events, in
// order, with send (the stream's Send) until send fails (it returns send's
// error) or the membership ends (it returns Err(), the reason). When the
// member left by themselves (Err() is nil) it first sends what is still
// queued, so a client that reads until its stream ends misses nothing that
// was said before it left.
//
// The end of the membership is checked before every send, because select
// picks at random among ready cases: once the handler has ended the
// membership with an error and is returning, no new Send may start.
func (m *member) writeLoop(send func(*chatpb.ServerEvent) error) error {
	for {
		select {
		case <-m.gone:
			if m.err != nil {
				return m.err // disconnected: unsent events are moot
			}
			return m.flush(send)
		default:
		}
		select {
		case ev := <-m.outbox:
			if err := send(ev); err != nil {
				return err
			}
		case <-m.gone: // handled at the top of the loop
		}
	}
}

// flush sends what is still queued, without waiting for more.
func (m *member) flush(send func(*chatpb.ServerEvent) error) error {
	for {
		select {
		case ev := <-m.outbox:
			if err := send(ev); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// end ends the membership; err is the status the member's stream will end
// with (nil: they left by themselves). Only the first call counts.
func (m *member) end(err error) {
	m.endOnce.Do(func() {
		m.err = err
		close(m.gone)
	})
}

// Done is closed when the membership has ended.
func (m *member) Done() <-chan struct{} { return m.gone }

// Err says why the membership ended: nil while it lasts or if the member left
// by themselves, otherwise the status their stream ends with.
func (m *member) Err() error {
	select {
	case <-m.gone:
		return m.err
	default:
		return nil
	}
}
