package chat

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/05-chat/chatpb"
)

// The member tests drive one outbox and its writer without a hub or gRPC:
// send is a function the test controls.

func TestTask2_DeliverNeverWaits(t *testing.T) {
	m := newMember("ada", 2)
	for i := range 2 {
		if !m.deliver(messageEvent(fmt.Sprint(i))) {
			t.Fatalf("deliver #%d into an outbox of 2 reported false, want true — task 2 in member.go: there is room", i+1)
		}
	}
	full := make(chan bool, 1)
	go func() { full <- m.deliver(messageEvent("one too many")) }()
	select {
	case ok := <-full:
		if ok {
			t.Errorf("deliver into a full outbox reported true, want false — task 2 in member.go: report false, so that the hub disconnects the member; " +
				"an event kept anywhere else (a goroutine, a bigger buffer) makes the outbox unbounded")
		}
	case <-time.After(waitLimit): // a deliver that never waits returns in microseconds
		<-m.outbox // let the blocked deliver finish, so nothing leaks
		<-full
		t.Fatalf("deliver into a full outbox was still waiting %v later — task 2 in member.go: never wait; use select with a default case and report false", waitLimit)
	}
}

func TestTask2_WriteLoopSendsInOrder(t *testing.T) {
	m := newMember("ada", 8)
	sent := make(chan *chatpb.ServerEvent, 8)
	done := make(chan error, 1)
	go func() {
		done <- m.writeLoop(func(ev *chatpb.ServerEvent) error { sent <- ev; return nil })
	}()

	for i := range 5 {
		m.deliver(messageEvent(fmt.Sprint(i)))
	}
	for i := range 5 {
		select {
		case ev := <-sent:
			if got, want := ev.GetMessage().GetText(), fmt.Sprint(i); got != want {
				t.Fatalf("send #%d got %q, want %q — task 2 in member.go: send the events in the order they were queued", i+1, got, want)
			}
		case err := <-done:
			t.Fatalf("writeLoop returned %v after %d sends, want it to keep sending — task 2 in member.go", err, i)
		case <-time.After(waitLimit):
			t.Fatalf("writeLoop sent %d of 5 queued events — task 2 in member.go: take each event from m.outbox and send it", i)
		}
	}

	disconnected := errors.New("disconnected")
	m.end(disconnected)
	select {
	case err := <-done:
		if !errors.Is(err, disconnected) {
			t.Errorf("writeLoop returned %v when the membership ended, want m.Err(), %q — task 2 in member.go", err, disconnected)
		}
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop kept running after the membership ended — task 2 in member.go: stop when <-m.Done() is ready")
	}
}

func TestTask2_WriteLoopStopsWhenSendFails(t *testing.T) {
	m := newMember("ada", 8)
	broken := errors.New("stream broken")
	calls := 0
	m.deliver(messageEvent("first"))
	m.deliver(messageEvent("second"))
	done := make(chan error, 1)
	go func() {
		done <- m.writeLoop(func(*chatpb.ServerEvent) error { calls++; return broken })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, broken) {
			t.Errorf("writeLoop returned %v, want send's error %q — task 2 in member.go", err, broken)
		}
		if calls != 1 {
			t.Errorf("send was called %d times, want once: after a failed Send the stream is gone — task 2 in member.go", calls)
		}
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop did not return after send failed — task 2 in member.go: return send's error")
	}
}

func TestTask2_WriteLoopFlushesWhenTheMemberLeft(t *testing.T) {
	m := newMember("ada", 8)
	for _, text := range []string{"a", "b", "c"} {
		m.deliver(messageEvent(text))
	}
	m.end(nil) // left by themselves, with three events still queued
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- m.writeLoop(func(ev *chatpb.ServerEvent) error {
			got = append(got, ev.GetMessage().GetText())
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("writeLoop returned %v, want nil — task 2 in member.go", err)
		}
		if fmt.Sprint(got) != "[a b c]" {
			t.Errorf("after the member left, writeLoop sent %v, want [a b c] — task 2 in member.go: when Err() is nil, send what is still queued, then return", got)
		}
	case <-time.After(waitLimit):
		t.Fatalf("writeLoop did not return once the member had left and the outbox was empty — task 2 in member.go")
	}
}

// Once the membership has ended with an error, the stream is over (the
// handler returns at once): writeLoop sends nothing more, even with events
// still queued. select picks at random among ready cases, so this is tried
// many times over.
func TestTask2_WriteLoopSendsNothingOnceDisconnected(t *testing.T) {
	disconnected := errors.New("disconnected")
	for try := range 100 {
		m := newMember("ada", 4)
		m.deliver(messageEvent("a"))
		m.deliver(messageEvent("b"))
		m.end(disconnected)
		var sent []string
		done := make(chan error, 1)
		go func() {
			done <- m.writeLoop(func(ev *chatpb.ServerEvent) error {
				sent = append(sent, ev.GetMessage().GetText())
				return nil
			})
		}()
		select {
		case err := <-done:
			if len(sent) > 0 {
				t.Fatalf("try %d: writeLoop sent %v after the membership had ended with an error, want nothing — task 2 in member.go: "+
					"check <-m.Done() on its own (a select with default) before each send; only a member who left by themselves (Err() nil) is flushed", try+1, sent)
			}
			if !errors.Is(err, disconnected) {
				t.Fatalf("writeLoop returned %v, want m.Err(), %q — task 2 in member.go", err, disconnected)
			}
		case <-time.After(waitLimit):
			t.Fatalf("writeLoop did not return after the membership ended — task 2 in member.go: stop when <-m.Done() is ready")
		}
	}
}
