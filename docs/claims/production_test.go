package claims

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/grpc-streaming-workshop/workshop/04-bidi/factorpb"
)

// secret is per-RPC credentials that require transport security, as
// 07-production's Bearer does.
type secret struct{}

func (secret) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer s3cret"}, nil
}
func (secret) RequireTransportSecurity() bool { return true }

// Per-RPC credentials that require transport security are refused on a
// plaintext connection by grpc.NewClient itself, before any call: the
// token is never sent in the clear.
func Example_aTokenIsRefusedOverPlaintext() {
	_, err := grpc.NewClient("passthrough:///localhost:1",
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(secret{}))
	fmt.Println(err)
	// Output:
	// grpc: the credentials require transport level security (use grpc.WithTransportCredentials() to set)
}

// A header set before a stream's first message goes out with it; once a
// message has been sent, SetHeader fails and the header never arrives. A
// trailer may be set until the handler returns, and the client reads it
// once the stream has ended.
func Example_headersBeforeTheFirstMessageTrailersAtTheEnd() {
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		s.SetHeader(metadata.Pairs("early", "yes"))
		s.Send(&factorpb.Factorization{Id: 1})
		fmt.Println("SetHeader after Send fails:", s.SetHeader(metadata.Pairs("late", "yes")) != nil)
		s.SetTrailer(metadata.Pairs("end-reason", "done"))
		return nil
	}})
	defer stop()
	st, _ := client.Factorize(context.Background())
	md, _ := st.Header()
	for st.RecvMsg(new(factorpb.Factorization)) == nil {
	}
	fmt.Println("early:", md.Get("early"), "late:", md.Get("late"), "trailer:", st.Trailer().Get("end-reason"))
	// Output:
	// SetHeader after Send fails: true
	// early: [yes] late: [] trailer: [done]
}

// A client's deadline travels with the call, as the time left (the
// grpc-timeout header): the handler's context has a deadline a little
// after the client's (the time left, counted from when the call arrived),
// and a call the handler makes with that context carries it one hop further.
func Example_theDeadlineTravels() {
	var handler, nextHop time.Time
	nextHopSaw := grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		nextHop, _ = ctx.Deadline()
		return h(ctx, req)
	})
	var client factorpb.FactorizerClient
	client, _, stop := serve(&factorizer{factorize: func(s stream) error {
		handler, _ = s.Context().Deadline()
		_, err := client.FactorOne(s.Context(), &factorpb.FactorRequest{Id: 1, Number: 12})
		return err
	}}, nextHopSaw)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	st, _ := client.Factorize(ctx)
	st.Recv() // the handler has returned
	clientDeadline, _ := ctx.Deadline()
	within := func(d time.Time, after time.Time) bool { return !d.Before(after) && d.Sub(after) < time.Second }
	fmt.Println("the handler's deadline is the client's, a little later:", within(handler, clientDeadline))
	fmt.Println("the next hop's is the handler's, a little later:", within(nextHop, handler))
	// Output:
	// the handler's deadline is the client's, a little later: true
	// the next hop's is the handler's, a little later: true
}

// A cancel travels too: when the client cancels, the handler's context ends,
// and with it a call the handler made with that context, one hop further.
func Example_aCancelTravels() {
	f := &factorizer{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	nextHopEnded := make(chan error, 1)
	var client factorpb.FactorizerClient
	f.factorize = func(s stream) error {
		_, err := client.FactorOne(s.Context(), &factorpb.FactorRequest{Id: 1, Number: 12})
		nextHopEnded <- err
		return err
	}
	releaseOnCancel := grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		go func() { <-ctx.Done(); close(f.release) }() // the held FactorOne ends with its context
		return h(ctx, req)
	})
	client, _, stop := serve(f, releaseOnCancel)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	st, _ := client.Factorize(ctx)
	st.Send(&factorpb.FactorRequest{Id: 1, Number: 12})
	<-f.arrived // the next hop's handler runs
	cancel()
	fmt.Println("the call the handler made:", status.Code(<-nextHopEnded))
	// Output:
	// the call the handler made: Canceled
}
