package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

// tmuxSession runs command in a detached tmux session of its own (a server
// of its own too, on a socket in a temporary folder), 100 columns wide: a
// real terminal, whose screen the test reads as a person would see it.
// Without tmux the test is skipped, loudly, unless WORKSHOP_REQUIRE_TMUX is
// set (CI sets it), and then it fails.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, command ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("WORKSHOP_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is not installed and WORKSHOP_REQUIRE_TMUX is set: install tmux (apt-get install -y tmux)")
		}
		t.Skip("SKIPPED: tmux is not installed, so the chat client is not tried in a real terminal (install tmux to run this test)")
	}
	s := &tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux")}
	// The window stays when the program exits, so that its last words can
	// be read.
	s.run(append(append([]string{"new-session", "-d", "-x", "100", "-y", "30"}, command...), ";", "set-option", "-w", "remain-on-exit", "on")...)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-f", os.DevNull, "-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// typeLine types line and Enter.
func (s *tmuxSession) typeLine(line string) {
	s.t.Helper()
	s.run("send-keys", "-l", line)
	s.run("send-keys", "Enter")
}

// screen is what the terminal shows now.
func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.run("capture-pane", "-p")
}

// waitFor waits until the screen shows want, and returns the screen.
func (s *tmuxSession) waitFor(want, what string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.screen()
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: after 20s the terminal still does not show %q; it shows:\n%s", what, want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestChatClientInATerminal runs the finished chat server and client, the
// client in a real terminal, and looks at the screen: a line you say shows
// once (as the room sends it back, not also as you typed it), another
// member's line shows while you type, and /quit says goodbye.
func TestChatClientInATerminal(t *testing.T) {
	root, err := filepath.Abs(filepath.Join(packageDir, "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	step, err := steps.Find(root, "05")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(step.SolutionDir()); err != nil {
		t.Skipf("SKIPPED: %s is not here, and this test runs the finished chat", step.SolutionDir())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Into a folder not made yet, as prepare does.
	server, client, err := buildDemo(ctx, root, filepath.Join(t.TempDir(), step.Name), step)
	if err != nil {
		t.Fatalf("building the finished chat: %v", err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(server, []string{"-addr", addr}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	if err := waitListening(ctx, addr, srv.exited); err != nil {
		t.Fatal(err)
	}

	ada := startTmux(t, client, "-addr", addr, "-name", "ada")
	ada.waitFor("ada>", "the client's prompt")
	ada.typeLine("hello, room")
	screen := ada.waitFor("ada: hello, room", "what ada said, as the room sends it back")
	if n := strings.Count(screen, "hello, room"); n != 1 {
		t.Errorf("ada's line shows %d times on ada's screen, want once (as the room sends it back):\n%s", n, screen)
	}

	// Another member speaks while ada is half-way through a line: the line
	// arrives above, and what ada typed so far is still there, intact.
	ada.run("send-keys", "-l", "half-typed")
	bob := startTmux(t, client, "-addr", addr, "-name", "bob")
	bob.waitFor("bob>", "bob's prompt")
	bob.typeLine("hi ada")
	screen = ada.waitFor("bob: hi ada", "bob's line on ada's screen")
	if lines := strings.Split(strings.TrimRight(screen, "\n"), "\n"); !strings.HasSuffix(strings.TrimSpace(lines[len(lines)-1]), "ada> half-typed") {
		t.Errorf("after bob's line arrived, ada's last line is %q, want her prompt and what she had typed, \"ada> half-typed\":\n%s", lines[len(lines)-1], screen)
	}
	ada.run("send-keys", "C-u") // erase the half-typed line

	ada.typeLine("/quit")
	screen = ada.waitFor("goodbye", "/quit")
	if !strings.Contains(screen, "you left the room") {
		t.Errorf("/quit ends without saying the member left:\n%s", screen)
	}
	bob.waitFor("* ada left", "ada's leaving, on bob's screen")
}
