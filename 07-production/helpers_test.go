package production_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/07-production/certs"
	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
	"github.com/grpc-streaming-workshop/workshop/07-production/token"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// Helpers shared by the tests. Every test reaches the room as a real client
// does: over mutual TLS, with a token, through gRPC.

// streamLimit bounds every test stream and call: a hang fails within it. A
// correct server answers in milliseconds; 10 s is for a loaded laptop under
// the race detector.
const streamLimit = 10 * time.Second

// roomName is the name of every test's room.
const roomName = "lobby"

// pki writes a fresh CA, certificates and token key into a folder of the test's own.
func pki(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := certs.Write(dir); err != nil {
		t.Fatalf("certs.Write: %v", err)
	}
	return dir
}

// readKey reads the token key of a pki folder.
func readKey(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := token.ReadKey(filepath.Join(dir, certs.TokenKey))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serverCreds is ServerCredentials(dir), or the test's end (task 1 first).
func serverCreds(t *testing.T, dir string) grpc.ServerOption {
	t.Helper()
	creds, err := production.ServerCredentials(dir)
	if err != nil {
		t.Fatalf("ServerCredentials(%q) returned %v — task 1 in tls.go", dir, err)
	}
	return grpc.Creds(creds)
}

// clientCreds is ClientCredentials(dir) with the server's name, for a
// connection over bufconn, whose address names no host.
func clientCreds(t *testing.T, dir string) []grpc.DialOption {
	t.Helper()
	creds, err := production.ClientCredentials(dir)
	if err != nil {
		t.Fatalf("ClientCredentials(%q) returned %v — task 1 in tls.go", dir, err)
	}
	return []grpc.DialOption{grpc.WithTransportCredentials(creds), grpc.WithAuthority(certs.ServerName)}
}

// world is a room server running in memory over mutual TLS for one test,
// with a recording Audit service behind it.
type world struct {
	dir   string
	key   []byte
	srv   *grpctest.Server
	room  *production.Server
	audit *fakeAudit
}

// startWorld runs NewServer over mutual TLS, with the two auth interceptors
// first and opts after them (more interceptors, a stats handler).
func startWorld(t *testing.T, cfg production.Config, opts ...grpc.ServerOption) *world {
	t.Helper()
	dir := pki(t)
	w := &world{dir: dir, key: readKey(t, dir), audit: newFakeAudit()}
	auditSrv := grpctest.Start(t, func(s *grpc.Server) { roompb.RegisterAuditServer(s, w.audit) })
	if cfg.Room == "" {
		cfg.Room = roomName
	}
	if cfg.Audit == nil {
		cfg.Audit = roompb.NewAuditClient(auditSrv.Dial(t))
	}
	w.room = production.NewServer(cfg)
	opts = append([]grpc.ServerOption{serverCreds(t, dir),
		grpc.ChainUnaryInterceptor(production.UnaryAuth(w.key)),
		grpc.ChainStreamInterceptor(production.StreamAuth(w.key)),
	}, append(opts, production.Limits()...)...)
	w.srv = grpctest.Start(t, func(s *grpc.Server) { roompb.RegisterRoomServer(s, w.room) }, opts...)
	return w
}

// token mints a token of w's key for name with role, valid for an hour.
func (w *world) token(name, role string) string {
	return token.Mint(w.key, token.Claims{Name: name, Role: role, Expires: time.Now().Add(time.Hour)})
}

// client connects as the holder of tok, over mutual TLS (tok "" sends none).
func (w *world) client(t *testing.T, tok string) roompb.RoomClient {
	t.Helper()
	opts := clientCreds(t, w.dir)
	if tok != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(production.Bearer(tok)))
	}
	return roompb.NewRoomClient(w.srv.Dial(t, opts...))
}

// member is one open Connect stream.
type member struct {
	t      *testing.T
	name   string
	stream grpc.BidiStreamingClient[roompb.ClientEvent, roompb.ServerEvent]
}

// connect opens a stream as name (role member) and sends a Join with joinAs.
func (w *world) connect(t *testing.T, name, joinAs string) *member {
	t.Helper()
	return w.connectWith(t, w.client(t, w.token(name, token.Member)), name, joinAs)
}

func (w *world) connectWith(t *testing.T, c roompb.RoomClient, name, joinAs string) *member {
	t.Helper()
	stream, err := c.Connect(grpctest.Context(t, streamLimit))
	if err != nil {
		t.Fatalf("Connect as %s: %v", name, err)
	}
	m := &member{t: t, name: name, stream: stream}
	m.send(&roompb.ClientEvent{Event: &roompb.ClientEvent_Join{Join: &roompb.Join{Name: joinAs}}})
	return m
}

// join connects as name and reads its own Joined: name is in the room.
func (w *world) join(t *testing.T, name, hint string) *member {
	t.Helper()
	m := w.connect(t, name, "")
	m.expectJoined(name, hint)
	return m
}

func (m *member) send(ev *roompb.ClientEvent) error {
	return grpctest.Send(m.stream, ev)
}

func (m *member) say(text string) error {
	return m.send(&roompb.ClientEvent{Event: &roompb.ClientEvent_Say{Say: &roompb.Say{Text: text}}})
}

// next receives the next event, or fails the test saying hint.
func (m *member) next(hint string) *roompb.ServerEvent {
	m.t.Helper()
	ev, err := m.stream.Recv()
	if err != nil {
		m.t.Fatalf("%s's stream ended with %v, want an event — %s", m.name, describe(err), hint)
	}
	return ev
}

// expectJoined receives name's Joined.
func (m *member) expectJoined(name, hint string) {
	m.t.Helper()
	if got := m.next(hint).GetJoined().GetName(); got != name {
		m.t.Fatalf("%s got Joined %q, want %q — %s", m.name, got, name, hint)
	}
}

// end reads the stream to its end and returns the status.
func (m *member) end() error {
	for {
		if _, err := m.stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if grpctest.DeadlinePassed(m.stream.Context(), err) {
				return status.Errorf(codes.DeadlineExceeded, "the stream was still open after %v: the server had neither refused nor ended it (this is the test's own bound)", streamLimit)
			}
			return err
		}
	}
}

// endReason is the trailer's end-reason, once the stream has ended.
func (m *member) endReason() string {
	if v := m.stream.Trailer().Get(production.TrailerEndReason); len(v) > 0 {
		return v[0]
	}
	return "(none)"
}

// describe renders a call's outcome: "no error", or code and message.
func describe(err error) string {
	if err == nil {
		return "OK"
	}
	st := status.Convert(err)
	return fmt.Sprintf("%s (%q)", st.Code(), st.Message())
}

// withAuthorization is ctx with the authorization header set to value.
func withAuthorization(ctx context.Context, value string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", value)
}

// fakeAudit is an Audit service that tells the test about each call:
// the entry, and the context the call had on the audit server's side.
type fakeAudit struct {
	roompb.UnimplementedAuditServer
	calls chan auditCall
	// answer, if set, decides the call's outcome; it may block on ctx.
	answer func(ctx context.Context) error
}

type auditCall struct {
	entry    *roompb.AuditEntry
	deadline time.Time // zero if the call had none
	ctx      context.Context
}

func newFakeAudit() *fakeAudit { return &fakeAudit{calls: make(chan auditCall, 16)} }

func (a *fakeAudit) Record(ctx context.Context, e *roompb.AuditEntry) (*roompb.AuditRecorded, error) {
	d, _ := ctx.Deadline()
	a.calls <- auditCall{entry: e, deadline: d, ctx: ctx}
	if a.answer != nil {
		if err := a.answer(ctx); err != nil {
			return nil, err
		}
	}
	return &roompb.AuditRecorded{}, nil
}

// jsonLogger is a logger that writes JSON lines to buf.
func jsonLogger(buf io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, nil))
}

// codeOf is status.Code, spelled for messages.
func codeOf(err error) codes.Code { return status.Code(err) }
