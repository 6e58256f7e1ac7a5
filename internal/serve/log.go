package serve

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// callLog is a stats.Handler that logs every call: a line when a stream
// opens (a stream may stay open a long time) and one when any call ends,
// with its method, the status code the client got, and how long it took.
//
// A stats handler sees every call that reaches a handler, also a unary
// request that fails to decode before any interceptor runs; an unknown
// method is logged because UnknownServiceHandler (see serve.go) turns it
// into a call. (A stream waiting for a slot under MaxStreams waits
// in the client: the server sees nothing of it until it starts.)
type callLog struct {
	logger *slog.Logger
}

type methodKey struct{}

// unknownMethod answers a call to a method that is not registered, as gRPC
// would: Unimplemented.
func unknownMethod(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	return status.Errorf(codes.Unimplemented, "unknown method %s", method)
}

func (l *callLog) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, methodKey{}, info.FullMethodName)
}

func (l *callLog) HandleRPC(ctx context.Context, s stats.RPCStats) {
	method, _ := ctx.Value(methodKey{}).(string)
	switch s := s.(type) {
	case *stats.Begin:
		if s.IsClientStream || s.IsServerStream {
			l.logger.Info("stream opened", "method", method)
		}
	case *stats.End:
		// The error is what gRPC sent: a handler's plain context error has
		// already become Canceled or DeadlineExceeded here.
		st := status.Convert(s.Error)
		attrs := []any{"method", method, "code", st.Code().String(), "took", s.EndTime.Sub(s.BeginTime).Round(time.Microsecond)}
		if s.Error != nil {
			attrs = append(attrs, "error", st.Message())
		}
		l.logger.Info("call ended", attrs...)
	}
}

func (l *callLog) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (l *callLog) HandleConn(context.Context, stats.ConnStats)                       {}
