// Package console is the chat client's terminal, provided so that the
// step's client.go holds only the gRPC side of the chat.
//
// A chat client prints while its user types: a message from someone else
// can arrive in the middle of a half-typed line. Printed naively it would cut
// that line in two. golang.org/x/term's Terminal keeps the two apart: it
// edits the line being typed itself (in raw mode) and, when something is
// printed, clears the prompt line, prints above it and redraws the prompt
// with what was typed so far. When stdin is not a terminal (a pipe, a
// script), the console simply reads lines and prints.
package console

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"
)

// Console reads what the user types, a line at a time, and prints lines
// above it. Println may be called from any goroutine.
type Console struct {
	lines chan string

	mu         sync.Mutex // serialises writes to out
	out        io.Writer
	isTerminal bool
	restore    func() // puts the terminal back as it was
}

// Open starts reading stdin. On a terminal, the prompt is shown before the
// line being typed; Ctrl-D or Ctrl-C on an empty line ends the input.
// Close the Console before the program exits, to leave raw mode.
func Open(prompt string) (*Console, error) {
	c := &Console{lines: make(chan string), restore: func() {}}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		c.out = os.Stdout
		sc := bufio.NewScanner(os.Stdin)
		go c.read(func() (string, error) {
			if sc.Scan() {
				return sc.Text(), nil
			}
			return "", io.EOF
		})
		return c, nil
	}

	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c.isTerminal = true
	c.restore = func() { term.Restore(fd, state) }
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{os.Stdin, os.Stdout}, prompt)
	width := 0
	if w, h, err := term.GetSize(fd); err == nil {
		t.SetSize(w, h)
		width = w
	}
	c.out = t
	go c.read(func() (string, error) {
		line, err := t.ReadLine()
		if err == nil {
			c.eraseTyped(prompt, line, width)
		}
		return line, err
	})
	return c, nil
}

// eraseTyped takes away the line the user just entered (the Terminal left
// it on the screen, and moved to the next line). What the user says comes
// back from the room, in the room's order and with its time: shown once,
// there, it cannot be mistaken for a line printed twice.
func (c *Console) eraseTyped(prompt, line string, width int) {
	rows := 1
	if width > 0 {
		rows += (utf8.RuneCountInString(prompt+line) - 1) / width
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(os.Stdout, "\x1b[%dA\r\x1b[J", rows) // up to where the line began, erase from there down
}

// read sends each line that readLine returns to c.lines, until it fails.
func (c *Console) read(readLine func() (string, error)) {
	defer close(c.lines)
	for {
		line, err := readLine()
		if err != nil {
			return
		}
		c.lines <- line
	}
}

// Lines delivers each line the user types, without its newline. It is
// closed when the input ends.
func (c *Console) Lines() <-chan string { return c.lines }

// Println prints a line above the one being typed.
func (c *Console) Println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, s)
}

// Close restores the terminal. On a terminal it also erases the prompt
// line, so that whatever the program prints next starts on a clean line.
func (c *Console) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isTerminal {
		fmt.Fprint(os.Stdout, "\r\x1b[K") // carriage return, erase to the end of the line
	}
	c.restore()
}
