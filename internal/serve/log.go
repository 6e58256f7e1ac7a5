package serve

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// logUnary logs one line per finished unary call: method, status code, duration.
func logUnary(logger *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		logEnd(logger, "call", info.FullMethod, start, err)
		return resp, err
	}
}

// logStream logs when a stream opens and when its handler returns, because a
// stream can stay open for a long time and both moments are worth seeing.
func logStream(logger *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		logger.Info("stream opened", "method", info.FullMethod)
		err := handler(srv, ss)
		logEnd(logger, "stream closed", info.FullMethod, start, err)
		return err
	}
}

func logEnd(logger *slog.Logger, msg, method string, start time.Time, err error) {
	// A handler may return a plain context error; gRPC sends it as Canceled
	// or DeadlineExceeded, and the log says what the client sees.
	st, ok := status.FromError(err)
	if !ok {
		st = status.FromContextError(err)
	}
	attrs := []any{"method", method, "code", st.Code().String(), "took", time.Since(start).Round(time.Microsecond)}
	if err != nil {
		attrs = append(attrs, "error", st.Message())
	}
	logger.Info(msg, attrs...)
}
