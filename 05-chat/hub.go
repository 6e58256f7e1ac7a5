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
	// TODO(task 1): check the name with validateName. Then, holding h.mu:
	// refuse a name already in h.members with codes.AlreadyExists (and any
	// join once h.closed, with codes.Unavailable); make the member with
	// newMember(name, h.outboxSize); deliver it a ServerEvent_History holding
	// a copy of h.history (slices.Clone: queued events never change); add it
	// to h.members; and broadcast a ServerEvent_Joined with the name.
	return nil, status.Error(codes.Unimplemented, "TODO(task 1): let members join in 05-chat/hub.go — see 05-chat/README.md")
}

// Say stamps text as a message from m (sender, time, sequence number),
// remembers it for later joiners and sends it to everyone, m included.
func (h *hub) Say(m *member, text string) error {
	// TODO(task 1): check the text with validateText. Then, holding h.mu:
	// refuse with codes.FailedPrecondition if m is no longer in the room
	// (h.members[m.name] != m); count h.seq up; build a chatpb.Message with
	// that Seq, Sender m.name, the Text and SentAt timestamppb.Now(); and
	// broadcast it as a ServerEvent_Message.
	//
	// TODO(task 6): before broadcasting, append the message to h.history and
	// keep only the last historySize messages.
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
	// TODO(task 1): m.deliver(ev) to every member of h.members. One event
	// value goes to everyone: never change an event once it is queued.
	//
	// TODO(task 3): deliver reports false when a member's outbox is full.
	// Collect those members, and after the loop (removing while ranging over
	// the map you are delivering to is confusing) h.remove each of them with
	// status.Error(codes.ResourceExhausted, "…").
}

// remove takes m out of the room, ends its membership with err, and tells
// the others. It does nothing if m is not (or no longer) in the room. It
// runs with mu held.
func (h *hub) remove(m *member, err error) {
	// TODO(task 1): unless h.members[m.name] is m (it may be gone already,
	// or be someone new with the same name), do nothing. Otherwise delete it
	// from h.members, m.end(err), and broadcast a ServerEvent_Left with the
	// name: this check is what makes every leave announced exactly once.
}

// validateName returns an InvalidArgument error saying what is wrong with
// name, or nil.
func validateName(name string) error {
	// TODO(task 1): refuse an empty name or one of only whitespace
	// (strings.TrimSpace), one longer than maxNameLen characters
	// (utf8.RuneCountInString counts characters, len counts bytes) and one
	// holding a control character (strings.IndexFunc with unicode.IsControl),
	// each with status.Errorf(codes.InvalidArgument, …) saying which.
	return status.Error(codes.Unimplemented, "TODO(task 1): check names in 05-chat/hub.go — see 05-chat/README.md")
}

// validateText returns an InvalidArgument error saying what is wrong with
// text, or nil.
func validateText(text string) error {
	// TODO(task 1): refuse an empty text or one of only whitespace, and one
	// longer than maxTextLen characters, with codes.InvalidArgument.
	return status.Error(codes.Unimplemented, "TODO(task 1): check texts in 05-chat/hub.go — see 05-chat/README.md")
}
