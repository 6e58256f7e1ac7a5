package chat

import (
	"slices"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// historySize is how many recent messages a new member is sent.
const historySize = 50

// hub is the room: who is in it, the recent messages, and the room log, the
// one order in which everything happens.
//
// Every event (Joined, Message, Left) is appended once to the log, a ring of
// the last cfg.LogSize events shared by all members. Nothing is copied per
// member: each member's writer follows the log with a cursor of its own
// (next), and waits on wake when it has sent everything. A member is cut
// only when it falls further behind than the log holds (append). So a
// broadcast costs one append however many members there are, and under mu
// nothing ever waits for a member.
type hub struct {
	cfg Config

	mu      sync.Mutex
	members map[string]*member    // by the name's comparison key (names.go)
	log     []*chatpb.ServerEvent // event i is log[i%len(log)], while i >= end-len(log)
	end     uint64                // how many events were ever appended: the index of the next one
	wake    chan struct{}         // closed when the next event is appended (then replaced)
	history []*chatpb.Message     // the last historySize messages, oldest first
	seq     uint64                // sequence number of the last message
	closed  bool                  // Close was called: no more joins
}

// newHub returns an empty room with cfg's limits (zero fields take the
// defaults of DefaultConfig).
func newHub(cfg Config) *hub {
	cfg = cfg.withDefaults()
	return &hub{
		cfg:     cfg,
		members: map[string]*member{},
		log:     make([]*chatpb.ServerEvent, cfg.LogSize),
		wake:    make(chan struct{}),
	}
}

// Join enters name into the room. The new member's first event is the
// History of recent messages; then everyone, the new member included, is
// sent Joined.
func (h *hub) Join(name string) (*member, error) {
	key, err := validateName(name)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, status.Error(codes.Unavailable, "the server is shutting down")
	}
	if other, taken := h.members[key]; taken {
		if other.name == name {
			return nil, status.Errorf(codes.AlreadyExists, "the name %q is already in the room", name)
		}
		return nil, status.Errorf(codes.AlreadyExists, "the name %q looks the same as %q, who is in the room", name, other.name)
	}
	if len(h.members) >= h.cfg.MaxMembers {
		return nil, status.Errorf(codes.ResourceExhausted, "the room is full: it holds at most %d members; try again later", h.cfg.MaxMembers)
	}
	m := newMember(h, name, key)
	// The History is this member's alone, sent before anything from the
	// log. Clone: h.history changes later, and a sent event never changes.
	m.first = &chatpb.ServerEvent{Event: &chatpb.ServerEvent_History{
		History: &chatpb.History{Messages: slices.Clone(h.history)},
	}}
	m.cursor = h.end // the first log event for m is its own Joined
	h.members[key] = m
	h.append(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Joined{Joined: &chatpb.Joined{Name: name}}})
	return m, nil
}

// Say stamps text as a message from m (sender, time, sequence number),
// remembers it for later joiners and appends it to the log for everyone,
// m included.
func (h *hub) Say(m *member, text string) error {
	if err := validateText(text); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.members[m.key] != m {
		return status.Error(codes.FailedPrecondition, "you are not in the room")
	}
	h.seq++
	msg := &chatpb.Message{Seq: h.seq, Sender: m.name, Text: text, SentAt: timestamppb.Now()}
	h.history = append(h.history, msg)
	if len(h.history) > historySize {
		h.history = h.history[len(h.history)-historySize:]
	}
	h.append(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Message{Message: msg}})
	return nil
}

// Leave takes m out of the room and tells everyone else. It may be called
// any number of times, and after the hub itself removed m: only the first
// removal is announced.
func (h *hub) Leave(m *member) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(m, nil)
}

// Close ends every membership with Unavailable and turns away later joins:
// the server calls it when it shuts down, since a member's stream would
// otherwise stay open for as long as they like.
func (h *hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for key, m := range h.members {
		delete(h.members, key)
		m.end(status.Error(codes.Unavailable, "the server is shutting down"))
	}
}

// append adds ev to the log, wakes every writer waiting for it, and cuts
// the members that have now fallen off the log: the event their cursor
// points at was just overwritten. A member still within the log is never
// cut, however far behind: it catches up at its own pace. append runs with
// mu held and never waits.
func (h *hub) append(ev *chatpb.ServerEvent) {
	size := uint64(len(h.log))
	h.log[h.end%size] = ev
	h.end++
	close(h.wake)
	h.wake = make(chan struct{})
	if h.end <= size {
		return
	}
	oldest := h.end - size
	var behind []*member
	for _, m := range h.members {
		if m.cursor < oldest {
			behind = append(behind, m)
		}
	}
	for _, m := range behind {
		h.remove(m, status.Errorf(codes.ResourceExhausted,
			"you fell more than %d events behind the room (all that its log holds): disconnected, so that the room need not wait for you", size))
	}
}

// next is what m's writer sends next: m's History first, then the log from
// m's cursor on, advancing the cursor. With nothing to send yet it returns
// wait, a channel closed at the next append. When m's stream is over it
// returns neither, and err says why: nil when m left by themselves and was
// sent everything up to their leaving, otherwise the status the stream ends
// with.
func (h *hub) next(m *member) (ev *chatpb.ServerEvent, wait <-chan struct{}, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := m.Err(); err != nil {
		return nil, nil, err // cut or shut down: send nothing more
	}
	if m.first != nil {
		ev, m.first = m.first, nil
		return ev, nil, nil
	}
	size := uint64(len(h.log))
	if h.end > size && m.cursor < h.end-size {
		// Only a member who left and is still being flushed gets here: a
		// member in the room is cut by append first.
		return nil, nil, status.Errorf(codes.ResourceExhausted, "you fell more than %d events behind the room", size)
	}
	until, left := h.end, isDone(m.gone)
	if left {
		until = m.stop
	}
	if m.cursor < until {
		ev = h.log[m.cursor%size]
		m.cursor++
		return ev, nil, nil
	}
	if left {
		return nil, nil, nil
	}
	return nil, h.wake, nil
}

// remove takes m out of the room, ends its membership with err, and tells
// the others. It does nothing if m is not (or no longer) in the room. It
// runs with mu held.
func (h *hub) remove(m *member, err error) {
	if h.members[m.key] != m {
		return
	}
	delete(h.members, m.key)
	m.stop = h.end // m's stream ends before its own Left
	m.end(err)
	h.append(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Left{Left: &chatpb.Left{Name: m.name}}})
}

// isDone reports whether ch is closed.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
