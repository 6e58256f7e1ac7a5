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
)

// pythonCheck is the script that runs each step's Python client against the
// finished server and compares it with the Go client's contract.
const pythonCheck = ".ci/python-check"

// requirePython is the variable that turns a missing Python into a failure
// (CI sets it, after installing Debian's packages).
const requirePython = "WORKSHOP_REQUIRE_PYTHON"

// pythonCandidates are tried in order: the python3 on PATH, then Debian's own,
// where Debian's python3-grpcio and python3-grpc-tools live even when pyenv or
// conda put another python3 first.
var pythonCandidates = []string{"python3", "/usr/bin/python3"}

// checkPython runs .ci/python-check with a Python that has grpcio and
// grpcio-tools. Without one it warns loudly and passes, unless
// WORKSHOP_REQUIRE_PYTHON=1, where it fails. A tree without the script (the
// fixtures of verify's own tests) has no Python clients, and no such check.
func checkPython(ctx context.Context, root string, r *reporter) {
	script := filepath.Join(root, filepath.FromSlash(pythonCheck))
	if _, err := os.Stat(script); err != nil {
		return
	}
	const name = "the Python clients keep the Go clients' contract against the finished servers (" + pythonCheck + ")"
	py, tried := findPython(ctx)
	if py == "" {
		how := fmt.Sprintf("tried %s; on Debian or Ubuntu: apt-get install python3-grpcio python3-grpc-tools python3-protobuf", strings.Join(tried, ", "))
		if os.Getenv(requirePython) == "1" {
			r.fail(name, fmt.Errorf("no Python with grpcio and grpcio-tools, and %s=1 requires one (%s)", requirePython, how))
			return
		}
		fmt.Fprintf(r.out, "⚠ Python with grpcio and grpcio-tools not found: the Python clients were not checked\n    (%s; %s=1 makes this a failure, as in CI)\n", how, requirePython)
		return
	}

	cmd := exec.CommandContext(ctx, py, script)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "WORKSHOP_PYTHON="+py)
	// On cancellation, interrupt the script rather than kill it: it stops
	// the servers and clients it started, then exits.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.fail(name, fmt.Errorf("%s %s: %v\n%s", py, pythonCheck, err, out))
		return
	}
	r.check(name+": "+strings.TrimPrefix(lastLine(out), "python-check: "), nil)
}

// findPython returns the first candidate that imports grpc and grpc_tools,
// and the candidates it tried.
func findPython(ctx context.Context) (string, []string) {
	for _, c := range pythonCandidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = exec.CommandContext(ctx, path, "-c", "import grpc, grpc_tools.protoc").Run()
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
