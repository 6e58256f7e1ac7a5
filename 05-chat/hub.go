package chat

import (
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
	// TODO(task 1): validateName, then under h.mu: refuse a taken name
	// (codes.AlreadyExists) or a closed hub (codes.Unavailable), make the
	// member with newMember, deliver it a History of slices.Clone(h.history),
	// add it to h.members and broadcast Joined.
	return nil, status.Error(codes.Unimplemented, "TODO(task 1): let members join in 05-chat/hub.go — see 05-chat/README.md")
}

// Say stamps text as a message from m (sender, time, sequence number),
// remembers it for later joiners and sends it to everyone, m included.
func (h *hub) Say(m *member, text string) error {
	// TODO(task 1): validateText, then under h.mu: refuse a member who is no
	// longer in the room (codes.FailedPrecondition), stamp a chatpb.Message
	// (the next h.seq, m.name, timestamppb.Now()) and broadcast it.
	//
	// TODO(task 6): remember the message in h.history, keeping only the last
	// historySize.
	return status.Error(codes.Unimplemented, "TODO(task 1): broadcast what members say in 05-chat/hub.go — see 05-chat/README.md")
}

// Leave takes m out of the room and tells everyone else. It may be called
// any number of times, and after the hub itself removed m: only the first
// removal is announced.
func (h *hub) Leave(m *member) {
	// TODO(task 1): holding h.mu, h.remove(m, nil).
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
	// TODO(task 1): m.deliver(ev) to every member. The one event value goes
	// to everyone, so it must never change once queued.
	//
	// TODO(task 3): deliver reports false for a full outbox: after the loop,
	// h.remove each such member with codes.ResourceExhausted.
}

// remove takes m out of the room, ends its membership with err, and tells
// the others. It does nothing if m is not (or no longer) in the room. It
// runs with mu held.
func (h *hub) remove(m *member, err error) {
	// TODO(task 1): do nothing unless h.members[m.name] is m (that check
	// makes every leave announced exactly once); otherwise delete it,
	// m.end(err) and broadcast Left.
}

// validateName returns an InvalidArgument error saying what is wrong with
// name, or nil.
func validateName(name string) error {
	// TODO(task 1): refuse, with codes.InvalidArgument and a message saying
	// why, a blank name (strings.TrimSpace), one over maxNameLen characters
	// (utf8.RuneCountInString) and one with a control character (unicode.IsControl).
	return status.Error(codes.Unimplemented, "TODO(task 1): check names in 05-chat/hub.go — see 05-chat/README.md")
}

// validateText returns an InvalidArgument error saying what is wrong with
// text, or nil.
func validateText(text string) error {
	// TODO(task 1): refuse a blank text and one over maxTextLen characters
	// with codes.InvalidArgument.
	return status.Error(codes.Unimplemented, "TODO(task 1): check texts in 05-chat/hub.go — see 05-chat/README.md")
}
