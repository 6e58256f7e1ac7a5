// Command demo shows step 08's room at work, from one command: it starts a
// NATS JetStream broker and three replicas in this process, lets four
// members talk through one client connection spread over the replicas,
// stops one replica gracefully and kills another mid-conversation, and
// checks at the end that every member saw the same events, in the same
// order, with no gap and no repeat.
//
//	go run ./cmd/workshop demo 08
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	scaleout "github.com/grpc-streaming-workshop/workshop/08-scale-out"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/broker"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/internal/render"
	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// patience bounds every wait of the demo: a correct room answers in
// milliseconds.
const patience = 10 * time.Second

func main() {
	// Ctrl-C ends the demo early, but cleanly: every replica stops, the
	// broker too, and its folder goes. A second Ctrl-C exits at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "room-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := broker.Start(dir, "")
	if err != nil {
		return err
	}
	defer b.Stop()
	fmt.Printf("broker: nats-server with JetStream at %s\n", b.URL())

	var reps []*replica
	for i := range 3 {
		r, err := startReplica(b.URL(), i+1)
		if err != nil {
			return err
		}
		defer r.kill()
		reps = append(reps, r)
		fmt.Printf("replica %d: %s\n", r.n, r.addr)
	}

	var addrs []string
	for _, r := range reps {
		addrs = append(addrs, r.addr)
	}
	conn, err := scaleout.Dial(addrs, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	names := []string{"ada", "bob", "cy", "dee"}
	var members []*member
	for _, name := range names {
		members = append(members, startMember(ctx, conn, name))
	}
	everyone := func(what string, done func([]*roompb.ServerEvent) bool) error {
		for _, m := range members {
			if err := m.waitFor(ctx, what, done); err != nil {
				return err
			}
		}
		return nil
	}
	talk := func(line string) error {
		for _, m := range members {
			select {
			case m.says <- line + " (" + m.name + ")":
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return everyone(fmt.Sprintf("every %q", line), func(evs []*roompb.ServerEvent) bool {
			return countContaining(evs, line) == len(members)
		})
	}

	fmt.Println("\n— four members join through one connection to the three replicas (round_robin) and say hello")
	if err := talk("hello"); err != nil {
		return err
	}
	busiest := slices.MaxFunc(reps, func(a, b *replica) int { return a.streams() - b.streams() })
	fmt.Printf("\n— replica %d, holding %d members' streams, stops gracefully: they see Unavailable, resume elsewhere after their last seq\n", busiest.n, busiest.streams())
	busiest.stop()
	reps = slices.DeleteFunc(reps, func(r *replica) bool { return r == busiest })
	// A Say handed to a client while its stream is dying may be lost
	// (README): the members speak again once each has a stream.
	if err := waitForStreams(ctx, reps, len(members)); err != nil {
		return err
	}
	if err := talk("still here"); err != nil {
		return err
	}
	busiest = slices.MaxFunc(reps, func(a, b *replica) int { return a.streams() - b.streams() })
	fmt.Printf("\n— replica %d, holding %d members' streams, is killed: no Left is published for them\n", busiest.n, busiest.streams())
	busiest.kill()
	reps = slices.DeleteFunc(reps, func(r *replica) bool { return r == busiest })
	if err := waitForStreams(ctx, reps, len(members)); err != nil {
		return err
	}
	if err := talk("after the crash"); err != nil {
		return err
	}
	fmt.Println("\n— everyone leaves")
	for _, m := range members {
		close(m.says)
		if err := <-m.done; err != nil && ctx.Err() == nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return check(members)
}

// waitForStreams waits until reps serve want streams in all.
func waitForStreams(ctx context.Context, reps []*replica, want int) error {
	for deadline := time.Now().Add(patience); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(10 * time.Millisecond) {
		got := 0
		for _, r := range reps {
			got += r.streams()
		}
		if got == want {
			return nil
		}
	}
	return fmt.Errorf("the members did not all find a running replica within %v", patience)
}

// check tells whether every member saw the room the same way.
func check(members []*member) error {
	first := members[0].all()
	for _, m := range members {
		evs := m.all()
		for i := 1; i < len(evs); i++ {
			if evs[i].GetSeq() != evs[i-1].GetSeq()+1 {
				return fmt.Errorf("%s saw %s right after %s", m.name, render.Line(evs[i]), render.Line(evs[i-1]))
			}
		}
		for _, ev := range evs {
			for _, other := range first {
				if other.GetSeq() == ev.GetSeq() && !proto.Equal(other, ev) {
					return fmt.Errorf("at seq %d %s saw %s, %s saw %s", ev.GetSeq(), members[0].name, render.Line(other), m.name, render.Line(ev))
				}
			}
		}
		fmt.Printf("%s: %d events, seq %d to %d, no gap, no repeat\n", m.name, len(evs), evs[0].GetSeq(), evs[len(evs)-1].GetSeq())
	}
	fmt.Println("every member saw the same event at every seq")
	return nil
}

func countContaining(evs []*roompb.ServerEvent, s string) int {
	n := 0
	for _, ev := range evs {
		if strings.Contains(ev.GetMessage().GetText(), s) {
			n++
		}
	}
	return n
}

// replica is one replica of the room, served in this process.
type replica struct {
	n      int
	addr   string
	nc     *nats.Conn
	cancel context.CancelFunc
	abort  chan struct{}
	served chan error
	active *activeStreams
	once   sync.Once
}

func startReplica(url string, n int) (*replica, error) {
	nc, js, err := broker.Connect(url, fmt.Sprintf("replica %d", n))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if _, err := broker.CreateRoom(ctx, js); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	room, err := scaleout.NewServer(ctx, scaleout.Config{JetStream: js, Logger: quiet})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	serving, stop := context.WithCancel(context.Background())
	r := &replica{n: n, addr: lis.Addr().String(), nc: nc, cancel: stop, abort: make(chan struct{}), served: make(chan error, 1), active: &activeStreams{}}
	cfg := serve.Config{
		Grace: time.Second, Stopping: room.Close, Abort: r.abort, Logger: quiet,
		Options: []grpc.ServerOption{grpc.MaxRecvMsgSize(scaleout.MaxRecvMsgSize), grpc.ChainStreamInterceptor(r.active.count)},
	}
	go func() {
		r.served <- serve.Serve(serving, lis, cfg, func(s *grpc.Server) { roompb.RegisterRoomServer(s, room) })
	}()
	return r, nil
}

func (r *replica) streams() int { return r.active.now() }

// stop shuts the replica down as Ctrl-C would.
func (r *replica) stop() {
	r.once.Do(func() {
		r.cancel()
		<-r.served
		r.nc.Close()
	})
}

// kill stops it as a crash would: the broker connection first, so that it
// publishes nothing more, then every stream at once.
func (r *replica) kill() {
	r.once.Do(func() {
		r.nc.Close()
		close(r.abort)
		r.cancel()
		<-r.served
	})
}

// activeStreams counts the streams a replica is serving.
type activeStreams struct {
	mu sync.Mutex
	n  int
}

func (a *activeStreams) count(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	a.mu.Lock()
	a.n++
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.n--
		a.mu.Unlock()
	}()
	return handler(srv, ss)
}

func (a *activeStreams) now() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// member is one Chat, printing what it is shown.
type member struct {
	name string
	says chan string
	done chan error

	mu      sync.Mutex
	events  []*roompb.ServerEvent
	changed chan struct{}
}

func startMember(ctx context.Context, conn *grpc.ClientConn, name string) *member {
	m := &member{name: name, says: make(chan string), done: make(chan error, 1), changed: make(chan struct{})}
	go func() {
		m.done <- scaleout.Chat(ctx, conn, name, m.says, func(ev *roompb.ServerEvent) {
			fmt.Printf("  %-4s│ %s\n", name, render.Line(ev))
			m.mu.Lock()
			defer m.mu.Unlock()
			m.events = append(m.events, ev)
			close(m.changed)
			m.changed = make(chan struct{})
		})
	}()
	return m
}

func (m *member) all() []*roompb.ServerEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

func (m *member) waitFor(ctx context.Context, what string, done func([]*roompb.ServerEvent) bool) error {
	timeout := time.After(patience)
	for {
		m.mu.Lock()
		evs, changed := m.events, m.changed
		m.mu.Unlock()
		if done(evs) {
			return nil
		}
		select {
		case <-changed:
		case <-timeout:
			return fmt.Errorf("%s did not see %s within %v", m.name, what, patience)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
