package serverstream

import (
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/grpc-streaming-workshop/workshop/02-server-stream/factorspb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// watcher sees a PrimeFactors call from the server's side, through a stream
// interceptor: the moment the learner's handler returns, with what error, and
// why the call's context had ended by then. Tests use it to tell a handler
// that stops at once from one that keeps computing for a client that is gone.
type watcher struct {
	returned chan handlerResult // receives the result when the handler returns
}

// handlerResult is how one call's handler ended.
type handlerResult struct {
	err    error // what the handler returned
	ctxErr error // stream.Context().Err() just after it returned
}

// newWatchedClient starts the learner's Server behind a watcher and returns
// a client for it. Make one call per watched client.
func newWatchedClient(t *testing.T) (factorspb.FactorizerClient, *watcher) {
	t.Helper()
	w := &watcher{returned: make(chan handlerResult, 1)}
	conn := grpctest.Connect(t, func(s *grpc.Server) {
		factorspb.RegisterFactorizerServer(s, &Server{})
	}, grpc.StreamInterceptor(w.intercept))
	return factorspb.NewFactorizerClient(conn), w
}

func (w *watcher) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	select {
	case w.returned <- handlerResult{err: err, ctxErr: ss.Context().Err()}:
	default: // a second call on this client: only the first is watched
	}
	return err
}

// waitReturn returns how the handler ended, failing the test if it is still
// running d from now. after says what the handler should have noticed.
func (w *watcher) waitReturn(t *testing.T, d time.Duration, after string) handlerResult {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-w.returned:
		return r
	case <-timer.C:
		t.Fatalf("the handler was still running %v %s", d, after)
		return handlerResult{}
	}
}
