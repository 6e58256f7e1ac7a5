package production

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// StreamMessagesMetric is the histogram of messages per stream, one
// record for each direction when a stream ends.
const StreamMessagesMetric = "workshop.stream.messages"

// StreamSummary returns an interceptor that counts the messages each
// stream receives and sends, and when the stream ends, logs a summary
// ("stream ended": method, code, received, sent, took) and records the
// counts in meter's StreamMessagesMetric histogram.
func StreamSummary(logger *slog.Logger, meter metric.Meter) (grpc.StreamServerInterceptor, error) {
	perStream, err := meter.Int64Histogram(StreamMessagesMetric,
		metric.WithUnit("{message}"),
		metric.WithDescription("Messages a server stream received or sent, recorded when the stream ends."),
		metric.WithExplicitBucketBoundaries(0, 1, 2, 5, 10, 100, 1000, 10000))
	if err != nil {
		return nil, err
	}
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		counted := &countingStream{ServerStream: ss}
		err := handler(srv, counted)
		received, sent := counted.received.Load(), counted.sent.Load()
		method := attribute.String("grpc.method", strings.TrimPrefix(info.FullMethod, "/"))
		ctx := ss.Context()
		perStream.Record(ctx, received, metric.WithAttributes(method, attribute.String("direction", "received")))
		perStream.Record(ctx, sent, metric.WithAttributes(method, attribute.String("direction", "sent")))
		logger.Info("stream ended", "method", info.FullMethod, "code", status.Code(err).String(),
			"received", received, "sent", sent, "took", time.Since(start).Round(time.Microsecond))
		return err
	}, nil
}

// countingStream counts the messages RecvMsg returned and SendMsg handed to
// the transport (a message sent is not yet a message received). The counts
// are atomic: a receiving goroutine of the handler may still be in RecvMsg
// when the handler returns and the summary reads them.
type countingStream struct {
	grpc.ServerStream
	received, sent atomic.Int64
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.received.Add(1)
	}
	return err
}

func (s *countingStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	if err == nil {
		s.sent.Add(1)
	}
	return err
}
