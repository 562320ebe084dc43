// Package slogtee fans slog records out to several handlers, as Go 1.26's
// slog.NewMultiHandler does. The examples use it so that they also build on
// Go 1.25; on Go 1.26 and later, use slog.NewMultiHandler.
package slogtee

import (
	"context"
	"errors"
	"log/slog"
)

// Handler sends each record to every one of its handlers that is enabled
// for the record's level.
type Handler []slog.Handler

var _ slog.Handler = Handler(nil)

// New returns a Handler over hs.
func New(hs ...slog.Handler) Handler { return Handler(hs) }

// Enabled reports whether any handler is enabled for l.
func (t Handler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

// Handle passes a clone of r to each enabled handler and joins their errors.
func (t Handler) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

// WithAttrs returns a Handler whose handlers all carry attrs.
func (t Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(Handler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

// WithGroup returns a Handler whose handlers all open group name.
func (t Handler) WithGroup(name string) slog.Handler {
	out := make(Handler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
