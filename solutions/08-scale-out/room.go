package scaleout

import (
	"context"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// room is what one replica holds of the room: the last events of the
// stream, in a ring indexed by their seq, and its own members.
//
// The consumer appends each event of the stream once; each member's one
// writer follows the ring with a cursor, the seq of the next event to send.
// So a member's place in the room is the broker's sequence number: the
// same on every replica, which is what lets a member move. A member whose
// cursor the ring overwrites is cut: the room never waits for anyone.
type room struct {
	mu      sync.Mutex
	log     []*roompb.ServerEvent // event seq is log[seq%len(log)], for oldest() <= seq < end
	first   uint64                // the seq this replica started taking in at
	end     uint64                // the seq of the next event to come
	wake    chan struct{}         // closed at the next append (then replaced)
	members map[*member]bool
	closed  bool
}

func newRoom(size int, first uint64) *room {
	return &room{
		log:     make([]*roompb.ServerEvent, size),
		first:   first,
		end:     first,
		wake:    make(chan struct{}),
		members: map[*member]bool{},
	}
}

// member is one stream of this replica, as the room sees it.
type member struct {
	name   string
	cursor uint64 // the seq of the next event to send; guarded by room.mu
	stop   uint64 // once the member left: the seq its stream ends before
	left   bool   // guarded by room.mu

	once sync.Once
	done chan struct{} // closed when the membership ends
	err  error         // why (nil: the member left); set before done is closed
}

// end ends the membership with err (nil: the member left); the first call
// counts.
func (m *member) end(err error) {
	m.once.Do(func() {
		m.err = err
		close(m.done)
	})
}

// Err is why the membership ended, once it has.
func (m *member) Err() error {
	select {
	case <-m.done:
		return m.err
	default:
		return nil
	}
}

// oldest is the seq of the oldest event the ring holds.
func (r *room) oldest() uint64 {
	if size := uint64(len(r.log)); r.end-r.first > size {
		return r.end - size
	}
	return r.first
}

// join adds a member. Without after, it starts with the last HistoryLength
// events; with after, right after that seq, which must be one the replica
// still holds, or one still on its way (stored by the broker, as
// lastStored tells, not yet taken in here).
func (r *room) join(ctx context.Context, name string, after *uint64, lastStored func(context.Context) (uint64, error)) (*member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, status.Error(codes.Unavailable, "the replica is shutting down")
	}
	m := &member{name: name, done: make(chan struct{})}
	switch {
	case after == nil:
		m.cursor = max(r.oldest(), r.end-min(r.end, HistoryLength))
	case *after+1 < r.oldest():
		return nil, status.Errorf(codes.OutOfRange, "this replica holds the room from seq %d on: cannot resume after %d; join afresh", r.oldest(), *after)
	case *after+1 > r.end:
		r.mu.Unlock()
		last, err := lastStored(ctx)
		r.mu.Lock()
		if err != nil {
			return nil, err
		}
		if *after > last {
			return nil, status.Errorf(codes.OutOfRange, "the room's last event is seq %d: cannot resume after %d", last, *after)
		}
		if r.closed {
			return nil, status.Error(codes.Unavailable, "the replica is shutting down")
		}
		if *after+1 < r.oldest() { // the ring moved on while the lock was let go
			return nil, status.Errorf(codes.OutOfRange, "this replica holds the room from seq %d on: cannot resume after %d; join afresh", r.oldest(), *after)
		}
		m.cursor = *after + 1
	default:
		m.cursor = *after + 1
	}
	r.members[m] = true
	return m, nil
}

// append adds the next event of the stream, wakes the writers, and cuts
// the members whose next event it overwrote.
func (r *room) append(ev *roompb.ServerEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.GetSeq() < r.end {
		return // already taken in
	}
	size := uint64(len(r.log))
	r.log[ev.GetSeq()%size] = ev
	r.end = ev.GetSeq() + 1
	close(r.wake)
	r.wake = make(chan struct{})
	oldest := r.oldest()
	for m := range r.members {
		if m.cursor < oldest {
			delete(r.members, m)
			m.end(status.Errorf(codes.ResourceExhausted,
				"you fell more than %d events behind the room (all that this replica holds): disconnected, so that nobody waits for you", size))
		}
	}
}

// stopAt marks m as leaving: its stream ends before seq stop (or before
// the next event to come, if that is later).
func (r *room) stopAt(m *member, stop uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.left, m.stop = true, max(stop, r.end)
	close(r.wake)
	r.wake = make(chan struct{})
}

// leave takes m out of the room.
func (r *room) leave(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.members, m)
}

// close ends every membership with Unavailable and refuses new ones.
func (r *room) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for m := range r.members {
		delete(r.members, m)
		m.end(status.Error(codes.Unavailable, "the replica is shutting down: connect again to resume"))
	}
}

// taken is the seq of the last event the replica has taken in.
func (r *room) taken() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.end - 1
}

// waitFor returns once the replica has taken in the event seq.
func (r *room) waitFor(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		end, wake := r.end, r.wake
		r.mu.Unlock()
		if end > seq {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// write is m's one writer: it sends, with send, every event from m's
// cursor on, waiting when it has sent all the replica holds. It returns
// send's error, nil when m left and everything up to its leaving was sent,
// or why the membership ended.
func (r *room) write(m *member, send func(*roompb.ServerEvent) error) error {
	for {
		ev, wait, err := r.next(m)
		switch {
		case ev != nil:
			if err := send(ev); err != nil {
				return err
			}
		case wait != nil:
			select {
			case <-wait:
			case <-m.done:
			}
		default:
			return err
		}
	}
}

// next is what m's writer sends next, or a channel to wait on, or (neither)
// the end of m's stream and why.
func (r *room) next(m *member) (*roompb.ServerEvent, <-chan struct{}, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := m.Err(); err != nil {
		return nil, nil, err
	}
	if m.cursor < r.oldest() {
		return nil, nil, status.Errorf(codes.ResourceExhausted, "you fell more than %d events behind the room", len(r.log))
	}
	if m.left && m.cursor >= m.stop {
		return nil, nil, nil
	}
	if m.cursor < r.end {
		ev := r.log[m.cursor%uint64(len(r.log))]
		m.cursor++
		return ev, nil, nil
	}
	return nil, r.wake, nil
}
