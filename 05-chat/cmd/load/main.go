// Command load measures the chat room under the loads it is built for, on
// loopback, against a running server (go run ./05-chat/cmd/server). Every
// member has a TCP connection of its own, as separate processes would.
//
//	go run ./05-chat/cmd/load -scenario flood   # one member pastes -lines lines as fast as it can
//	go run ./05-chat/cmd/load -scenario storm   # -members join at once, then leave at once
//	go run ./05-chat/cmd/load -scenario steady  # -members chat at -rate messages/s in all
//
// It checks that no member is cut, that every member receives every
// message in the same order (the room's sequence numbers, without a gap),
// and that every leave ends with OK; it prints what it measured. With
// -server-pid it also reports the server's resident memory per idle member
// and the cores it used; with -server-debug (the server's -debug-addr), its
// memory per idle member by the Go runtime's count, its garbage collected.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

var (
	addr      = flag.String("addr", "localhost:50051", "the chat server")
	scenario  = flag.String("scenario", "flood", "flood, storm or steady")
	members   = flag.Int("members", 1000, "members, each on its own connection")
	lines     = flag.Int("lines", 1000, "flood: lines the paster pastes")
	size      = flag.Int("size", 80, "flood: characters per pasted line")
	perSecond = flag.Float64("rate", 100, "steady: messages per second, over the whole room")
	duration  = flag.Duration("duration", 20*time.Second, "steady: how long the members chat")
	serverPID = flag.Int("server-pid", 0, "the server's process id, to report its resident memory per idle member (Linux)")
	debugAddr = flag.String("server-debug", "", "the server's -debug-addr, to report its memory per idle member by the Go runtime's count")
)

// member is one participant: its stream, and what its receiver saw.
type member struct {
	name   string
	conn   *grpc.ClientConn
	stream grpc.BidiStreamingClient[chatpb.ClientEvent, chatpb.ServerEvent]
	joined chan struct{} // closed at the History

	mu        sync.Mutex
	seqs      []uint64
	latencies []time.Duration
	got       chan struct{} // gets a value at each message
	end       error         // how the stream ended: nil for OK
	done      chan struct{} // closed when the stream has ended
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	start := time.Now()
	rssBefore, err := rss()
	if err != nil {
		return err
	}
	liveBefore, err := liveMemory()
	if err != nil {
		return err
	}
	ms, err := join(ctx, *members, "m")
	if err != nil {
		return err
	}
	fmt.Printf("joined %d members, each on its own connection, in %v\n", len(ms), time.Since(start).Round(time.Millisecond))
	if *serverPID != 0 || *debugAddr != "" {
		// Let the server settle. Resident memory still holds what the joins
		// left behind: a Go program collects garbage as it allocates, an
		// idle room allocates nothing, and the runtime forces a collection
		// only after two minutes without one.
		time.Sleep(3 * time.Second)
	}
	if *serverPID != 0 {
		rssAfter, err := rss()
		if err != nil {
			return err
		}
		reportMemory(rssBefore, rssAfter, len(ms))
	}
	if *debugAddr != "" {
		live, err := liveMemory()
		if err != nil {
			return err
		}
		perMember := func(after, before uint64) float64 {
			return (float64(after) - float64(before)) / 1024 / float64(len(ms))
		}
		heap, stacks := perMember(live.HeapAlloc, liveBefore.HeapAlloc), perMember(live.StackInuse, liveBefore.StackInuse)
		fmt.Printf("server memory by the Go runtime's count, its garbage collected: %.1f KiB of heap and %.1f KiB of goroutine stacks per idle member, %.1f KiB in all\n",
			heap, stacks, heap+stacks)
	}

	switch *scenario {
	case "flood":
		err = flood(ms)
	case "storm":
		err = storm(ms)
	case "steady":
		err = steady(ms)
	default:
		err = fmt.Errorf("unknown scenario %q", *scenario)
	}
	if err != nil {
		return err
	}
	return leaveAll(ms)
}

// join connects n members at once and waits until each is in.
func join(ctx context.Context, n int, prefix string) ([]*member, error) {
	ms := make([]*member, n)
	errs := make(chan error, n)
	for i := range ms {
		m := &member{name: prefix + strconv.Itoa(i), joined: make(chan struct{}), got: make(chan struct{}, 1<<16), done: make(chan struct{})}
		ms[i] = m
		go func() { errs <- m.connect(ctx) }()
	}
	for range n {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	for _, m := range ms {
		<-m.joined
	}
	return ms, nil
}

func (m *member) connect(ctx context.Context) error {
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	m.conn = conn
	m.stream, err = chatpb.NewChatClient(conn).Connect(ctx)
	if err != nil {
		return err
	}
	if err := m.stream.Send(&chatpb.ClientEvent{Event: &chatpb.ClientEvent_Join{Join: &chatpb.Join{Name: m.name}}}); err != nil {
		return err
	}
	go m.receive()
	return nil
}

func (m *member) receive() {
	defer close(m.done)
	for {
		ev, err := m.stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				m.end = err
			}
			select {
			case <-m.joined:
			default:
				close(m.joined)
			}
			return
		}
		now := time.Now()
		switch {
		case ev.GetHistory() != nil:
			close(m.joined)
		case ev.GetMessage() != nil:
			msg := ev.GetMessage()
			m.mu.Lock()
			m.seqs = append(m.seqs, msg.GetSeq())
			m.latencies = append(m.latencies, now.Sub(msg.GetSentAt().AsTime()))
			m.mu.Unlock()
			m.got <- struct{}{}
		}
	}
}

func (m *member) say(text string) error {
	return m.stream.Send(&chatpb.ClientEvent{Event: &chatpb.ClientEvent_Say{Say: &chatpb.Say{Text: text}}})
}

// waitFor waits until every member has received n messages, or one's
// stream ended.
func waitFor(ms []*member, n int) error {
	for _, m := range ms {
		for got := 0; got < n; got++ {
			select {
			case <-m.got:
			case <-m.done:
				return fmt.Errorf("%s's stream ended after %d of %d messages: %v", m.name, got, n, m.end)
			}
		}
	}
	return nil
}

// checkOrder reports members whose messages are not first..first+n-1 in order.
func checkOrder(ms []*member, first uint64, n int) error {
	for _, m := range ms {
		m.mu.Lock()
		seqs := slices.Clone(m.seqs)
		m.mu.Unlock()
		if len(seqs) != n {
			return fmt.Errorf("%s received %d messages, want %d", m.name, len(seqs), n)
		}
		for i, s := range seqs {
			if s != first+uint64(i) {
				return fmt.Errorf("%s's message %d has seq %d, want %d", m.name, i+1, s, first+uint64(i))
			}
		}
	}
	return nil
}

func flood(ms []*member) error {
	paster := ms[0]
	start := time.Now()
	sent := make(chan error, 1)
	go func() {
		for i := range *lines {
			if err := paster.say(fmt.Sprintf("%-*s", *size, fmt.Sprintf("pasted line %d of %d", i+1, *lines))); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	if err := <-sent; err != nil {
		<-paster.done
		return fmt.Errorf("the paster's Send failed: %v", paster.end)
	}
	fmt.Printf("flood: the paster's %d Sends returned after %v (what did not fit in the flow-control windows waited for the server to read it)\n", *lines, time.Since(start).Round(time.Millisecond))
	if err := waitFor(ms, *lines); err != nil {
		return err
	}
	fmt.Printf("flood: all %d members received all %d pasted lines after %v\n", len(ms), *lines, time.Since(start).Round(time.Millisecond))
	first := ms[0].seqs[0]
	if err := checkOrder(ms, first, *lines); err != nil {
		return err
	}
	fmt.Printf("flood: every member received them in the same order, without a gap\n")
	report("flood delivery (server stamp to member)", ms)
	return nil
}

func storm(ms []*member) error {
	// The join storm was the joins above. Another one, while the room is full
	// of members who must all hear it.
	start := time.Now()
	more, err := join(context.Background(), len(ms), "s")
	if err != nil {
		return err
	}
	fmt.Printf("join storm: %d more joined at once in %v\n", len(more), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := leaveAll(more); err != nil {
		return err
	}
	fmt.Printf("leave storm: %d left at once in %v, every stream ended OK\n", len(more), time.Since(start).Round(time.Millisecond))
	for _, m := range ms {
		select {
		case <-m.done:
			return fmt.Errorf("%s was cut during the storms: %v", m.name, m.end)
		default:
		}
	}
	fmt.Printf("storms: none of the first %d members was cut\n", len(ms))
	return nil
}

func steady(ms []*member) error {
	n := int(*perSecond * duration.Seconds())
	every := time.Duration(float64(time.Second) / *perSecond)
	start := time.Now()
	serverCPU, ownCPU := cpuTime(*serverPID), cpuTime(os.Getpid())
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := range n {
		<-tick.C
		if err := ms[i%len(ms)].say("steady " + strconv.Itoa(i)); err != nil {
			return fmt.Errorf("%s's Send failed", ms[i%len(ms)].name)
		}
	}
	if err := waitFor(ms, n); err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Printf("steady: %d messages at %.0f/s over %v reached all %d members\n", n, *perSecond, elapsed.Round(time.Millisecond), len(ms))
	if *serverPID != 0 {
		// Delivery latency is queueing once the cores are busy: say how busy.
		server := (cpuTime(*serverPID) - serverCPU).Seconds() / elapsed.Seconds()
		own := (cpuTime(os.Getpid()) - ownCPU).Seconds() / elapsed.Seconds()
		fmt.Printf("steady: CPU used: the server %.2f cores, this load client %.2f cores, of %d\n", server, own, runtime.NumCPU())
		if busy := (server + own) / float64(runtime.NumCPU()); busy > 0.8 {
			fmt.Printf("steady: the server and this load client kept %.0f%% of the cores busy, so the latency below is probably mostly deliveries waiting for a core: a measure of this machine more than of the room (05-chat/README.md, What was measured)\n", 100*busy)
		}
	}
	if err := checkOrder(ms, ms[0].seqs[0], n); err != nil {
		return err
	}
	report("steady delivery (server stamp to member)", ms)
	return nil
}

// leaveAll half-closes every stream at once and checks that each ends OK.
func leaveAll(ms []*member) error {
	for _, m := range ms {
		m.stream.CloseSend()
	}
	var bad []string
	for _, m := range ms {
		<-m.done
		if m.end != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", m.name, status.Convert(m.end).Message()))
		}
		m.conn.Close()
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d leaves did not end OK: %s", len(bad), len(ms), strings.Join(bad[:min(3, len(bad))], "; "))
	}
	return nil
}

func report(what string, ms []*member) {
	var all []time.Duration
	for _, m := range ms {
		m.mu.Lock()
		all = append(all, m.latencies...)
		m.mu.Unlock()
	}
	slices.Sort(all)
	at := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("%s over %d deliveries: p50 %v, p99 %v, max %v\n", what, len(all), at(0.5), at(0.99), all[len(all)-1].Round(time.Millisecond))
}

// cpuTime is the CPU time (user and system) process pid has used, or 0
// (Linux: /proc/pid/stat, in clock ticks of 1/100 s).
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count from after it.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(f[11], 10, 64)
	system, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+system) * 10 * time.Millisecond
}

// reportMemory prints the server's resident memory per idle member, from
// before the members joined and after.
func reportMemory(before, after int64, members int) {
	fmt.Printf("server resident memory: %.1f MiB before, %.1f MiB with %d idle members", mib(before), mib(after), members)
	if after < before {
		// The server still held garbage from an earlier run, and collected
		// it while these members joined: the difference means nothing.
		fmt.Printf(": it shrank while they joined (it held an earlier run's garbage); start a fresh server to measure memory per member\n")
		return
	}
	fmt.Printf(": %.1f KiB per member (with the joins' uncollected garbage: 05-chat/README.md, What was measured)\n", float64(after-before)/1024/float64(members))
}

// runtimeMemory is what the server's Go runtime counts: its live heap
// (after a collection) and the stacks of its goroutines, in bytes.
type runtimeMemory struct {
	HeapAlloc, StackInuse uint64
}

// liveMemory has the server at -server-debug collect its garbage, and
// returns what is left: what its goroutines and live data hold. Without
// -server-debug it returns zeros.
func liveMemory() (runtimeMemory, error) {
	var vars struct {
		Memstats runtimeMemory `json:"memstats"` // expvar's runtime.MemStats
	}
	if *debugAddr == "" {
		return vars.Memstats, nil
	}
	// The heap profile with gc=1 runs a full collection before it answers.
	// Two: buffers gRPC keeps in a sync.Pool for reuse survive the first
	// collection and go at the second.
	client := &http.Client{Timeout: 30 * time.Second}
	for _, path := range []string{"/debug/pprof/heap?gc=1", "/debug/pprof/heap?gc=1", "/debug/vars"} {
		resp, err := client.Get("http://" + *debugAddr + path)
		if err != nil {
			return vars.Memstats, fmt.Errorf("-server-debug: %v (is the server running with -debug-addr %s?)", err, *debugAddr)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return vars.Memstats, fmt.Errorf("-server-debug: %s answered %s (is %s the chat server's -debug-addr?)", path, resp.Status, *debugAddr)
		}
		if path == "/debug/vars" {
			err = json.NewDecoder(resp.Body).Decode(&vars)
		} else {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		resp.Body.Close()
		if err != nil {
			return vars.Memstats, fmt.Errorf("-server-debug: %s: %v", path, err)
		}
	}
	return vars.Memstats, nil
}

// rss is the server's resident memory in bytes (Linux: /proc/pid/status),
// or 0 without -server-pid.
func rss() (int64, error) {
	if *serverPID == 0 {
		return 0, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *serverPID))
	if err != nil {
		return 0, fmt.Errorf("-server-pid: %v (is %d the chat server's process id?)", err, *serverPID)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("-server-pid: no VmRSS in /proc/%d/status", *serverPID)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
