package serve

import (
	"context"
	"slices"
	"sync"

	"google.golang.org/grpc"
)

// inflight counts the handlers running, by method, so that a shutdown that
// cannot finish can say which handler holds it up.
type inflight struct {
	mu      sync.Mutex
	running map[string]int
}

func newInflight() *inflight { return &inflight{running: map[string]int{}} }

func (f *inflight) enter(method string) func() {
	f.mu.Lock()
	f.running[method]++
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		if f.running[method]--; f.running[method] == 0 {
			delete(f.running, method)
		}
		f.mu.Unlock()
	}
}

// methods lists the methods with a handler still running, sorted.
func (f *inflight) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for m := range f.running {
		names = append(names, m)
	}
	slices.Sort(names)
	return names
}

func (f *inflight) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	defer f.enter(info.FullMethod)()
	return handler(ctx, req)
}

func (f *inflight) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	defer f.enter(info.FullMethod)()
	return handler(srv, ss)
}
