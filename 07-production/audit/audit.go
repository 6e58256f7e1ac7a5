// Package audit is a small Audit service (see room.proto): it writes each
// admin action to a log. The room server calls it over gRPC, as it would
// call an audit service that runs elsewhere.
package audit

import (
	"context"
	"log/slog"

	"github.com/grpc-streaming-workshop/workshop/07-production/roompb"
)

// Log is an Audit server that records entries as slog lines.
type Log struct {
	roompb.UnimplementedAuditServer
	Logger *slog.Logger
}

// Record logs the entry; the caller's deadline bounds it like any call.
func (l *Log) Record(ctx context.Context, e *roompb.AuditEntry) (*roompb.AuditRecorded, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.Logger.Info("audit", "actor", e.GetActor(), "action", e.GetAction(), "target", e.GetTarget())
	return &roompb.AuditRecorded{}, nil
}
