package production_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 6: a call made on the caller's behalf. Remove asks the Audit
// service first; the test's Audit server shows the context it got.

const task6 = "task 6 in server.go"

// slack is how much later than the caller's deadline the audit's may end:
// gRPC sends the time remaining, and each hop starts its clock a little later.
const slack = time.Second

// auditCallOf waits for Remove's call to the Audit service.
func auditCallOf(t *testing.T, w *world) auditCall {
	t.Helper()
	select {
	case c := <-w.audit.calls:
		return c
	case <-time.After(streamLimit):
		t.Fatalf("the Audit service was never called — %s: Remove records the removal first", task6)
		return auditCall{}
	}
}

func TestTask6_TheAuditCallCarriesTheCallersDeadline(t *testing.T) {
	w := startWorld(t, production.Config{})
	ada := w.join(t, "ada", "tasks 2 and 3 come first")
	root := w.client(t, w.token("root", token.Admin))
	ctx := grpctest.Context(t, streamLimit)
	deadline, _ := ctx.Deadline()
	_, err := root.Remove(ctx, &roompb.RemoveRequest{Name: "ada"})
	grpctest.WantCode(t, "Remove(ada) by root", err, codes.OK, "task 2 in server.go")

	call := auditCallOf(t, w)
	want := &roompb.AuditEntry{Actor: "root", Action: "remove", Target: "ada"}
	if call.entry.GetActor() != want.Actor || call.entry.GetAction() != want.Action || call.entry.GetTarget() != want.Target {
		t.Errorf("the Audit service got %v, want %v — %s", call.entry, want, task6)
	}
	switch {
	case call.deadline.IsZero():
		t.Errorf("the Audit call had no deadline; the caller's ends in %v — %s: the call is made on the caller's behalf", streamLimit, task6)
	case call.deadline.After(deadline.Add(slack)):
		t.Errorf("the Audit call's deadline is %v after the caller's — %s: the caller's deadline must bound it", call.deadline.Sub(deadline).Round(time.Millisecond), task6)
	}
	grpctest.WantCode(t, "ada's stream after root removed her", ada.end(), codes.PermissionDenied, "task 2 in server.go")
}

func TestTask6_CancellingRemoveCancelsTheAuditCall(t *testing.T) {
	w := startWorld(t, production.Config{})
	w.audit.answer = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() } // an audit that hangs
	ada := w.join(t, "ada", "tasks 2 and 3 come first")
	root := w.client(t, w.token("root", token.Admin))
	ctx, cancel := context.WithCancel(grpctest.Context(t, streamLimit))
	removed := make(chan error, 1)
	go func() {
		_, err := root.Remove(ctx, &roompb.RemoveRequest{Name: "ada"})
		removed <- err
	}()
	call := auditCallOf(t, w)
	cancelled := time.Now()
	cancel() // the admin gives up while the audit is under way
	grpctest.WantCode(t, "Remove(ada), cancelled by root", <-removed, codes.Canceled, task6)
	select {
	case <-call.ctx.Done():
	case <-time.After(streamLimit):
		t.Fatalf("the Audit call was still running %v after its caller cancelled Remove — %s: a call on the caller's behalf ends with it", streamLimit, task6)
	}
	// Ended by the cancel, the audit ends long before its own deadline; ended
	// by a timer of its own, it ends as that deadline comes. (A deadline a
	// second or less away at the cancel tells the two apart by too little.)
	if left := call.deadline.Sub(cancelled); left >= time.Second && time.Now().After(call.deadline.Add(-left/2)) {
		t.Fatalf("the Audit call, whose deadline was %v away when its caller cancelled Remove, ran on for %v, until that deadline came — %s: a call on the caller's behalf ends with it",
			left.Round(time.Millisecond), time.Since(cancelled).Round(time.Millisecond), task6)
	}
	if err := ada.say("still here"); err != nil {
		t.Fatalf("ada's Say after an abandoned Remove: %v — %s: no audit, no removal", describe(err), task6)
	}
	if msg := ada.next(task6 + ": no audit, no removal").GetMessage(); msg.GetText() != "still here" {
		t.Errorf("ada got %v, want her own message — %s", msg, task6)
	}
}

func TestTask6_AFailedAuditRemovesNoOne(t *testing.T) {
	w := startWorld(t, production.Config{})
	w.audit.answer = func(context.Context) error { return status.Error(codes.Unavailable, "the audit log is down") }
	ada := w.join(t, "ada", "tasks 2 and 3 come first")
	root := w.client(t, w.token("root", token.Admin))
	_, err := root.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "ada"})
	grpctest.WantCode(t, "Remove(ada) while the Audit service fails with Unavailable", err, codes.Unavailable, task6)
	auditCallOf(t, w)
	if err := ada.say("still here"); err != nil {
		t.Fatalf("ada's Say after a Remove whose audit failed: %v — %s: no audit, no removal", describe(err), task6)
	}
	if msg := ada.next(task6 + ": no audit, no removal").GetMessage(); msg.GetText() != "still here" {
		t.Errorf("ada got %v, want her own message — %s", msg, task6)
	}
}
