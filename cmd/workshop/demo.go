package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
)

func runDemo(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("usage: demo <step> [-serve] [client flags], e.g. demo 01 -name Ada")
	}
	root, step, err := findStep(args[0])
	if err != nil {
		return err
	}
	if _, err := os.Stat(step.SolutionDir()); err != nil {
		return fmt.Errorf("demo runs the finished %s, and %s/%s is not here (deleted so as not to peek?): git checkout HEAD -- %s/%s brings it back",
			step.Name, steps.SolutionsDir, step.Name, steps.SolutionsDir, step.Name)
	}
	if len(ownDemo(step)) > 0 {
		return runStepDemo(ctx, root, step, args[1:])
	}
	clientArgs := args[1:]
	serveOnly := len(clientArgs) > 0 && (clientArgs[0] == "-serve" || clientArgs[0] == "--serve")

	tmp, err := os.MkdirTemp("", "workshop-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	server, client, err := buildDemo(ctx, root, tmp, step)
	if err != nil {
		return err
	}

	if serveOnly {
		// On the usual address, so that the README's grpcurl lines and
		// the learner's own client work against it. (The address is not
		// spelled here: importing internal/cli would make this command
		// build grpc before it can print a word on a fresh clone.)
		srv, err := startServer(server, clientArgs[1:], os.Stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "The solution's server of %s is running on its usual address (unless you gave -addr); Ctrl-C stops it.\n", step.Name)
		select {
		case <-ctx.Done():
		case err := <-srv.exited:
			return fmt.Errorf("the server stopped: %v", err)
		}
		return srv.stop()
	}

	// A free port of its own, so a server the learner left running on the
	// usual one does not get in the way.
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	go prefixLines(pr, os.Stderr, "  server │ ")
	srv, err := startServer(server, []string{"-addr", addr}, pw)
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := waitListening(ctx, addr, srv.exited); err != nil {
		return err
	}

	fmt.Fprintf(os.Stderr, "The solution of %s is running; the client's output follows.\n", step.Name)
	cl := exec.Command(client, append([]string{"-addr", addr}, clientArgs...)...)
	cl.Stdin, cl.Stdout, cl.Stderr = os.Stdin, os.Stdout, os.Stderr // a client that reads input gets yours
	if err := cl.Run(); err != nil {
		return fmt.Errorf("the client: %w", err)
	}
	return srv.stop()
}

// runStepDemo runs a step's own demo program (NN-step/cmd/demo), built with
// the solution laid over the learner's files: for a step whose demo is more
// than one server and one client (07: certificates, tokens, three members;
// 08: a broker and three replicas). The step's server and client are built
// beside it, where its demo looks for them.
func runStepDemo(ctx context.Context, root string, step steps.Step, args []string) error {
	tmp, err := os.MkdirTemp("", "workshop-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	server, _, err := buildDemo(ctx, root, tmp, step, ownDemo(step)...)
	if err != nil {
		return err
	}
	demo := exec.CommandContext(ctx, filepath.Join(tmp, "demo"+filepath.Ext(server)), args...)
	demo.Stdin, demo.Stdout, demo.Stderr = os.Stdin, os.Stdout, os.Stderr
	return demo.Run()
}

// demoServer is a running server process.
type demoServer struct {
	cmd    *exec.Cmd
	exited chan error // receives the exit once, then is closed
	err    error
	done   bool
}

func startServer(bin string, args []string, out io.Writer) (*demoServer, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &demoServer{cmd: cmd, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait(); close(s.exited) }()
	return s, nil
}

// stop asks the server to stop as Ctrl-C would, so that it shuts down
// gracefully, and kills it if it is still there a few seconds later.
// Windows cannot send another process an interrupt: there it is killed.
func (s *demoServer) stop() error {
	if s.done {
		return nil
	}
	s.done = true
	if runtime.GOOS == "windows" || s.cmd.Process.Signal(os.Interrupt) != nil {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
	case <-time.After(8 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	return nil
}

// ownDemo is ["cmd/demo"] for a step with a demo program of its own, and
// nothing for the others.
func ownDemo(step steps.Step) []string {
	if _, err := os.Stat(filepath.Join(step.Dir(), "cmd", "demo")); err != nil {
		return nil
	}
	return []string{"cmd/demo"}
}

// buildDemo builds the step's server and client (and the packages more names,
// such as "cmd/demo", beside them) with the solution laid over
// the learner's files (go build -overlay): the learner's files stay as they are.
func buildDemo(ctx context.Context, root, dir string, step steps.Step, more ...string) (server, client string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	overlay, err := steps.WriteOverlay(dir, step)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(os.Stderr, "Building the solution's programs of %s…\n", step.Name)
	args := []string{"build", "-overlay=" + overlay, "-o", dir + string(filepath.Separator)}
	for _, pkg := range append([]string{"cmd/server", "cmd/client"}, more...) {
		args = append(args, "./"+step.Name+"/"+pkg)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building the demo: %v\n%s", err, out)
	}
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	return filepath.Join(dir, "server"+exe), filepath.Join(dir, "client"+exe), nil
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitListening returns once the server at addr accepts connections.
func waitListening(ctx context.Context, addr string, exited <-chan error) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the server stopped before it listened: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server did not listen on %s within 15s", addr)
}

// prefixLines copies r to w line by line, each line prefixed.
func prefixLines(r io.Reader, w io.Writer, prefix string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Fprintln(w, prefix+sc.Text())
	}
}
