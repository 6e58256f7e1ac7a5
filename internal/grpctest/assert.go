package grpctest

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// WantCode fails the test unless err carries the gRPC status code want.
// call describes what was called, e.g. `SayHello("")`, and hint says which
// task and file fix it, so the failure reads as one teaching sentence:
//
//	SayHello("") returned Unimplemented ("TODO(task 1)…"), want InvalidArgument — task 2 in server.go: …
func WantCode(t testing.TB, call string, err error, want codes.Code, hint string) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("%s returned %s, want %s — %s", call, describe(err), want, hint)
	}
}

// describe renders an error as its code and message, or "no error".
func describe(err error) string {
	if err == nil {
		return "no error"
	}
	st := status.Convert(err)
	return st.Code().String() + " (" + quote(st.Message()) + ")"
}

func quote(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	return `"` + s + `"`
}
