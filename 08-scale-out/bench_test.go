package scaleout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/08-scale-out/roompb"
)

// Run with `go run ./cmd/workshop bench 08` (it lays the solution over the
// skeleton). The broker, the replicas and every member live in this one
// process, on loopback: on one machine, three replicas share its cores, so
// this measures what the hop through the broker and the extra replicas
// cost, not what three machines would gain.
//
// BenchmarkRoom/replicas=R spreads `benchMembers` members over R replicas
// (member i on replica i%R) and has one of them say b.N lines, at most
// `benchWindow` in flight, each delivered to every member. Reported:
//
//	deliveries/s   lines received per second, summed over members
//	p99-ms         latency from the say to its arrival at a member, over
//	               every delivery
//	x-one-replica  deliveries/s and p99 relative to replicas=1 (run first,
//	               the baseline): p99-x and rate-x
func BenchmarkRoom(b *testing.B) {
	var base benchResult
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			r := benchRoom(b, n)
			b.ReportMetric(r.perSec, "deliveries/s")
			b.ReportMetric(r.p99.Seconds()*1000, "p99-ms")
			if n == 1 {
				base = r
			} else if base.perSec > 0 {
				b.ReportMetric(r.perSec/base.perSec, "rate-x")
				b.ReportMetric(float64(r.p99)/float64(base.p99), "p99-x")
			}
		})
	}
}

const (
	benchMembers = 60
	benchWindow  = 32
	benchLimit   = 5 * time.Minute // how long a run's streams may last
)

type benchResult struct {
	perSec float64
	p99    time.Duration
}

func benchRoom(b *testing.B, replicas int) benchResult {
	room := openRoom(b)
	var reps []*replica
	for range replicas {
		reps = append(reps, room.start(b, Config{}))
	}
	var members []*participant
	for i := range benchMembers {
		members = append(members, enterWithin(b, reps[i%replicas].dial(b), fmt.Sprintf("m%d", i), nil, benchLimit))
	}
	// Each member reads until it has the last of everyone's Joined.
	last := fmt.Sprintf("m%d", benchMembers-1)
	for _, m := range members[:benchMembers-1] {
		m.until(b, joinedOf(last), "the members join")
	}
	speaker := members[0]
	var mu sync.Mutex
	var latencies []time.Duration
	received := make(chan struct{}, benchWindow) // the speaker's own copies: the window
	failed := make(chan struct{})
	var failOnce sync.Once
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, m := range members {
		wg.Go(func() {
			var mine []time.Duration
			for range b.N {
				ev, err := m.stream.Recv()
				if err != nil {
					b.Errorf("%s: %v", m.name, err)
					failOnce.Do(func() { close(failed) })
					return
				}
				sent, _ := strconv.ParseInt(strings.TrimPrefix(ev.GetMessage().GetText(), "t"), 10, 64)
				mine = append(mine, time.Since(time.Unix(0, sent)))
				if i == 0 {
					received <- struct{}{}
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	for i := range b.N {
		if i >= benchWindow {
			select {
			case <-received:
			case <-failed:
				b.FailNow()
			}
		}
		if err := speaker.stream.Send(&roompb.ClientEvent{Event: &roompb.ClientEvent_Say{Say: &roompb.Say{Text: fmt.Sprintf("t%d", time.Now().UnixNano())}}}); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) == 0 {
		return benchResult{}
	}
	return benchResult{
		perSec: float64(len(latencies)) / elapsed.Seconds(),
		p99:    latencies[len(latencies)*99/100],
	}
}
