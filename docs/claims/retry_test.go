package claims

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
	"github.com/grpc-streaming-workshop/workshop/internal/grpctest"
)

// A grpc-go client keeps what a call has sent, up to 256 KiB by default
// (grpc.MaxRetryRPCBufferSize), until it reads the server's answer, so that
// it could retry the call transparently; past that size it gives the retry
// up and lets go of all of it. 03's benchmark turns the buffer off for that
// reason. Measured in a process of its own: what the claims before it leave
// for the collector to free would blur the measure.
func TestTheClientKeepsWhatItSentForARetry(t *testing.T) {
	if !grpctest.InAProcessOfItsOwn(t, time.Minute, "a claim's stream that never ends") {
		return
	}
	for _, c := range []struct {
		sent string
		size int
		opts []grpc.CallOption
		want string
	}{
		{"100 KiB sent, default", 100 << 10, nil, "the client holds all of it"},
		{"100 KiB sent, MaxRetryRPCBufferSize(0)", 100 << 10, []grpc.CallOption{grpc.MaxRetryRPCBufferSize(0)}, "the client holds less than half of it"},
		{"400 KiB sent, default", 400 << 10, nil, "the client holds less than half of it"},
	} {
		if got := clientHoldsWhatItSent(c.size, c.opts...); got != c.want {
			t.Errorf("%s: %s, want: %s", c.sent, got, c.want)
		}
	}
}

// clientHoldsWhatItSent sends about size bytes of requests on a Factorize
// stream whose handler reads them all and answers nothing, and says whether
// the heap, once the handler has read them, holds at least that much more
// than before the call (with the connection made), or less than half of it.
func clientHoldsWhatItSent(size int, opts ...grpc.CallOption) string {
	req := &factorpb.FactorRequest{Id: 1 << 40, Number: 1 << 40}
	n := size / proto.Size(req)
	read := make(chan struct{})
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		for range n {
			if _, err := s.Recv(); err != nil {
				return err
			}
		}
		close(read)
		_, err := s.Recv() // the client's half-close
		return err
	}})
	defer stop()
	client.FactorOne(context.Background(), req) // the connection and its buffers are made before the measure
	before := grpctest.LiveHeap()
	st, err := client.Factorize(context.Background(), opts...)
	if err != nil {
		return err.Error()
	}
	for range n {
		st.Send(req)
	}
	<-read
	held := int64(grpctest.LiveHeap()) - int64(before)
	st.CloseSend()
	st.Recv()
	switch {
	case held >= int64(size):
		return "the client holds all of it"
	case held < int64(size/2):
		return "the client holds less than half of it"
	}
	return fmt.Sprintf("the client holds %d of %d bytes", held, size)
}
