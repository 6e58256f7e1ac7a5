package chat

import (
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
	// TODO(task 1): a valid name (validateName) not taken in an open room
	// becomes a member whose first event is the History; Joined goes to all.
	// TestTask1_JoinSendsHistoryThenJoinedToEveryone, TestTask1_NamesAreUnique.
	//
	// TODO(task 9): a full room (cfg.MaxMembers) refuses with
	// codes.ResourceExhausted. TestTask9_TheRoomHasACap.
	return nil, status.Error(codes.Unimplemented, "TODO(task 1): let members join in 05-chat/hub.go — see 05-chat/README.md")
}

// Say stamps text as a message from m (sender, time, sequence number),
// remembers it for later joiners and appends it to the log for everyone,
// m included.
func (h *hub) Say(m *member, text string) error {
	// TODO(task 1): a valid text from a present member is stamped (sender,
	// timestamppb.Now(), the next seq) and appended to the log for everyone.
	// TestTask1_SayReachesEveryoneIncludingTheSender.
	//
	// TODO(task 6): remember the last historySize messages for later joiners.
	// TestTask6_NewMemberGetsTheLast50Messages.
	return status.Error(codes.Unimplemented, "TODO(task 1): append what members say in 05-chat/hub.go — see 05-chat/README.md")
}

// Leave takes m out of the room and tells everyone else. It may be called
// any number of times, and after the hub itself removed m: only the first
// removal is announced.
func (h *hub) Leave(m *member) {
	// TODO(task 1): remove m, announced once however often Leave is called.
	// TestTask1_LeaveIsAnnouncedOnce.
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
	// TODO(task 1): ev becomes the next event of the ring, and every writer
	// waiting on h.wake wakes up. TestTask1_SayReachesEveryoneIncludingTheSender.
	//
	// TODO(task 3): cut (ResourceExhausted, saying why) every member whose next
	// event was just overwritten, and no one else. TestTask3_OnlyAMemberWhoFellOffTheLogIsCut.
}

// next is what m's writer sends next: m's History first, then the log from
// m's cursor on, advancing the cursor. With nothing to send yet it returns
// wait, a channel closed at the next append. When m's stream is over it
// returns neither, and err says why: nil when m left by themselves and was
// sent everything up to their leaving, otherwise the status the stream ends
// with.
func (h *hub) next(m *member) (ev *chatpb.ServerEvent, wait <-chan struct{}, err error) {
	// TODO(task 2): m's History, then the log from m.cursor on, under h.mu; a
	// member who left gets the log up to m.stop, a cut one nothing more.
	// TestTask2_WriterSendsTheHistoryThenFollowsTheLog, TestTask2_WriterFlushesUpToTheLeaveOnly.
	return nil, nil, status.Error(codes.Unimplemented, "TODO(task 2): follow the room log in 05-chat/hub.go — see 05-chat/README.md")
}

// remove takes m out of the room, ends its membership with err, and tells
// the others. It does nothing if m is not (or no longer) in the room. It
// runs with mu held.
func (h *hub) remove(m *member, err error) {
	// TODO(task 1): only if m itself is still in the room: take it out, mark
	// where its stream ends (m.stop), end it with err and append Left.
	// TestTask1_ALateLeaveDoesNotRemoveANewcomer.
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
