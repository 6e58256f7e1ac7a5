package scaleout

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// roundRobin is the service config that spreads calls over every replica:
// each new stream goes to the next ready one. Without it a channel uses
// pick_first: every stream to the first replica that answers.
const roundRobin = `{"loadBalancingConfig": [{"round_robin": {}}]}`

// Dial returns one client connection to every replica at addrs, which
// spreads new streams across them; opts add to that (credentials, say).
// Like grpc.NewClient it does not connect yet.
func Dial(addrs []string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	if len(addrs) == 0 {
		return nil, errors.New("no replica to dial")
	}
	// The manual resolver hands the channel a fixed list of endpoints: the
	// job DNS does when one name resolves to every replica.
	replicas := manual.NewBuilderWithScheme("replicas")
	var state resolver.State
	for _, addr := range addrs {
		state.Endpoints = append(state.Endpoints, resolver.Endpoint{Addresses: []resolver.Address{{Addr: addr}}})
	}
	replicas.InitialState(state)
	opts = append([]grpc.DialOption{grpc.WithResolvers(replicas), grpc.WithDefaultServiceConfig(roundRobin)}, opts...)
	return grpc.NewClient(replicas.Scheme()+":///room", opts...)
}

// Chat is one member's stay in the room, across replicas: it joins as name
// through conn, says each text from says, and passes every event to show
// (from one goroutine, in order). When a stream ends with Unavailable (its
// replica stopped, or closed an old connection) it opens another, on
// whichever replica, and resumes after the last event shown: nothing is
// shown twice or missed. It returns nil once says is closed and what was on
// its way has been shown, the stream's status if the room refused the
// member, or ctx's status when ctx ends.
func Chat(ctx context.Context, conn *grpc.ClientConn, name string, says <-chan string, show func(*roompb.ServerEvent)) error {
	s := &session{client: roompb.NewRoomClient(conn), name: name, says: says, show: show}
	for {
		err := s.run(ctx)
		if status.Code(err) != codes.Unavailable || ctx.Err() != nil {
			if ctx.Err() != nil {
				return status.FromContextError(ctx.Err()).Err()
			}
			return err
		}
	}
}

// session is what Chat carries from one stream to the next.
type session struct {
	client roompb.RoomClient
	name   string
	says   <-chan string
	show   func(*roompb.ServerEvent)
	after  *uint64 // the seq of the last event shown
	unsent *string // a text taken from says that no stream took
	closed bool    // says is closed: the member is leaving
}

// run is one stream: join (resuming after s.after), then say and show
// until the stream ends.
func (s *session) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// WaitForReady: with every replica down, wait for one instead of
	// failing at once (and trying again, and again).
	stream, err := s.client.Connect(ctx, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	join := &roompb.ClientEvent{Event: &roompb.ClientEvent_Join{Join: &roompb.Join{Name: s.name, After: s.after}}}
	if err := stream.Send(join); err != nil {
		return s.drain(stream)
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		s.sendSays(ctx, stream)
	}()
	err = s.drain(stream)
	cancel()
	<-sent
	return err
}

// drain shows every event of stream until it ends, and returns its status
// (nil for OK).
func (s *session) drain(stream grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent]) error {
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		s.show(ev)
		seq := ev.GetSeq()
		s.after = &seq
	}
}

// sendSays sends the texts of s.says until says is closed (then it
// half-closes the stream), the stream breaks, or ctx ends. A text that no
// Send took is kept for the next stream.
func (s *session) sendSays(ctx context.Context, stream grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent]) {
	for {
		if s.unsent == nil && !s.closed {
			select {
			case text, ok := <-s.says:
				if ok {
					s.unsent = &text
				} else {
					s.closed = true
				}
			case <-ctx.Done():
				return
			}
		}
		if s.closed && s.unsent == nil {
			_ = stream.CloseSend()
			return
		}
		say := &roompb.ClientEvent{Event: &roompb.ClientEvent_Say{Say: &roompb.Say{Text: *s.unsent}}}
		if err := stream.Send(say); err != nil {
			return // the status comes from Recv
		}
		s.unsent = nil
	}
}
