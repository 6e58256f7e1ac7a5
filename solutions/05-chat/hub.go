package chat

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

const (
	maxNameLen  = 32   // longest name, in characters (runes)
	maxTextLen  = 1000 // longest text, in characters (runes)
	historySize = 50   // how many recent messages a new member is sent

	// DefaultOutboxSize is how many events may wait for a member before the
	// member counts as too slow and is disconnected.
	DefaultOutboxSize = 256
	// minOutboxSize leaves room for the History and Joined events of a join.
	minOutboxSize = 2
)

// hub is the room: who is in it, the recent messages, and the one order in
// which everything happens. Every change happens under mu, and every event is
// put into every outbox before mu is released, so all members see all events
// in the same order. Nothing under mu ever waits for a member.
type hub struct {
	outboxSize int

	mu      sync.Mutex
	members map[string]*member // by name: names are unique in the room
	history []*chatpb.Message  // the last historySize messages, oldest first
	seq     uint64             // sequence number of the last message
	closed  bool               // Close was called: no more joins
}

// newHub returns an empty room whose members each have an outbox of
// outboxSize events (at least 2).
func newHub(outboxSize int) *hub {
	return &hub{
		outboxSize: max(outboxSize, minOutboxSize),
		members:    map[string]*member{},
	}
}

// Join enters name into the room. The new member's first event is the
// History of recent messages; then everyone, the new member included, is
// sent Joined.
func (h *hub) Join(name string) (*member, error) {
	if err := validateName(name); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, status.Error(codes.Unavailable, "the server is shutting down")
	}
	if _, taken := h.members[name]; taken {
		return nil, status.Errorf(codes.AlreadyExists, "the name %q is already in the room", name)
	}
	m := newMember(name, h.outboxSize)
	// The outbox is empty, so this fits. Clone: h.history changes later,
	// and an event must never change once it is queued.
	m.deliver(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_History{
		History: &chatpb.History{Messages: slices.Clone(h.history)},
	}})
	h.members[name] = m
	h.broadcast(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Joined{Joined: &chatpb.Joined{Name: name}}})
	return m, nil
}

// Say stamps text as a message from m (sender, time, sequence number),
// remembers it for later joiners and sends it to everyone, m included.
func (h *hub) Say(m *member, text string) error {
	if err := validateText(text); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.members[m.name] != m {
		return status.Error(codes.FailedPrecondition, "you are not in the room")
	}
	h.seq++
	msg := &chatpb.Message{Seq: h.seq, Sender: m.name, Text: text, SentAt: timestamppb.Now()}
	h.history = append(h.history, msg)
	if len(h.history) > historySize {
		h.history = h.history[len(h.history)-historySize:]
	}
	h.broadcast(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Message{Message: msg}})
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
	for name, m := range h.members {
		delete(h.members, name)
		m.end(status.Error(codes.Unavailable, "the server is shutting down"))
	}
}

// broadcast queues ev for every member. It runs with mu held and never
// waits: a member whose outbox is full is removed with ResourceExhausted,
// which the others hear about as Left, so one slow reader costs the others
// nothing.
func (h *hub) broadcast(ev *chatpb.ServerEvent) {
	var tooSlow []*member
	for _, m := range h.members {
		if !m.deliver(ev) {
			tooSlow = append(tooSlow, m)
		}
	}
	for _, m := range tooSlow {
		h.remove(m, status.Errorf(codes.ResourceExhausted,
			"you fell %d events behind: disconnected so that the room does not wait for you", cap(m.outbox)))
	}
}

// remove takes m out of the room, ends its membership with err, and tells
// the others. It does nothing if m is not (or no longer) in the room. It
// runs with mu held.
func (h *hub) remove(m *member, err error) {
	if h.members[m.name] != m {
		return
	}
	delete(h.members, m.name)
	m.end(err)
	h.broadcast(&chatpb.ServerEvent{Event: &chatpb.ServerEvent_Left{Left: &chatpb.Left{Name: m.name}}})
}

// validateName returns an InvalidArgument error saying what is wrong with
// name, or nil.
func validateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return status.Error(codes.InvalidArgument, "name must not be empty")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return status.Errorf(codes.InvalidArgument, "name is %d characters long, at most %d are allowed", n, maxNameLen)
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return status.Errorf(codes.InvalidArgument, "name must not contain control characters, found %U", r)
	}
	return nil
}

// validateText returns an InvalidArgument error saying what is wrong with
// text, or nil.
func validateText(text string) error {
	if strings.TrimSpace(text) == "" {
		return status.Error(codes.InvalidArgument, "text must not be empty")
	}
	if n := utf8.RuneCountInString(text); n > maxTextLen {
		return status.Errorf(codes.InvalidArgument, "text is %d characters long, at most %d are allowed", n, maxTextLen)
	}
	return nil
}
