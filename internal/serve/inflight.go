package serve

import (
	"context"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// inflight counts the handlers running, by method: it refuses a call past
// its limit, and a shutdown that cannot finish can say which handler holds
// it up.
type inflight struct {
	limit   int
	mu      sync.Mutex
	total   int
	running map[string]int
}

func newInflight(limit int) *inflight { return &inflight{limit: limit, running: map[string]int{}} }

// enter counts a call to method in, and returns the function that counts it
// out, or an error if limit calls are running already.
func (f *inflight) enter(method string) (exit func(), err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.total >= f.limit {
		return nil, status.Errorf(codes.ResourceExhausted, "the server is running %d calls, its limit: try again later", f.limit)
	}
	f.total++
	f.running[method]++
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.total--
		if f.running[method]--; f.running[method] == 0 {
			delete(f.running, method)
		}
	}, nil
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
	exit, err := f.enter(info.FullMethod)
	if err != nil {
		return nil, err
	}
	defer exit()
	return handler(ctx, req)
}

func (f *inflight) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	exit, err := f.enter(info.FullMethod)
	if err != nil {
		return err
	}
	defer exit()
	return handler(srv, ss)
}
