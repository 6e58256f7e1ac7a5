package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// requirePython is the variable that turns a missing Python into a failure
// (CI sets it, after installing Debian's packages).
const requirePython = "WORKSHOP_REQUIRE_PYTHON"

// pythonCandidates are tried in order: the python3 on PATH, then Debian's own,
// where Debian's python3-grpcio, python3-grpc-tools and python3-pytest live
// even when pyenv or conda put another python3 first.
var pythonCandidates = []string{"python3", "/usr/bin/python3"}

// checkPython runs the Python clients' tests (NN-step/python/test_*.py, with
// the conftest.py at the root) under pytest, with a Python that has grpcio,
// grpcio-tools and pytest. Without one it warns loudly and passes, unless
// WORKSHOP_REQUIRE_PYTHON=1, where it fails. A tree without Python tests
// (the fixtures of verify's own tests) has no such check.
func checkPython(ctx context.Context, root string, all []steps.Step, r *reporter) {
	var dirs []string
	for _, s := range all {
		if tests, _ := filepath.Glob(filepath.Join(s.Dir(), "python", "test_*.py")); len(tests) > 0 {
			dirs = append(dirs, filepath.Join(s.Name, "python"))
		}
	}
	if len(dirs) == 0 {
		return
	}
	const name = "the Python clients keep the contract against the finished servers (pytest NN-step/python)"
	py, tried := findPython(ctx)
	if py == "" {
		how := fmt.Sprintf("tried %s; on Debian or Ubuntu: apt-get install python3-grpcio python3-grpc-tools python3-protobuf python3-pytest", strings.Join(tried, ", "))
		if os.Getenv(requirePython) == "1" {
			r.fail(name, fmt.Errorf("no Python with grpcio, grpcio-tools and pytest, and %s=1 requires one (%s)", requirePython, how))
			return
		}
		fmt.Fprintf(r.out, "⚠ Python with grpcio, grpcio-tools and pytest not found: the Python clients were not checked\n    (%s; %s=1 makes this a failure, as in CI)\n", how, requirePython)
		return
	}
	// -p no:cacheprovider: pytest writes no .pytest_cache into the tree.
	cmd := exec.CommandContext(ctx, py, append([]string{"-m", "pytest", "-q", "-p", "no:cacheprovider"}, dirs...)...)
	cmd.Dir = root
	// On cancellation, interrupt pytest rather than kill it: its fixtures
	// stop the servers and clients they started.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.fail(name, fmt.Errorf("%s -m pytest: %v\n%s", py, err, out))
		return
	}
	r.check(name+": "+lastLine(out), nil)
}

// findPython returns the first candidate that imports grpc, grpc_tools and
// pytest, and the candidates it tried.
func findPython(ctx context.Context) (string, []string) {
	for _, c := range pythonCandidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = exec.CommandContext(ctx, path, "-c", "import grpc, grpc_tools.protoc, pytest").Run()
		cancel()
		if err == nil {
			return path, pythonCandidates
		}
	}
	return "", pythonCandidates
}

// lastLine is the last line of out that is not empty.
func lastLine(out []byte) string {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return string(lines[len(lines)-1])
}
