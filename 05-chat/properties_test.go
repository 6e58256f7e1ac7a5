package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"pgregory.net/rapid"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Property tests (pgregory.net/rapid): random names, letter cases, Unicode
// normal forms and join/leave orders, checked against a small model of the
// room. When one fails, rapid shrinks it to a minimal case and prints it.

// bases are names whose identity the model knows: each is valid as written
// (in NFC), in one script, and its lower-case form is its identity.
var bases = []string{
	"ada", "zoë", "josé maría", "élodie", "o'brien", "jean-luc", "grace_h", "r2d2", "ab.c",
	"ελένη", "дмитрий", "李小龙", "x", strings.Repeat("é", 28),
}

// nameVariant is a spelling of a base: its case, and its Unicode form.
type nameVariant struct {
	base, name string
}

// variantOf draws one spelling of a base name.
func init() { grpctest.RepeatableProperties() }

func variantOf(t *rapid.T, label string) nameVariant {
	base := rapid.SampledFrom(bases).Draw(t, label+" base")
	name := base
	switch rapid.SampledFrom([]string{"as is", "upper", "title", "mixed"}).Draw(t, label+" case") {
	case "upper":
		name = strings.ToUpper(name)
	case "title":
		name = strings.ToUpper(name[:1]) + name[1:] // a byte: only for an ASCII first letter
		if !isASCIILetter(base[0]) {
			name = base
		}
	case "mixed":
		var b strings.Builder
		for i, r := range []rune(name) {
			if rapid.Bool().Draw(t, fmt.Sprintf("%s rune %d upper", label, i)) {
				r = []rune(strings.ToUpper(string(r)))[0]
			}
			b.WriteRune(r)
		}
		name = b.String()
	}
	if rapid.SampledFrom([]string{"NFC", "NFD"}).Draw(t, label+" form") == "NFD" {
		name = norm.NFD.String(name)
	}
	return nameVariant{base: base, name: name}
}

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' }

// modelValid: a spelling is a valid name when it is in normal form (NFC,
// for these bases); its identity is its base.
func modelValid(v nameVariant) bool { return norm.NFC.String(v.name) == v.name }

// joinResult is what a concurrent join ended with.
type joinResult struct {
	p   *participant
	err error
}

// released is a start that has come: joinAt joins at once.
var released = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// joinAt joins as name on conn without a *testing.T, for use from any
// goroutine: the participant if the room took it, else the stream's status.
// The stream is opened at once; the Join is sent once start is closed, so
// that joins released together reach the room together.
func joinAt(ctx context.Context, conn *grpc.ClientConn, name string, start <-chan struct{}) joinResult {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := chatpb.NewChatClient(conn).Connect(ctx)
	if err != nil {
		cancel()
		return joinResult{err: err}
	}
	<-start
	if err := grpctest.Send(stream, joinEvent(name)); err != nil {
		cancel()
		return joinResult{err: err}
	}
	p := &participant{name: name, stream: stream, cancel: cancel}
	for first := true; ; first = false {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			err = status.Error(codes.Internal, "the stream ended with OK, want a History or a status")
		}
		if err != nil {
			cancel()
			return joinResult{err: err}
		}
		if first && ev.GetHistory() == nil {
			cancel()
			return joinResult{err: status.Errorf(codes.Internal, "the first event was %s, want a History", describe(ev))}
		}
		if ev.GetJoined().GetName() == name {
			return joinResult{p: p}
		}
	}
}

// leaveNow half-closes p's stream and reads to its end, which must be OK.
func leaveNow(p *participant) error {
	if err := p.stream.CloseSend(); err != nil {
		return err
	}
	for {
		_, err := p.stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// A room model: names present by identity. Random joins (of random
// spellings) and leaves; every join gets the code the model predicts, and
// a name is free again once the member who held it left, however it is
// spelled.
func TestTask8_NamesAreOneIdentityUnderCaseAndNormalForm(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMembers = 1000
	r := startRoom(t, cfg)
	conn := r.srv.Dial(t)
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		ctx, cancel := context.WithTimeout(context.Background(), patience(streamLimit))
		defer cancel()
		suffix := fmt.Sprint(" ", run) // each run its own names, whatever an earlier run left
		type present struct {
			p       *participant
			spelled string
		}
		in := map[string]present{} // by base
		defer func() {
			for _, m := range in {
				m.p.cancel()
			}
		}()
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for i := range steps {
			label := fmt.Sprint("step ", i)
			if len(in) > 0 && rapid.Bool().Draw(rt, label+" leave") {
				var keys []string
				for k := range in {
					keys = append(keys, k)
				}
				base := rapid.SampledFrom(sortedStrings(keys)).Draw(rt, label+" who leaves")
				if err := leaveNow(in[base].p); err != nil {
					rt.Fatalf("%q left with CloseSend and the stream ended with %v, want OK — task 2 in server.go", in[base].spelled, err)
				}
				delete(in, base)
				continue
			}
			v := variantOf(rt, label)
			v.name += suffix
			got := joinAt(ctx, conn, v.name, released)
			var want codes.Code
			switch other, taken := in[v.base]; {
			case !modelValid(v):
				want = codes.InvalidArgument
			case taken:
				want = codes.AlreadyExists
				_ = other
			}
			if code := status.Code(got.err); code != want {
				why := "task 8 in names.go: a name not in its normal form is refused with InvalidArgument; one that differs from a present member's " +
					"only in case is the same name (AlreadyExists); once that member left, it is free"
				if taken, ok := in[v.base]; ok {
					why = fmt.Sprintf("%q is in the room — %s", taken.spelled, why)
				}
				rt.Fatalf("a join as %q ended with %s, want %s: %s", v.name, describeErr(got.err), want, why)
			}
			if got.p != nil {
				in[v.base] = present{got.p, v.name}
			}
		}
		for base, m := range in {
			if err := leaveNow(m.p); err != nil {
				rt.Fatalf("%q left with CloseSend and the stream ended with %v, want OK — task 2 in server.go", m.spelled, err)
			}
			delete(in, base)
		}
	})
}

// Concurrent joins against the cap: however many join at once, exactly as
// many as there is room for get in, and the others are refused with
// ResourceExhausted; leaving makes room again.
func TestTask9_ConcurrentJoinsNeverExceedTheCap(t *testing.T) {
	for _, max := range []int{1, 4} {
		t.Run(fmt.Sprintf("a room for %d", max), func(t *testing.T) { concurrentJoins(t, max) })
	}
}

// concurrentJoins joins many members at once, over several connections (so
// that their Joins are read by several goroutines of the server), released
// together once every stream is open, into a room for max.
func concurrentJoins(t *testing.T, max int) {
	cfg := testConfig()
	cfg.MaxMembers = max
	r := startRoom(t, cfg)
	var conns []*grpc.ClientConn
	for range 4 {
		conns = append(conns, r.srv.Dial(t))
	}
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		ctx, cancel := context.WithTimeout(context.Background(), patience(streamLimit))
		defer cancel()
		var in []*participant
		defer func() {
			for _, p := range in {
				p.cancel()
			}
		}()
		rounds := rapid.IntRange(1, 3).Draw(rt, "rounds")
		for round := range rounds {
			n := rapid.IntRange(0, 2*max+1).Draw(rt, fmt.Sprint("round ", round, " joiners"))
			results := make([]joinResult, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					results[i] = joinAt(ctx, conns[i%len(conns)], fmt.Sprintf("m%d r%d j%d", run, round, i), start)
				})
			}
			close(start)
			wg.Wait()
			got, room := 0, max-len(in)
			for _, res := range results {
				switch {
				case res.p != nil:
					got++
					in = append(in, res.p)
				case ranOut(res.err):
					rt.Fatalf("a join into a room for %d was neither answered nor refused within %v — task 9 in hub.go", max, patience(streamLimit))
				case status.Code(res.err) != codes.ResourceExhausted:
					rt.Fatalf("a join into a room for %d ended with %s, want it in or ResourceExhausted — task 9 in hub.go", max, describeErr(res.err))
				}
			}
			if want := min(n, room); got != want {
				rt.Fatalf("%d joined at once a room for %d that held %d: %d got in, want %d (the others refused with ResourceExhausted) — task 9 in hub.go: the cap holds under concurrent joins",
					n, max, max-room, got, want)
			}
			leaving := rapid.IntRange(0, len(in)).Draw(rt, fmt.Sprint("round ", round, " leavers"))
			for _, p := range in[:leaving] {
				if err := leaveNow(p); err != nil {
					rt.Fatalf("%q left with CloseSend and the stream ended with %v, want OK — task 2 in server.go", p.name, err)
				}
			}
			in = in[leaving:]
		}
		for len(in) > 0 {
			if err := leaveNow(in[0]); err != nil {
				rt.Fatalf("%q left with CloseSend and the stream ended with %v, want OK — task 2 in server.go", in[0].name, err)
			}
			in = in[1:]
		}
	})
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// describeErr renders how a join ended: in (nil) or its status.
func describeErr(err error) string {
	if err == nil {
		return "the member in the room"
	}
	st := status.Convert(err)
	return fmt.Sprintf("%s (%q)", st.Code(), st.Message())
}
