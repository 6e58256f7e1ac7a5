package grpctest

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestDeadlinePassedTellsTheTestsBoundFromAServersStatus(t *testing.T) {
	fromServer := status.Error(codes.DeadlineExceeded, "no Join within 10s")
	open, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if DeadlinePassed(open, fromServer) {
		t.Error("a server's DeadlineExceeded, with the test's deadline an hour away, counted as the test's bound")
	}
	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	if !DeadlinePassed(past, fromServer) {
		t.Error("a DeadlineExceeded once the test's deadline was past did not count as the test's bound")
	}
	if DeadlinePassed(past, nil) {
		t.Error("no error counted as a deadline that passed")
	}
}
