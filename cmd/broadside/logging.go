package main

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	"broadside/internal/config"
)

// logOutput is the server's slog.Handler: text or JSON to one writer, at
// a level, both of which SIGHUP can change while loggers derived from it
// (With, WithGroup) are in use everywhere.
type logOutput struct {
	w     io.Writer
	level *slog.LevelVar
	cur   *atomic.Pointer[slog.Handler] // the text or JSON handler in use
	with  []func(slog.Handler) slog.Handler
}

// newLogOutput returns a handler writing to w as cfg says.
func newLogOutput(w io.Writer, cfg config.Log) *logOutput {
	o := &logOutput{w: w, level: new(slog.LevelVar), cur: new(atomic.Pointer[slog.Handler])}
	o.apply(cfg)
	return o
}

// apply sets the level and the format; records logged from now on follow
// them.
func (o *logOutput) apply(cfg config.Log) {
	o.level.Set(cfg.SlogLevel())
	opts := &slog.HandlerOptions{Level: o.level}
	var h slog.Handler = slog.NewTextHandler(o.w, opts)
	if cfg.Format == "json" {
		h = slog.NewJSONHandler(o.w, opts)
	}
	o.cur.Store(&h)
}

// handler is the current handler with this logger's attributes and
// groups applied.
func (o *logOutput) handler() slog.Handler {
	h := *o.cur.Load()
	for _, f := range o.with {
		h = f(h)
	}
	return h
}

// Enabled implements slog.Handler.
func (o *logOutput) Enabled(_ context.Context, l slog.Level) bool { return l >= o.level.Level() }

// Handle implements slog.Handler.
func (o *logOutput) Handle(ctx context.Context, r slog.Record) error {
	return o.handler().Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (o *logOutput) WithAttrs(attrs []slog.Attr) slog.Handler {
	return o.derive(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

// WithGroup implements slog.Handler.
func (o *logOutput) WithGroup(name string) slog.Handler {
	return o.derive(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

func (o *logOutput) derive(f func(slog.Handler) slog.Handler) *logOutput {
	d := *o
	d.with = append(append([]func(slog.Handler) slog.Handler(nil), o.with...), f)
	return &d
}
