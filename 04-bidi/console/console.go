// Package console is the terminal side of step 04's client: it turns what
// the user types into lines and prints the answers. It is provided, not a
// task, so that the step's client.go holds only the stream.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// Lines reads r line by line on a goroutine of its own and delivers each
// line that is not blank, trimmed of surrounding space, on the returned
// channel. The channel is closed at the end of r, or once ctx is done.
//
// Why a goroutine and a channel: a Read from a terminal blocks until the user
// types something, and nothing can interrupt it. A sender that read r itself
// could not also watch ctx; one that receives from this channel can, with
// select. The reading goroutine ends at the next line or at the end of r
// after ctx is done; a program that stops listening earlier simply exits.
func Lines(ctx context.Context, r io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines
}

// Printer writes the client's output to one io.Writer. Its methods may be
// called from several goroutines at once (a bidi client prints from its
// sending and its receiving side): each line is written whole, never
// interleaved with another.
type Printer struct {
	mu  sync.Mutex
	out io.Writer
}

// NewPrinter returns a Printer that writes to out.
func NewPrinter(out io.Writer) *Printer {
	return &Printer{out: out}
}

// Answer prints one reply of the server:
//
//	12 = 2 × 2 × 3
//	97 is prime
//	1: error: number must be at least 2, got 1
func (p *Printer) Answer(f *factorpb.Factorization) {
	p.println(formatAnswer(f))
}

// NotANumber prints why a line of input was skipped instead of sent:
//
//	"foo" is not a number: skipped
func (p *Printer) NotANumber(line string) {
	p.println(formatNotANumber(line))
}

func (p *Printer) println(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.out, line)
}

// formatAnswer is the line Answer prints for f, without the newline.
func formatAnswer(f *factorpb.Factorization) string {
	n := f.GetNumber()
	switch primes := f.GetPrimes(); {
	case f.GetError() != "":
		return fmt.Sprintf("%d: error: %s", n, f.GetError())
	case len(primes) == 1 && primes[0] == n:
		return fmt.Sprintf("%d is prime", n)
	default:
		factors := make([]string, len(primes))
		for i, p := range primes {
			factors[i] = strconv.FormatInt(p, 10)
		}
		return fmt.Sprintf("%d = %s", n, strings.Join(factors, " × "))
	}
}

// formatNotANumber is the line NotANumber prints for line, without the newline.
func formatNotANumber(line string) string {
	return fmt.Sprintf("%q is not a number: skipped", line)
}
