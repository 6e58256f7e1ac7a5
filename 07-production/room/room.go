// Package room is the chat room at the heart of step 07, given whole: step
// 05 taught how a room fans out, and this step is about what surrounds it.
// It is kept simple: each member has a bounded queue of events, and one
// that lets it fill up is cut as slow rather than make the others wait.
//
// A handler uses it in three moves: ReadJoin (the first event, within a
// time limit), Room.Join (a name enters), Member.Serve (the stream runs
// until the member's end, which it returns).
package room

import (
	"errors"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
)

// The bounds of a room, and why.
const (
	// JoinTimeout: a stream that has not sent its Join by then is ended
	// with DEADLINE_EXCEEDED, so that idle streams do not hold handlers.
	JoinTimeout = 10 * time.Second
	// MaxText is the longest Say, in characters.
	MaxText = 1000
	// Queue is how many events may wait for one member; a member with more
	// waiting is cut (RESOURCE_EXHAUSTED, "slow") so that no one waits for it.
	Queue = 256
	// MaxMembers is how many members the room takes at once.
	MaxMembers = 64
)

// Why a member's stream ended: the trailer "end-reason".
const (
	Left     = "left"     // the client called CloseSend; OK
	Removed  = "removed"  // an admin removed the member; PERMISSION_DENIED
	Slow     = "slow"     // the member's queue filled up; RESOURCE_EXHAUSTED
	Shutdown = "shutdown" // the room closed; UNAVAILABLE
	Refused  = "refused"  // a bad Join or Say
	Canceled = "canceled" // the client cancelled or went away
)

// Stream is the server side of a Connect stream.
type Stream = grpc.BidiStreamingServer[roompb.ClientEvent, roompb.ServerEvent]

// ReadJoin receives the stream's first event, which must be a Join, within
// timeout. Recv cannot be interrupted, so it waits in a goroutine of its
// own; when ReadJoin gives up, the handler returns, which ends the stream
// and so that Recv.
func ReadJoin(stream Stream, timeout time.Duration) (*roompb.Join, error) {
	type received struct {
		ev  *roompb.ClientEvent
		err error
	}
	got := make(chan received, 1)
	go func() {
		ev, err := stream.Recv()
		got <- received{ev, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-got:
		if r.err != nil {
			if errors.Is(r.err, io.EOF) {
				return nil, status.Error(codes.FailedPrecondition, "the stream ended before its Join")
			}
			return nil, r.err
		}
		if j := r.ev.GetJoin(); j != nil {
			return j, nil
		}
		return nil, status.Error(codes.FailedPrecondition, "the first event must be a Join")
	case <-timer.C:
		return nil, status.Errorf(codes.DeadlineExceeded, "no Join within %v", timeout)
	case <-stream.Context().Done():
		return nil, status.FromContextError(stream.Context().Err()).Err()
	}
}

// Room is a set of members who hear each other.
type Room struct {
	name    string
	mu      sync.Mutex
	members map[string]*Member
	closed  bool
}

// New returns an empty room called name.
func New(name string) *Room {
	return &Room{name: name, members: map[string]*Member{}}
}

// Name is the room's name.
func (r *Room) Name() string { return r.name }

// Member is one name in the room, from Join to its end.
type Member struct {
	room   *Room
	name   string
	events chan *roompb.ServerEvent
	ended  chan struct{}
	once   sync.Once
	reason string
	err    error
}

// Name is the member's name.
func (m *Member) Name() string { return m.name }

// Join puts name in the room and announces it to everyone, name included.
// It fails with ALREADY_EXISTS, RESOURCE_EXHAUSTED (full) or UNAVAILABLE
// (closed).
func (r *Room) Join(name string) (*Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return nil, status.Error(codes.Unavailable, "the room is closed")
	case r.members[name] != nil:
		return nil, status.Errorf(codes.AlreadyExists, "%q is already in the room", name)
	case len(r.members) >= MaxMembers:
		return nil, status.Errorf(codes.ResourceExhausted, "the room is full (%d members)", MaxMembers)
	}
	m := &Member{room: r, name: name, events: make(chan *roompb.ServerEvent, Queue), ended: make(chan struct{})}
	r.members[name] = m
	r.broadcastLocked(&roompb.ServerEvent{Event: &roompb.ServerEvent_Joined{Joined: &roompb.Joined{Name: name}}})
	return m, nil
}

// Remove ends the member called name with PERMISSION_DENIED ("removed"),
// or fails with NOT_FOUND.
func (r *Room) Remove(name string) error {
	r.mu.Lock()
	m := r.members[name]
	r.mu.Unlock()
	if m == nil {
		return status.Errorf(codes.NotFound, "no member %q", name)
	}
	m.end(Removed, status.Error(codes.PermissionDenied, "removed from the room by an admin"))
	return nil
}

// Close ends every member's stream with UNAVAILABLE ("shutdown") and
// refuses new members: the server is stopping.
func (r *Room) Close() {
	r.mu.Lock()
	r.closed = true
	all := make([]*Member, 0, len(r.members))
	for _, m := range r.members {
		all = append(all, m)
	}
	r.mu.Unlock()
	for _, m := range all {
		m.end(Shutdown, status.Error(codes.Unavailable, "the server is shutting down"))
	}
}

// broadcastLocked queues ev for every member; r.mu is held, so every member
// gets the events in the same order.
func (r *Room) broadcastLocked(ev *roompb.ServerEvent) {
	for _, m := range r.members {
		select {
		case m.events <- ev:
		default:
			go m.end(Slow, status.Errorf(codes.ResourceExhausted, "more than %d events waited for you", Queue))
		}
	}
}

// end ends the member once: it leaves the room, the others hear why.
func (m *Member) end(reason string, err error) {
	m.once.Do(func() {
		m.reason, m.err = reason, err
		r := m.room
		r.mu.Lock()
		if r.members[m.name] == m {
			delete(r.members, m.name)
			r.broadcastLocked(&roompb.ServerEvent{Event: &roompb.ServerEvent_Left{Left: &roompb.Left{Name: m.name, Reason: reason}}})
		}
		r.mu.Unlock()
		close(m.ended)
	})
}

// Serve runs the member's stream until its end and returns why it ended and
// the error to end the stream with (nil when the member left). It sends the
// room's events on this goroutine and receives the member's Says on another.
func (m *Member) Serve(stream Stream) (reason string, err error) {
	ctx := stream.Context()
	go m.receive(stream)
	for {
		select {
		case ev := <-m.events:
			if err := stream.Send(ev); err != nil {
				m.end(Canceled, err)
			}
		case <-ctx.Done():
			m.end(Canceled, status.FromContextError(ctx.Err()).Err())
		case <-m.ended:
			m.flush(stream)
			return m.reason, m.err
		}
	}
}

// flush sends what was queued before a member who leaves left, so that it
// misses nothing said before.
func (m *Member) flush(stream Stream) {
	if m.reason != Left {
		return
	}
	for {
		select {
		case ev := <-m.events:
			if stream.Send(ev) != nil {
				return
			}
		default:
			return
		}
	}
}

// receive takes the member's Says until the stream's receiving half ends.
func (m *Member) receive(stream Stream) {
	for {
		ev, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			m.end(Left, nil)
			return
		case err != nil:
			m.end(Canceled, err)
			return
		}
		if err := m.say(ev); err != nil {
			m.end(Refused, err)
			return
		}
	}
}

func (m *Member) say(ev *roompb.ClientEvent) error {
	say := ev.GetSay()
	if say == nil {
		return status.Error(codes.FailedPrecondition, "only Says may follow the Join")
	}
	if n := utf8.RuneCountInString(say.GetText()); n == 0 || n > MaxText {
		return status.Errorf(codes.InvalidArgument, "a Say holds 1 to %d characters, not %d", MaxText, n)
	}
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.members[m.name] != m {
		return nil // already ended; its stream is on its way out
	}
	r.broadcastLocked(&roompb.ServerEvent{Event: &roompb.ServerEvent_Message{Message: &roompb.Message{Sender: m.name, Text: say.GetText()}}})
	return nil
}
