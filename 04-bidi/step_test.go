package bidi

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// TestBadInput is the step's list of bad input, each against your server and
// client together, with what it gets: not a task of its own, but it passes
// only when tasks 1 to 5 are done. (It sits in this file, after the task
// tests, so that `go test -failfast` stops at the task test that says what
// to fix.)
func TestBadInput(t *testing.T) {
	t.Run("a number below 2 gets an in-band error and the stream goes on", func(t *testing.T) {
		srv := startServer(t)
		s := openStream(t, grpctest.Context(t, patience), srv.client)
		if reply := ask(t, s, 1, 1); reply.GetError() == "" || len(reply.GetPrimes()) > 0 {
			t.Errorf("the reply to 1 = primes %v, error %q; want an error and no primes — task 2 in server.go", reply.GetPrimes(), reply.GetError())
		}
		ask(t, s, 2, 12)
		wantEndOK(t, s) // the stream ends with OK: in-band errors are not statuses
	})

	t.Run("a line that is not a number is skipped on the client and the stream goes on", func(t *testing.T) {
		srv := startServer(t)
		var out strings.Builder
		err := Factorize(grpctest.Context(t, patience), srv.client, strings.NewReader("12\n97\nfoo\n1\n"), &out)
		if err != nil {
			t.Fatalf("Factorize(\"12 97 foo 1\") against your server returned %s, want nil — tasks 1 to 3 (server.go, client.go) come first", describe(err))
		}
		// The sender prints the complaint and the receiver the answers, at
		// the same time: only the order of the answers is fixed.
		got := strings.Split(strings.TrimSpace(out.String()), "\n")
		for i, line := range got {
			if strings.HasPrefix(line, "1: error: ") {
				got[i] = "1: error: …" // the wording of the in-band error is yours
			}
		}
		slices.Sort(got)
		want := []string{"12 = 2 × 2 × 3", "97 is prime", `"foo" is not a number: skipped`, "1: error: …"}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Factorize(\"12 97 foo 1\") against your server printed (sorted)\n%s\nwant\n%s\n— tasks 2 (server.go) and 3 (client.go)", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("an id not greater than the one before ends the stream with FailedPrecondition", func(t *testing.T) {
		srv := startServer(t)
		s := openStream(t, grpctest.Context(t, patience), srv.client)
		ask(t, s, 7, 12)
		sendRequest(t, s, 3, 97, "task 5 in server.go: end the stream on an id that does not increase, not before")
		_, err := s.Recv()
		grpctest.WantCode(t, "Recv after id 3 followed id 7", err, codes.FailedPrecondition, "task 5 in server.go")
	})
}
