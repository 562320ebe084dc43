package slogsentry

import (
	"context"
	"log/slog"
	"math"
	"slices"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/attrbuf"
)

// LevelOff, given to WithEventLevel, WithBreadcrumbLevel or WithLogLevel,
// switches that output off.
const LevelOff slog.Level = math.MaxInt

// LevelFatal is the conventional custom level for fatal records. Records at
// this level or above become fatal events, flushed before Handle returns.
const LevelFatal = slog.LevelError + 4

// Severity maps a slog level to the bridge's severity: the OpenTelemetry
// mapping, level+9, so Debug is 5, Info 9, Warn 13, Error 17 and
// Error+4 ([LevelFatal]) 21. Custom levels keep their place between them;
// [LevelOff] maps to logsentry.SeverityOff.
func Severity(l slog.Level) logsentry.Severity {
	switch {
	case l == LevelOff:
		return logsentry.SeverityOff
	case l > slog.Level(logsentry.SeverityMax-9):
		return logsentry.SeverityMax // and no overflow near MaxInt
	}
	s := logsentry.Severity(l) + 9
	switch {
	case s < logsentry.SeverityTrace:
		return logsentry.SeverityTrace
	case s > logsentry.SeverityMax:
		return logsentry.SeverityMax
	}
	return s
}

// WithEventLevel sets the lowest level that becomes a Sentry event (an
// issue). The default is slog.LevelError; [LevelOff] sends none.
func WithEventLevel(l slog.Level) logsentry.Option {
	return logsentry.WithEventSeverity(Severity(l))
}

// WithBreadcrumbLevel sets the lowest level that becomes a breadcrumb. The
// default is slog.LevelInfo; [LevelOff] adds none.
func WithBreadcrumbLevel(l slog.Level) logsentry.Option {
	return logsentry.WithBreadcrumbSeverity(Severity(l))
}

// WithLogLevel sets the lowest level that becomes a Sentry structured log.
// The default is [LevelOff]: Sentry Logs are opt-in.
func WithLogLevel(l slog.Level) logsentry.Option {
	return logsentry.WithLogSeverity(Severity(l))
}

// Handler is a [slog.Handler] that forwards records to Sentry. Create one
// with [NewHandler]; it is immutable and safe for concurrent use.
type Handler struct {
	b *logsentry.Bridge
	// attrs holds the attrs of WithAttrs calls, each already nested in the
	// groups open at the time. Never appended to in place.
	attrs []slog.Attr
	// groups are the groups opened by WithGroup, outermost first.
	groups []string
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a Handler configured by opts: the level options of this
// package and the shared options of package logsentry (WithHub, WithTagKeys,
// WithFingerprint, ...). With none, error records become events, info and
// above become breadcrumbs, on the hub of the record's context or else
// sentry.CurrentHub.
func NewHandler(opts ...logsentry.Option) *Handler {
	all := make([]logsentry.Option, 0, len(opts)+1)
	all = append(all, logsentry.WithLoggerName("slog"))
	all = append(all, opts...)
	return &Handler{b: logsentry.New(all...)}
}

// Bridge returns the bridge the handler sends to.
func (h *Handler) Bridge() *logsentry.Bridge { return h.b }

// Enabled reports whether a record at level l goes to any output: one
// comparison with the lowest threshold.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return h.b.Enabled(Severity(l))
}

// Handle sends r to the outputs its level selects, on the hub of ctx. It
// always returns nil: failures to reach Sentry are the SDK's to retry, and
// never the caller's problem.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	n := r.NumAttrs()
	attrs := h.attrs
	if n > 0 {
		// Emit retains neither the slice nor what it references (see
		// logsentry.Record), so the slice is recycled.
		buf := attrbuf.Get()
		defer func() { attrbuf.Put(buf, attrs) }()
		attrs = append(*buf, h.attrs...)
		if len(h.groups) == 0 {
			r.Attrs(func(a slog.Attr) bool {
				attrs = append(attrs, a)
				return true
			})
		} else {
			own := make([]slog.Attr, 0, n)
			r.Attrs(func(a slog.Attr) bool {
				own = append(own, a)
				return true
			})
			attrs = append(attrs, nest(h.groups, own))
		}
	}
	h.b.Emit(ctx, logsentry.Record{
		Time:     r.Time,
		Severity: Severity(r.Level),
		Level:    r.Level.String(),
		Message:  r.Message,
		PC:       r.PC,
		Attrs:    attrs,
	})
	return nil
}

// WithAttrs returns a handler whose records carry attrs, inside the groups
// opened so far. The receiver is unchanged.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	// Converted now, as slog's own handlers format them now: a map given
	// to With that the caller changes later (even concurrently) is never
	// read again; errors stay errors, for the exception.
	attrs = h.b.SnapshotAttrs(h.groups, attrs)
	if len(h.groups) == 0 {
		h2.attrs = append(slices.Clip(h.attrs), attrs...)
	} else {
		h2.attrs = append(slices.Clip(h.attrs), nest(h.groups, attrs))
	}
	return &h2
}

// WithGroup returns a handler that nests the attrs that follow in group
// name. An empty name returns the receiver, as slog specifies.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(slices.Clip(h.groups), name)
	return &h2
}

// nest wraps attrs in the groups, innermost last.
func nest(groups []string, attrs []slog.Attr) slog.Attr {
	a := slog.Attr{Key: groups[len(groups)-1], Value: slog.GroupValue(attrs...)}
	for i := len(groups) - 2; i >= 0; i-- {
		a = slog.Attr{Key: groups[i], Value: slog.GroupValue(a)}
	}
	return a
}
