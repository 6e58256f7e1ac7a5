package production

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats/opentelemetry"
)

// Metrics is where the server's measurements go: an OpenTelemetry meter
// provider whose reader is a Prometheus exporter with a registry of its own
// (so that two servers in one process, as in the tests, do not collide).
type Metrics struct {
	provider *sdkmetric.MeterProvider
	registry *prometheus.Registry
}

// NewMetrics returns an empty set of metrics.
func NewMetrics() (*Metrics, error) {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, err
	}
	return &Metrics{provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)), registry: registry}, nil
}

// ServerOption installs grpc-go's own OpenTelemetry plugin: calls started,
// their duration and status, and the bytes each way, per method.
func (m *Metrics) ServerOption() grpc.ServerOption {
	return opentelemetry.ServerOption(opentelemetry.Options{
		MetricsOptions: opentelemetry.MetricsOptions{MeterProvider: m.provider},
	})
}

// Meter is for the server's own instruments (see StreamSummary).
func (m *Metrics) Meter() metric.Meter {
	return m.provider.Meter("github.com/grpc-streaming-workshop/workshop/07-production")
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Shutdown stops the meter provider.
func (m *Metrics) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }
