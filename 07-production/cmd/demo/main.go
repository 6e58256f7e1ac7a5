// Command demo is what `go run ./cmd/workshop demo 07` runs: it makes a CA
// and certificates, mints two tokens, starts the finished server, and has
// two clients chat over mutual TLS while a third, without a token, is
// refused; then it reads the server's metrics as curl would.
//
// The workshop command builds the step's server and client beside it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
)

// wait bounds every step of the demo.
const wait = 15 * time.Second

func main() {
	beside := "."
	if self, err := os.Executable(); err == nil {
		beside = filepath.Dir(self)
	}
	exe := filepath.Ext(os.Args[0]) // ".exe" on Windows
	server := flag.String("server", filepath.Join(beside, "server"+exe), "the server program")
	client := flag.String("client", filepath.Join(beside, "client"+exe), "the client program")
	flag.Parse()
	if err := run(*server, *client); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(server, client string) error {
	dir, err := os.MkdirTemp("", "workshop07-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	say("$ go run ./07-production/cmd/certs -dir %s", dir)
	if err := certs.Write(dir); err != nil {
		return err
	}
	key, err := token.ReadKey(filepath.Join(dir, certs.TokenKey))
	if err != nil {
		return err
	}
	mint := func(name string) string {
		return token.Mint(key, token.Claims{Name: name, Role: token.Member, Expires: time.Now().Add(time.Hour)})
	}
	addr, debug := freeAddr(), freeAddr()

	say("$ server -certs %s -debug-addr %s", dir, debug)
	srv := exec.Command(server, "-addr", addr, "-certs", dir, "-debug-addr", debug)
	srv.Stdout, srv.Stderr = prefixed("  server │ "), prefixed("  server │ ")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	if err := listening(addr); err != nil {
		return err
	}

	ada := start(client, "ada", "-addr", addr, "-certs", dir, "-token", mint("ada"))
	defer ada.stop()
	ada.expect("* ada joined")
	grace := start(client, "grace", "-addr", addr, "-certs", dir, "-token", mint("grace"))
	defer grace.stop()
	grace.expect("* grace joined")
	ada.expect("* grace joined")
	ada.typeLine("hello, grace")
	grace.expect("ada: hello, grace")
	grace.typeLine("hi ada, over TLS")
	ada.expect("grace: hi ada, over TLS")

	say("$ client -certs %s    # no -token", dir)
	out, _ := exec.Command(client, "-addr", addr, "-certs", dir).CombinedOutput()
	fmt.Print(indent("    eve │ ", string(out)))

	ada.typeLine("/quit")
	grace.expect("* ada left (left)")
	grace.typeLine("/quit")
	ada.wait()
	grace.wait()

	say("$ curl -s http://%s/metrics | grep -E '^(grpc_server_call_(started_total|duration_seconds_count)|workshop_stream_messages_sum)'", debug)
	return showMetrics("http://" + debug + "/metrics")
}

// showMetrics prints the grpc and stream series of the debug server.
func showMetrics(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []string{"grpc_server_call_started_total", "grpc_server_call_duration_seconds_count", "workshop_stream_messages_sum"} {
			if strings.HasPrefix(line, p+"{") {
				fmt.Println("   ", line)
			}
		}
	}
	return sc.Err()
}

// member is a running client whose output is read line by line.
type member struct {
	name  string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func start(client, name string, args ...string) *member {
	cmd := exec.Command(client, args...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = prefixed(fmt.Sprintf("%7s │ ", name))
	m := &member{name: name, cmd: cmd, in: in, lines: make(chan string, 100)}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	go func() {
		for sc := bufio.NewScanner(out); sc.Scan(); {
			fmt.Printf("%7s │ %s\n", name, sc.Text())
			m.lines <- sc.Text()
		}
		close(m.lines)
	}()
	return m
}

// expect reads m's output until line, for at most wait.
func (m *member) expect(line string) {
	timeout := time.After(wait)
	for {
		select {
		case got, ok := <-m.lines:
			if !ok {
				fail(fmt.Errorf("%s's client ended before it printed %q", m.name, line))
			}
			if got == line {
				return
			}
		case <-timeout:
			fail(fmt.Errorf("%s's client did not print %q within %v", m.name, line, wait))
		}
	}
}

func (m *member) typeLine(text string) {
	fmt.Printf("%7s ⌨ %s\n", m.name, text)
	fmt.Fprintln(m.in, text)
}

func (m *member) wait() {
	for range m.lines {
	}
	m.cmd.Wait()
}

func (m *member) stop() {
	if m.cmd.ProcessState == nil {
		m.cmd.Process.Kill()
		m.cmd.Wait()
	}
}

func say(format string, args ...any) { fmt.Printf("\n"+format+"\n", args...) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "demo:", err)
	os.Exit(1)
}

func indent(prefix, text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

// prefixed is a writer that prints each line with prefix.
func prefixed(prefix string) io.Writer {
	r, w := io.Pipe()
	go func() {
		for sc := bufio.NewScanner(r); sc.Scan(); {
			fmt.Fprintln(os.Stderr, prefix+sc.Text())
		}
	}()
	return w
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// listening waits until addr accepts connections.
func listening(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for ctx.Err() == nil {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the server did not listen on %s within %v", addr, wait)
}
