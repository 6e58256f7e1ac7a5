package production_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Task 2: identity from credentials. Every call carries a token; the
// interceptors refuse a bad one and give the handlers the caller's claims.

const task2 = "task 2 in auth.go"

func TestTask2_BadTokensAreUnauthenticated(t *testing.T) {
	w := startWorld(t, production.Config{})
	c := w.client(t, "") // mutual TLS, but no per-RPC credentials: each case sets its header
	expired := token.Mint(w.key, token.Claims{Name: "ada", Role: token.Admin, Expires: time.Now().Add(-time.Minute)})
	forged := token.Mint(token.NewKey(), token.Claims{Name: "ada", Role: token.Admin, Expires: time.Now().Add(time.Hour)})
	valid := w.token("ada", token.Admin)
	cases := []struct{ name, header string }{
		{"no token", ""},
		{"not the Bearer scheme", "Basic " + valid},
		{"a bare token without its scheme", valid},
		{"malformed", "Bearer nonsense"},
		{"forged: signed with another key", "Bearer " + forged},
		{"expired", "Bearer " + expired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := grpctest.Context(t, streamLimit)
			if tc.header != "" {
				ctx = withAuthorization(ctx, tc.header)
			}
			_, err := c.Remove(ctx, &roompb.RemoveRequest{Name: "nobody"})
			grpctest.WantCode(t, "Remove (unary) with "+tc.name, err, codes.Unauthenticated,
				task2+": UnaryAuth must refuse it before the handler runs")
			stream, err := c.Connect(ctx)
			if err == nil {
				_, err = stream.Recv()
			}
			grpctest.WantCode(t, "Connect (stream) with "+tc.name, err, codes.Unauthenticated,
				task2+": StreamAuth must refuse it before the handler runs")
		})
	}
}

func TestTask2_ATokenNeverTravelsInPlaintext(t *testing.T) {
	creds := production.Bearer("a-secret-token")
	conn, err := grpc.NewClient("passthrough:///localhost:1", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(creds))
	if err == nil {
		conn.Close()
		md, mdErr := creds.GetRequestMetadata(context.Background())
		t.Errorf("grpc.NewClient accepted Bearer(token) on a plaintext connection (it would send %v, %v), want an error — %s: a token is a secret; its credentials must require transport security",
			md, mdErr, task2)
	}
}

func TestTask2_TheNameComesFromTheToken(t *testing.T) {
	w := startWorld(t, production.Config{})
	const hint = task2 + " and server.go: the handler takes the member's name from the token the interceptor verified (a stream's context comes from the stream)"
	ada := w.join(t, "ada", hint) // Join with no name: the token's
	grace := w.connect(t, "grace", "grace")
	grace.expectJoined("grace", hint)
	ada.expectJoined("grace", hint)
	if err := ada.say("hello"); err != nil {
		t.Fatalf("ada's Say: %v — %s", describe(err), hint)
	}
	for _, m := range []*member{ada, grace} {
		if msg := m.next(hint).GetMessage(); msg.GetSender() != "ada" || msg.GetText() != "hello" {
			t.Fatalf("%s got %v, want ada's hello — %s", m.name, msg, hint)
		}
	}
}

func TestTask2_JoiningAsSomeoneElseIsRefused(t *testing.T) {
	w := startWorld(t, production.Config{})
	impostor := w.connect(t, "ada", "grace") // ada's token, grace's name
	if ev, err := impostor.stream.Recv(); err == nil {
		t.Fatalf(`with ada's token and Join{name: "grace"}, the stream received %v, want it refused with PermissionDenied — task 2 in server.go: a Join may name only the token's holder`, ev)
	}
	err := impostor.end()
	grpctest.WantCode(t, `Connect with ada's token and Join{name: "grace"}`, err, codes.PermissionDenied,
		"task 2 in server.go: a Join may name only the token's holder")
	if status.Code(err) == codes.PermissionDenied && !strings.Contains(err.Error(), "grace") {
		t.Errorf("the refusal %v does not name the name asked for — task 2 in server.go", describe(err))
	}
}

func TestTask2_OnlyAnAdminRemoves(t *testing.T) {
	w := startWorld(t, production.Config{})
	const hint = "task 2 in server.go: Remove is for tokens with role admin"
	ada := w.join(t, "ada", hint)
	grace := w.client(t, w.token("grace", token.Member))
	_, err := grace.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "ada"})
	grpctest.WantCode(t, "Remove(ada) by grace, a member", err, codes.PermissionDenied, hint)

	root := w.client(t, w.token("root", token.Admin))
	_, err = root.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "nobody"})
	grpctest.WantCode(t, "Remove(nobody) by root, an admin", err, codes.NotFound, hint)
	_, err = root.Remove(grpctest.Context(t, streamLimit), &roompb.RemoveRequest{Name: "ada"})
	grpctest.WantCode(t, "Remove(ada) by root, an admin", err, codes.OK, hint)
	grpctest.WantCode(t, "ada's stream, after root removed her", ada.end(), codes.PermissionDenied, hint)
}

func TestTask2_TheProtocolsBoundsHold(t *testing.T) {
	w := startWorld(t, production.Config{JoinTimeout: 100 * time.Millisecond})
	const hint = "task 2 in server.go: the handler reads the Join with room.ReadJoin and Config.JoinTimeout"
	c := w.client(t, w.token("ada", token.Member))
	silent, err := c.Connect(grpctest.Context(t, streamLimit))
	if err == nil {
		_, err = silent.Recv()
	}
	grpctest.WantCode(t, "a Connect stream that sends no Join", err, codes.DeadlineExceeded, hint)

	ada := w.join(t, "ada", hint)
	big := strings.Repeat("a", production.MaxMessageSize+1)
	err = ada.say(big)
	if err == nil {
		err = ada.end()
	}
	grpctest.WantCode(t, "a Say bigger than MaxMessageSize", err, codes.ResourceExhausted,
		"the server options must include Limits()")
}
