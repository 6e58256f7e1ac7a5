package unary

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/01-unary/greeterpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// newGreeterClient starts the learner's Server in memory and returns a client for it.
func newGreeterClient(t *testing.T) greeterpb.GreeterClient {
	t.Helper()
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		greeterpb.RegisterGreeterServer(s, &Server{})
	})
	return greeterpb.NewGreeterClient(conn)
}

// sayHello makes one SayHello call with a short deadline.
func sayHello(t *testing.T, client greeterpb.GreeterClient, name string) (*greeterpb.HelloReply, error) {
	t.Helper()
	return client.SayHello(grpctest.Context(t, 2*time.Second), &greeterpb.HelloRequest{Name: name})
}

func TestTask1_GreetsByName(t *testing.T) {
	client := newGreeterClient(t)
	for _, name := range []string{"Ada", "Grace Hopper", "世界"} {
		reply, err := sayHello(t, client, name)
		if err != nil {
			t.Fatalf("SayHello(%q) failed: %v — task 1 in server.go: a valid name gets a greeting", name, err)
		}
		if want := "Hello, " + name + "!"; reply.GetMessage() != want {
			t.Errorf("SayHello(%q) = %q, want %q — task 1 in server.go", name, reply.GetMessage(), want)
		}
	}
}

func TestTask2_RejectsBadNames(t *testing.T) {
	client := newGreeterClient(t)
	for _, tc := range []struct{ what, name string }{
		{"an empty name", ""},
		{"a name of only whitespace", " \t "},
		{"a name of 101 characters", strings.Repeat("a", 101)},
		{"a name of 101 two-byte characters", strings.Repeat("é", 101)},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := sayHello(t, client, tc.name)
			grpctest.WantCode(t, "SayHello("+short(tc.name)+")", err, codes.InvalidArgument,
				"task 2 in server.go: refuse "+tc.what+" with the code a bad argument gets")
			if status.Code(err) == codes.InvalidArgument && strings.TrimSpace(status.Convert(err).Message()) == "" {
				t.Errorf("SayHello(%s) was refused with an empty message — task 2: say what is wrong with the name", short(tc.name))
			}
		})
	}
}

func TestTask2_AcceptsLongestName(t *testing.T) {
	client := newGreeterClient(t)
	// 100 characters but 200 bytes: the limit counts characters, not bytes.
	name := strings.Repeat("é", 100)
	if _, err := sayHello(t, client, name); err != nil {
		t.Errorf("SayHello(<100 characters>) failed: %v, want a greeting — task 2 in server.go: the limit counts characters, not bytes, and 100 is allowed", err)
	}
}

// short quotes a name for a failure message, abbreviating a long one.
func short(name string) string {
	if n := utf8.RuneCountInString(name); n > 12 {
		return fmt.Sprintf("<%d characters>", n)
	}
	return strconv.Quote(name)
}
