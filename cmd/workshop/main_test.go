package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBuildsWithoutGRPC: on a fresh clone, `go run ./cmd/workshop` must
// start in seconds and show its progress while grpc compiles for the tests,
// so the command itself must not depend on grpc.
func TestBuildsWithoutGRPC(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "google.golang.org/grpc") || strings.HasPrefix(dep, "google.golang.org/protobuf") {
			t.Fatalf("cmd/workshop depends on %s: the first run would compile grpc before printing anything", dep)
		}
	}
}
