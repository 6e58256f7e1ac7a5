package cli_test

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/internal/cli"
)

// A program that ignores its context once interrupted: the test binary runs
// itself as one when this variable is set.
const stuckProgram = "CLI_TEST_STUCK_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(stuckProgram) != "" {
		ctx := cli.Interrupted()
		os.Stdout.WriteString("running\n")
		<-ctx.Done()
		os.Stdout.WriteString("winding down, for ever\n")
		select {}
	}
	os.Exit(m.Run())
}

func TestASecondCtrlCEndsAProgramThatIsWindingDown(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), stuckProgram+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := bufio.NewScanner(out)
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() || !strings.Contains(lines.Text(), want) {
			cmd.Process.Kill()
			t.Fatalf("the program printed %q, want %q", lines.Text(), want)
		}
	}
	expect("running")
	cmd.Process.Signal(syscall.SIGINT)
	expect("winding down")
	go func() { exited <- cmd.Wait() }()
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		if err == nil {
			t.Error("the program exited 0 after a second Ctrl-C; want it killed by the signal")
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("10 s after a second Ctrl-C, the program still runs")
	}
}
