package grpctest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// recorder stands in for the *testing.T of a learner's test, so these tests
// can watch what the harness reports without failing themselves.
type recorder struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// end runs the cleanups the way the testing package does: last in, first out.
func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// noService registers nothing of its own: the health service every
// workshop server has is enough to call.
func noService(*grpc.Server) {}

func TestConnectServesAndCleansUp(t *testing.T) {
	rec := &recorder{TB: t}
	conn := Connect(rec, noService)
	ctx := Context(t, 5*time.Second)
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("a call through the in-memory connection failed: %v", err)
	}
	rec.end()
	if len(rec.errors) > 0 {
		t.Errorf("a clean test was reported as failing: %v", rec.errors)
	}
}

// noPatience makes the leak check report at once, for the tests that leak
// on purpose.
func noPatience(t *testing.T) {
	old := leakPatience
	leakPatience = 0
	t.Cleanup(func() { leakPatience = old })
}

func TestLeakCheckReportsAGoroutineLeftRunning(t *testing.T) {
	noPatience(t)
	rec := &recorder{TB: t}
	Connect(rec, noService)
	release := make(chan struct{})
	go func() { <-release }() // a "handler" that never returns
	rec.end()
	close(release)
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "goroutines still running") {
		t.Errorf("after a goroutine was left running, the harness reported %q, want one leak report", rec.errors)
	}
}

func TestOneLeakReportPerTest(t *testing.T) {
	noPatience(t)
	rec := &recorder{TB: t}
	Connect(rec, noService)
	Connect(rec, noService) // a second server in the same test
	release := make(chan struct{})
	go func() { <-release }()
	rec.end()
	close(release)
	if len(rec.errors) != 1 {
		t.Errorf("a test with two servers and one leaked goroutine got %d reports, want 1", len(rec.errors))
	}
}
