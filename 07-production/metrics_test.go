package production_test

import (
	"context"
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 5: OpenTelemetry metrics, read as Prometheus scrapes them.

const task5 = "task 5 in metrics.go"

// scrape GETs /metrics from h and returns the body.
func scrape(t *testing.T, m *production.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// sample is the value of the series named name whose labels include every
// one of labels (`key="value"`), or -1 if the text has none.
func sample(text, name string, labels ...string) float64 {
	series := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `\{(.*)\} (\S+)$`)
	for _, line := range strings.Split(text, "\n") {
		m := series.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		all := true
		for _, l := range labels {
			all = all && strings.Contains(","+m[1]+",", ","+l+",")
		}
		if v, err := strconv.ParseFloat(m[2], 64); all && err == nil {
			return v
		}
	}
	return -1
}

func TestTask5_MetricsCountCallsAndMessages(t *testing.T) {
	m, err := production.NewMetrics()
	if err != nil {
		t.Fatalf("NewMetrics: %v — %s", err, task5)
	}
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	idle, err := production.NewMetrics() // a second set that no server reports to
	if err != nil {
		t.Fatalf("NewMetrics, a second time: %v — %s", err, task5)
	}
	t.Cleanup(func() { idle.Shutdown(context.Background()) })
	count, err := production.StreamSummary(jsonLogger(io.Discard), m.Meter())
	if err != nil {
		t.Fatalf("StreamSummary: %v — task 4 in observe.go", err)
	}
	w := startWorld(t, production.Config{}, m.ServerOption(), grpc.ChainStreamInterceptor(count))
	const hint = "the room's plumbing (tasks 2 to 4) comes first"

	ada := w.join(t, "ada", hint) // receives Join; sends Joined
	if err := ada.say("one"); err != nil {
		t.Fatalf("ada's Say: %v", describe(err))
	}
	ada.next(hint) // receives Say; sends Message
	ada.stream.CloseSend()
	if err := ada.end(); err != nil {
		t.Fatalf("ada's stream: %v", describe(err))
	}
	anonymous, err := w.client(t, "").Connect(grpctest.Context(t, streamLimit))
	if err == nil {
		_, err = anonymous.Recv()
	}
	grpctest.WantCode(t, "Connect without a token", err, codes.Unauthenticated, "task 2 in auth.go")
	_, err = w.client(t, w.token("grace", token.Member)).Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "ada"})
	grpctest.WantCode(t, "Remove by a member", err, codes.PermissionDenied, "task 2 in server.go")

	connect := `grpc_method="workshop.room.v1.Room/Connect"`
	remove := `grpc_method="workshop.room.v1.Room/Remove"`
	wants := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"grpc_server_call_started_total", []string{connect}, 2},
		{"grpc_server_call_started_total", []string{remove}, 1},
		{"grpc_server_call_duration_seconds_count", []string{connect, `grpc_status="OK"`}, 1},
		{"grpc_server_call_duration_seconds_count", []string{connect, `grpc_status="UNAUTHENTICATED"`}, 1},
		{"grpc_server_call_duration_seconds_count", []string{remove, `grpc_status="PERMISSION_DENIED"`}, 1},
		{"workshop_stream_messages_count", []string{`direction="received"`}, 1},
		{"workshop_stream_messages_sum", []string{`direction="received"`}, 2},
		{"workshop_stream_messages_sum", []string{`direction="sent"`}, 2},
	}
	// The server records a call's end after the client has its status: look
	// again until every series is there, for at most streamLimit.
	var text string
	for deadline := time.Now().Add(streamLimit); ; time.Sleep(20 * time.Millisecond) {
		text = scrape(t, m)
		all := true
		for _, w := range wants {
			all = all && sample(text, w.name, w.labels...) == w.want
		}
		if all || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range wants {
		if got := sample(text, w.name, w.labels...); got != w.want {
			t.Errorf("%s{%s} is %v (-1: absent), want %v — %s", w.name, strings.Join(w.labels, ","), got, w.want, task5)
		}
	}
	if t.Failed() {
		t.Logf("/metrics said:\n%s", text)
	}
	if got := sample(scrape(t, idle), "grpc_server_call_started_total", connect); got != -1 {
		t.Errorf("the Handler of a second Metrics, which no server used, shows grpc_server_call_started_total{%s} %v — %s: each Metrics reports its own measurements (a registry of its own)",
			connect, got, task5)
	}
}
