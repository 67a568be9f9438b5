package gemini

import (
	"context"
	"log/slog"
	"net"
	"time"
)

// accessRecord is what one access log line says about a connection.
type accessRecord struct {
	start    time.Time
	duration time.Duration // until the response was sent
	remote   net.Addr
	host     string
	path     string
	status   Status // 0 when no response was sent
	bytes    int64  // body bytes
	err      error  // why no response was sent, or the write failed
}

// logAccess writes the access log line: message "request", lower_snake
// keys, remote only when LogClientAddr is set.
func (s *Server) logAccess(log *slog.Logger, r accessRecord) {
	if !log.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	if s.LogClientAddr && r.remote != nil {
		attrs = append(attrs, slog.String("remote", r.remote.String()))
	}
	attrs = append(attrs,
		slog.String("host", r.host),
		slog.String("path", r.path),
		slog.Int("status", int(r.status)),
		slog.Int64("bytes", r.bytes),
		slog.Duration("duration", r.duration),
	)
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()))
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}
