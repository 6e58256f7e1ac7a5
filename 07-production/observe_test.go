package production_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric/noop"
	"google.golang.org/grpc"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 4: a wrapped server stream that counts what goes through it and
// says so when the stream ends.

const task4 = "task 4 in observe.go"

// summary is one "stream ended" line, as the test compares them.
type summary struct {
	Method   string `json:"method"`
	Code     string `json:"code"`
	Received int    `json:"received"`
	Sent     int    `json:"sent"`
}

func (s summary) String() string {
	return fmt.Sprintf("%s %s received=%d sent=%d", s.Method, s.Code, s.Received, s.Sent)
}

// summaries waits (at most streamLimit) until log holds n "stream ended"
// lines, and returns them sorted.
func summaries(t *testing.T, log *grpctest.Buffer, n int) []string {
	t.Helper()
	deadline := time.Now().Add(streamLimit)
	for {
		var got []string
		for _, line := range strings.Split(log.String(), "\n") {
			var rec struct {
				Msg string `json:"msg"`
				summary
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "stream ended" {
				got = append(got, rec.summary.String())
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			slices.Sort(got)
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTask4_EachStreamEndsWithASummary(t *testing.T) {
	var log grpctest.Buffer
	count, err := production.StreamSummary(jsonLogger(&log), noop.NewMeterProvider().Meter("test"))
	if err != nil {
		t.Fatalf("StreamSummary: %v — %s", err, task4)
	}
	w := startWorld(t, production.Config{}, grpc.ChainStreamInterceptor(count))
	const hint = "the room's plumbing (tasks 2 and 3) comes first"

	ada := w.join(t, "ada", hint) // receives: Join; sends: Joined ada
	grace := w.join(t, "grace", hint)
	ada.expectJoined("grace", hint) // sends: Joined grace
	if err := ada.say("one"); err != nil {
		t.Fatalf("ada's Say: %v", describe(err))
	}
	ada.next(hint) // receives: Say; sends: Message
	if err := ada.stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := ada.end(); err != nil {
		t.Fatalf("ada's stream after CloseSend ended with %v, want OK — %s: the wrapped stream must keep RecvMsg's io.EOF as it is", describe(err), task4)
	}
	grace.next(hint) // ada's Message
	grace.next(hint) // ada's Left
	root := w.client(t, w.token("root", token.Admin))
	if _, err := root.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "grace"}); err != nil {
		t.Fatalf("Remove(grace): %v", describe(err))
	}
	grace.end()

	const connect = "/workshop.room.v1.Room/Connect"
	want := []string{
		summary{connect, "OK", 2, 3}.String(),               // ada: Join, Say; Joined ×2, Message
		summary{connect, "PermissionDenied", 1, 3}.String(), // grace: Join; Joined, Message, Left
	}
	slices.Sort(want)
	if got := summaries(t, &log, 2); !slices.Equal(got, want) {
		t.Errorf("the \"stream ended\" lines say\n\t%s\nwant\n\t%s\n— %s: count each message that went through, each way, once the handler has returned (a failed RecvMsg or SendMsg moved nothing)",
			strings.Join(got, "\n\t"), strings.Join(want, "\n\t"), task4)
	}
}
