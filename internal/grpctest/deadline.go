package grpctest

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DeadlinePassed reports whether err is ctx's own deadline passing (a
// test's bound running out) rather than a status a server chose: ctx's
// error is DeadlineExceeded, or err is a DeadlineExceeded that gRPC
// reported once ctx's deadline was past, a moment before ctx's own timer
// fired.
func DeadlinePassed(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline) && status.Code(err) == codes.DeadlineExceeded
}
