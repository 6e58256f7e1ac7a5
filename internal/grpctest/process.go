package grpctest

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ownProcessEnv, set to a test's name in the environment of a run of the
// test binary, tells that test it is the one the run was made for.
const ownProcessEnv = "GRPCTEST_OWN_PROCESS"

// InAProcessOfItsOwn is for a test that measures memory: what the tests
// before it leave behind (the buffers of their closed connections, freed at
// the runtime's own pace) would blur its measure. Called first, it reports
// true when the test already runs alone, in a process of its own: measure
// there. Otherwise it runs the test again, alone, in a new run of the test
// binary, reports that run's outcome as the test's, and reports false:
// return. patience bounds the run; hang says which task a run that takes
// longer points at.
func InAProcessOfItsOwn(t *testing.T, patience time.Duration, hang string) bool {
	t.Helper()
	if os.Getenv(ownProcessEnv) == t.Name() {
		return true
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary to measure in: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout="+(2*patience).String())
	cmd.Env = append(os.Environ(), ownProcessEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	// Keep what the test said there; drop the test framework's lines.
	var said []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "=== ") && !strings.HasPrefix(line, "--- ") && line != "PASS" && line != "FAIL" {
			said = append(said, "  "+strings.TrimSpace(line))
		}
	}
	report := strings.Join(said, "\n")
	switch {
	case ctx.Err() != nil:
		t.Fatalf("the measure had not ended after %v — %s:\n%s", patience, hang, report)
	case err != nil:
		t.Fatalf("measured in a process of its own (%v):\n%s", err, report)
	default:
		t.Logf("measured in a process of its own:\n%s", report)
	}
	return false
}

// LiveHeap collects garbage and returns the bytes of heap still in use:
// twice, as the first collection only moves pooled buffers (sync.Pool) aside.
func LiveHeap() uint64 {
	var mem runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&mem)
	return mem.HeapAlloc
}
