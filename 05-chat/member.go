package chat

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// member is one participant as the hub sees them: the name they joined
// with, where their writer is in the room log, and how fast they may speak.
//
// The hub appends events to its log; the member's one writer goroutine
// (writeLoop) follows the log with the member's cursor and sends each event,
// so Send is only ever called from that goroutine: gRPC allows one goroutine
// sending and one receiving on a stream, never two sending. The stream
// handler's reader paces the member's Says (pace) before the hub sees them.
type member struct {
	room    *hub
	name    string        // as joined, and as the others see it
	key     string        // the name's comparison key: names.go
	limiter *rate.Limiter // this member's own: how fast they may say things

	// Guarded by room.mu.
	first  *chatpb.ServerEvent // the History, sent before the log; nil once taken
	cursor uint64              // index in the room log of the next event to send
	stop   uint64              // once removed: the log index where the stream ends

	endOnce sync.Once
	gone    chan struct{} // closed when the membership ends
	err     error         // why it ended (nil: the member left); set before gone is closed
}

func newMember(room *hub, name, key string) *member {
	return &member{
		room:    room,
		name:    name,
		key:     key,
		limiter: rate.NewLimiter(room.cfg.Rate, room.cfg.Burst),
		gone:    make(chan struct{}),
	}
}

// writeLoop is the member's one writer: it sends, with send (the stream's
// Send), the member's History and then every event of the room log from
// its cursor on, in order, waiting when it has caught up. It returns send's
// error if a send fails, nil when the member left by themselves and
// everything up to their leaving was sent, and otherwise Err(), the reason
// the membership ended (cut for falling behind, or shutdown); from then on
// it sends nothing.
func (m *member) writeLoop(send func(*chatpb.ServerEvent) error) error {
	// TODO(task 2): the stream's one sender: what m.room.next gives, in order,
	// waking when the log grows or the membership ends. TestTask2_WriterSkipsNothing,
	// TestTask2_AWaitingWriterNoticesTheEnd, TestTask2_WriterSendsNothingOnceCut.
	return status.Error(codes.Unimplemented, "TODO(task 2): send the room log in 05-chat/member.go — see 05-chat/README.md")
}

// pace returns when m may say one more thing, by m's own limiter on the
// room's clock, or early with ctx's status when ctx ends (the stream is
// over). The stream handler's reader calls it before it hands a Say to the
// hub: while it waits, it does not read the stream, so gRPC's flow control
// makes the speaking client's Send block. Nothing is dropped, nobody is cut.
func (m *member) pace(ctx context.Context) error {
	// TODO(task 7): within m's own burst return at once, else wait out the
	// limiter's delay on the room's clock (cfg.Clock), or until ctx ends.
	// TestTask7_PaceLetsABurstThroughThenWaits; look up rate.Limiter.ReserveN.
	return status.Error(codes.Unimplemented, "TODO(task 7): pace what a member says in 05-chat/member.go — see 05-chat/README.md")
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
