package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
	"github.com/grpc-streaming-workshop/workshop/internal/serve"
)

// Run with `go run ./cmd/workshop bench 05` (it lays the solution over the
// skeleton). The room runs on a real TCP loopback listener; all members
// live in this one process.
//
// BenchmarkBroadcast/window=W/conn=C/members=N joins N members, measures the
// memory they hold while idle, then has one of them say b.N messages, each
// delivered to all N (the sender included). At most W messages are in
// flight, so healthy members never fall far behind and none may be
// disconnected: a lost message fails the benchmark. Reported:
//
//	ns/op            time per broadcast (one message to all N members)
//	deliveries/s     messages received per second, summed over members
//	p50-ms, p99-ms   latency from Send at the sender to Recv at a member,
//	                 over every delivery
//	B/member         heap and stacks per idle member, client and server side
//	                 together (both are in this process)
//	goroutines/member  the same for goroutines
//	x-alone          deliveries/s relative to a room of one with the same
//	                 window (the baseline, run first): how the fan-out scales
//
// "shared" runs the members' streams on as few client connections as the
// server allows (serve.MaxStreams to a connection; HTTP/2 multiplexes them);
// "own" gives each member a connection of its own, like separate processes
// would have.
func BenchmarkBroadcast(b *testing.B) {
	for _, window := range []int{1, maxWindow} {
		var alone float64 // deliveries/s of the baseline
		for _, conns := range []string{"shared", "own"} {
			for _, n := range []int{1, 10, 100, 1000} {
				b.Run(fmt.Sprintf("window=%d/conn=%s/members=%d", window, conns, n), func(b *testing.B) {
					perSec := benchBroadcast(b, n, window, conns == "own")
					if n == 1 && conns == "shared" {
						alone = perSec
					}
					if alone > 0 { // the baseline ran (it does unless -bench filtered it out)
						b.ReportMetric(perSec/alone, "x-alone")
					}
				})
			}
		}
	}
}

// maxWindow is how many messages may be on their way at once in the
// throughput runs; window=1 runs send the next message only once the last
// reached everyone, which measures the latency of one broadcast alone.
const maxWindow = 8

// benchMember is one member's stream and what its receiver measured.
type benchMember struct {
	stream    grpc.BidiStreamingClient[chatpb.ClientEvent, chatpb.ServerEvent]
	latencies []time.Duration
	err       error         // why the stream ended, if it did before the end
	done      chan struct{} // closed when the receiver has returned
}

func benchBroadcast(b *testing.B, n, window int, ownConn bool) (deliveriesPerSec float64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	room := NewServer(benchConfig())
	defer room.Close()
	srv := grpctest.StartLoopback(b, func(s *grpc.Server) { chatpb.RegisterChatServer(s, room) })
	dial := func() *grpc.ClientConn { return srv.Dial(b) }

	before, goroutinesBefore := memInUse(), runtime.NumGoroutine()

	// Join n members, one after another; each reads until its own Joined.
	var conns []*grpc.ClientConn
	members := make([]*benchMember, n)
	for i := range members {
		if ownConn || i%serve.MaxStreams == 0 {
			conns = append(conns, dial())
		}
		stream, err := chatpb.NewChatClient(conns[len(conns)-1]).Connect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprint("m", i)
		if err := grpctest.Send(stream, joinEvent(name)); err != nil {
			b.Fatalf("%s could not join: %v", name, err)
		}
		for {
			ev, err := stream.Recv()
			if err != nil {
				b.Fatalf("%s could not join: %v", name, err)
			}
			if ev.GetJoined().GetName() == name {
				break
			}
		}
		members[i] = &benchMember{stream: stream, done: make(chan struct{})}
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	// Every member counts down each message it receives; the last one to
	// get message s reports it complete. Every member receives in seq
	// order, so messages complete in seq order too, and a ring of window
	// counters is enough.
	remaining := make([]atomic.Int32, window)
	complete := make(chan struct{}, window)
	var received sync.WaitGroup
	var expect atomic.Uint64 // set once the sender is done: how many to wait for
	expect.Store(^uint64(0))
	for _, m := range members {
		received.Add(1)
		go func() {
			defer received.Done()
			defer close(m.done)
			for {
				ev, err := m.stream.Recv()
				if err != nil {
					m.err = err
					return
				}
				msg := ev.GetMessage()
				if msg == nil {
					continue // a Joined: the receivers started before every join was announced
				}
				sentAt, _ := strconv.ParseInt(msg.GetText(), 10, 64)
				m.latencies = append(m.latencies, time.Duration(time.Now().UnixNano()-sentAt))
				if remaining[msg.GetSeq()%uint64(window)].Add(-1) == 0 {
					complete <- struct{}{}
				}
				if msg.GetSeq() == expect.Load() {
					return
				}
			}
		}()
	}

	perMember := float64(memInUse()-before) / float64(n)
	goroutinesPerMember := float64(runtime.NumGoroutine()-goroutinesBefore) / float64(n)

	sender := members[0].stream
	var sent uint64
	for b.Loop() {
		if sent >= uint64(window) {
			<-complete // the oldest message in flight reached everyone
		}
		sent++
		remaining[sent%uint64(window)].Store(int32(n))
		if sender.Send(sayEvent(strconv.FormatInt(time.Now().UnixNano(), 10))) != nil {
			// The stream is over; m0's receiver has its status from Recv.
			<-members[0].done
			b.Fatalf("m0 could not say message %d: its stream ended with %v", sent, members[0].err)
		}
	}
	for range min(sent, uint64(window)) {
		<-complete
	}
	elapsed := b.Elapsed()
	expect.Store(sent)
	for _, m := range members {
		m.stream.CloseSend()
	}
	received.Wait()

	var all []time.Duration
	for i, m := range members {
		if uint64(len(m.latencies)) != sent {
			b.Fatalf("m%d received %d of %d messages (stream: %v): a healthy member lost messages", i, len(m.latencies), sent, m.err)
		}
		all = append(all, m.latencies...)
	}
	slices.Sort(all)
	deliveriesPerSec = float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(deliveriesPerSec, "deliveries/s")
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
	b.ReportMetric(perMember, "B/member")
	b.ReportMetric(goroutinesPerMember, "goroutines/member")
	return deliveriesPerSec
}

// memInUse is the heap and stack memory in use after a full collection
// (two GCs, so that sync.Pool caches are emptied too).
func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse + ms.StackInuse)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchConfig is the default room without a rate limit: the benchmark
// measures the broadcast, not the pacing.
func benchConfig() Config {
	c := DefaultConfig()
	c.Rate = rate.Inf
	c.MaxMembers = 10000
	return c
}

// BenchmarkLoad/members=N joins N members (serve.MaxStreams to a connection),
// then has one more member, the prober, say 25 messages one at a time in
// each of four phases, each message only once the last has reached every
// member. The phases differ in what else goes on:
//
//	quiet        nothing: the baseline
//	flood        another member says as fast as its rate lets it (the
//	             benchmark's room allows 50 messages/s with a burst of 100,
//	             five times the default, so that the flood is heavy)
//	join-storm   N more members join at once
//	leave-storm  those N leave at once
//
// Reported: the quiet room's time per broadcast and p99 latency, and for
// each other phase its time per broadcast as a ratio against the quiet room
// of the same run (flood-x-quiet, …). No member may be cut and every leave
// must end OK, or the benchmark fails.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) { benchLoad(b, n) })
	}
}

func benchLoad(b *testing.B, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg := benchConfig()
	cfg.Rate, cfg.Burst = 50, 100
	room := NewServer(cfg)
	defer room.Close()
	srv := grpctest.StartLoopback(b, func(s *grpc.Server) { chatpb.RegisterChatServer(s, room) })
	// nextClient gives each new member a place on a connection, opening
	// one whenever the last holds as many streams as the server allows.
	var client chatpb.ChatClient
	streams := 0
	nextClient := func() chatpb.ChatClient {
		if streams%serve.MaxStreams == 0 {
			client = chatpb.NewChatClient(srv.Dial(b))
		}
		streams++
		return client
	}

	// A loadMember reads its stream until it ends, counting the prober's
	// messages; probe waits until every listener has seen the latest.
	type loadMember struct {
		stream grpc.BidiStreamingClient[chatpb.ClientEvent, chatpb.ServerEvent]
		probes chan uint64 // the seq of each probe received
		err    error
		done   chan struct{}
	}
	joinAll := func(ctx context.Context, name func(i int) string, count int) []*loadMember {
		ms := make([]*loadMember, count)
		var wg sync.WaitGroup
		for i := range ms {
			m := &loadMember{probes: make(chan uint64, 1<<14), done: make(chan struct{})}
			ms[i] = m
			stream, err := nextClient().Connect(ctx)
			if err != nil {
				b.Fatal(err)
			}
			m.stream = stream
			wg.Add(1)
			go func() {
				defer close(m.done)
				joined := false
				for {
					ev, err := stream.Recv()
					if err != nil {
						if !joined {
							wg.Done()
						}
						if !errors.Is(err, io.EOF) {
							m.err = err
						}
						return
					}
					if ev.GetHistory() != nil {
						joined = true
						wg.Done()
					}
					if msg := ev.GetMessage(); msg.GetSender() == "prober" {
						m.probes <- msg.GetSeq()
					}
				}
			}()
		}
		for i, m := range ms { // all at once: the Joins go out back to back
			if err := m.stream.Send(joinEvent(name(i))); err != nil {
				b.Fatalf("%s could not join", name(i))
			}
		}
		wg.Wait()
		return ms
	}
	leaveAll := func(ms []*loadMember) {
		for _, m := range ms {
			m.stream.CloseSend()
		}
		for i, m := range ms {
			<-m.done
			if m.err != nil {
				b.Fatalf("member %d's leave ended with %v, want OK", i, m.err)
			}
		}
	}

	listeners := joinAll(ctx, func(i int) string { return fmt.Sprint("m", i) }, n)
	prober := joinAll(ctx, func(int) string { return "prober" }, 1)[0]
	probeStream := prober.stream

	probe := func(count int) (perBroadcast, p99 time.Duration) {
		var each []time.Duration
		for range count {
			start := time.Now()
			if err := probeStream.Send(sayEvent("probe")); err != nil {
				b.Fatal("the prober's stream ended")
			}
			for i, m := range listeners {
				select {
				case <-m.probes:
				case <-m.done:
					b.Fatalf("listener m%d was cut: %v", i, m.err)
				}
			}
			each = append(each, time.Since(start))
		}
		slices.Sort(each)
		var sum time.Duration
		for _, d := range each {
			sum += d
		}
		return sum / time.Duration(len(each)), each[len(each)*99/100]
	}

	const probes = 25 // per phase; 100 in all, within the prober's burst: it is never paced
	// A first probe reaches everyone only after every Joined before it: from
	// then on the room is quiet. The phases below are the whole measurement,
	// and the prober's burst covers them only: b.Loop times nothing more.
	probe(1)
	for b.Loop() {
		// nothing: see the metrics
	}
	quiet, quietP99 := probe(probes)

	// flood: a member says as fast as its limiter lets it, until told.
	stop := make(chan struct{})
	flooded := make(chan struct{})
	floodCtx, endFlood := context.WithCancel(ctx)
	flooder := joinAll(floodCtx, func(int) string { return "flooder" }, 1)[0]
	go func() {
		defer close(flooded)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if flooder.stream.Send(sayEvent("flood")) != nil {
				return
			}
		}
	}()
	flood, _ := probe(probes)
	close(stop)
	endFlood() // what it still had in flight is moot: cancel rather than wait for its rate to let it all through
	<-flooded
	<-flooder.done

	// join storm, then leave storm, each while probing.
	var storm []*loadMember
	joined := make(chan struct{})
	go func() { storm = joinAll(ctx, func(i int) string { return fmt.Sprint("s", i) }, n); close(joined) }()
	joinStorm, _ := probe(probes)
	<-joined
	left := make(chan struct{})
	go func() { leaveAll(storm); close(left) }()
	leaveStorm, _ := probe(probes)
	<-left

	b.ReportMetric(ms(quiet), "quiet-ms/broadcast")
	b.ReportMetric(ms(quietP99), "quiet-p99-ms")
	b.ReportMetric(float64(flood)/float64(quiet), "flood-x-quiet")
	b.ReportMetric(float64(joinStorm)/float64(quiet), "join-storm-x-quiet")
	b.ReportMetric(float64(leaveStorm)/float64(quiet), "leave-storm-x-quiet")
	leaveAll(append(listeners, prober))
}
