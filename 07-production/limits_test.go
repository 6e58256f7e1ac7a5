package production_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	production "github.com/grpc-streaming-workshop/workshop/07-production"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// overLimit is how long a stream over the cap is given to start. A correct
// server makes the test wait it out; a missing cap shows in milliseconds.
const overLimit = 300 * time.Millisecond

// Limits() caps the streams of one connection: with MaxStreamsPerConnection
// open, one more waits for a free slot (here, until its deadline), and
// starts once one ends. Health's Watch stands in for a member's stream: it
// stays open until the client leaves.
func TestLimitsCapStreamsPerConnection(t *testing.T) {
	srv := grpctest.Start(t, healthOnly, production.Limits()...)
	client := healthpb.NewHealthClient(srv.Dial(t))
	watch := func(ctx context.Context) error {
		w, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		return err
	}
	var cancels []context.CancelFunc
	for range production.MaxStreamsPerConnection {
		ctx, cancel := context.WithCancel(grpctest.Context(t, streamLimit))
		cancels = append(cancels, cancel)
		if err := watch(ctx); err != nil {
			t.Fatalf("one of the first %d streams: %v", production.MaxStreamsPerConnection, describe(err))
		}
	}
	ctx, cancel := context.WithTimeout(grpctest.Context(t, streamLimit), overLimit)
	defer cancel()
	if err := watch(ctx); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("stream %d on one connection: %v, want it held until its deadline (DeadlineExceeded)", production.MaxStreamsPerConnection+1, describe(err))
	}
	cancels[0]() // a slot frees
	if err := watch(grpctest.Context(t, streamLimit)); err != nil {
		t.Fatalf("a stream once a slot was free: %v", describe(err))
	}
	for _, c := range cancels {
		c()
	}
}
