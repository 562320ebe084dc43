package zapsentry

import (
	"context"
	"log/slog"
	"math"
	"slices"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
)

// Core is a [zapcore.Core] that forwards entries to Sentry. Create one with
// [NewCore] and tee it beside the cores that write the log (see [AttachCore]);
// it is immutable and safe for concurrent use.
type Core struct {
	b *logsentry.Bridge
	// min is the lowest of all 256 zap levels (named or not) that goes to
	// some output, or 128 when none does: Severity is monotonic, so an
	// entry is enabled exactly when its level is at least min.
	min int
	// frames holds the attrs of With calls, already converted: the root
	// first, then each namespace opened with zap.Namespace and still open.
	// Every attrs slice is clipped, so appending never writes into it.
	frames []frame
	// ctx is the context given by a With field, or nil.
	ctx context.Context
}

var _ zapcore.Core = (*Core)(nil)

// NewCore returns a Core configured by opts: the level options of this
// package and the shared options of package logsentry (WithHub, WithTagKeys,
// WithFingerprint, ...). With none, error entries become events, info and
// above become breadcrumbs, on the hub of the entry's context field or else
// sentry.CurrentHub; records without a logger name are named "zap".
func NewCore(opts ...logsentry.Option) *Core {
	all := make([]logsentry.Option, 0, len(opts)+1)
	all = append(all, logsentry.WithLoggerName("zap"))
	all = append(all, opts...)
	b := logsentry.New(all...)
	return &Core{b: b, min: minEnabled(b)}
}

// minEnabled returns the lowest zap level that b takes, or 128 (above every
// level) when it takes none.
func minEnabled(b *logsentry.Bridge) int {
	for l := math.MinInt8; l <= math.MaxInt8; l++ {
		if b.Enabled(Severity(zapcore.Level(l))) {
			return l
		}
	}
	return math.MaxInt8 + 1
}

// Bridge returns the bridge the core sends to.
func (c *Core) Bridge() *logsentry.Bridge { return c.b }

// Enabled reports whether an entry at level l goes to any output: one
// comparison with the lowest threshold.
func (c *Core) Enabled(l zapcore.Level) bool {
	return int(l) >= c.min
}

// Level returns the lowest zap level that goes to some output, or
// zapcore.InvalidLevel when every output is off, so zapcore.LevelOf (and
// zap.Logger.Level) need not probe each level.
func (c *Core) Level() zapcore.Level {
	switch {
	case c.min > int(zapcore.FatalLevel):
		return zapcore.InvalidLevel
	case c.min < int(zapcore.DebugLevel):
		return zapcore.DebugLevel
	}
	return zapcore.Level(c.min)
}

// With returns a core whose entries carry fields. The fields are converted
// now, once, as zap's own cores encode them now: a value changed after With
// does not change later entries. A field holding a [context.Context] (see
// [Context]) sets the context of those entries instead. The receiver is
// unchanged.
func (c *Core) With(fields []zapcore.Field) zapcore.Core {
	if len(fields) == 0 {
		return c
	}
	e := newEncoder(c.frames, c.ctx, c.b.Snapshot, len(fields))
	e.addFields(fields)
	c2 := *c
	c2.frames = make([]frame, len(e.frames))
	for i, f := range e.frames {
		c2.frames[i] = frame{key: f.key, attrs: slices.Clip(f.attrs)}
	}
	c2.ctx = e.ctx
	return &c2
}

// Check adds the core to ce when the entry's level goes to some output.
func (c *Core) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

// Write sends the entry to the outputs its level selects, on the hub of its
// context: the last context field of the call, else of With, else none. It
// always returns nil: failures to reach Sentry are the SDK's to retry, and
// never the caller's problem.
//
// Before returning, Write flushes the events of a DPanicLevel entry, which
// panics in development, and the bridge flushes those of Panic and Fatal
// entries itself (see "Flushing on fatal" in the package documentation).
func (c *Core) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	ctx := c.ctx
	var attrs []slog.Attr
	if len(fields) == 0 && len(c.frames) <= 1 {
		if len(c.frames) == 1 {
			attrs = c.frames[0].attrs
		}
	} else {
		e := acquireEncoder(c.frames, c.ctx, len(fields))
		defer e.release()
		e.addFields(fields)
		attrs, ctx = e.close(), e.ctx
	}
	r := logsentry.Record{
		Time:     ent.Time,
		Severity: Severity(ent.Level),
		Level:    ent.Level.CapitalString(),
		Message:  ent.Message,
		Logger:   ent.LoggerName,
		Attrs:    attrs,
	}
	if ent.Caller.Defined {
		r.PC = ent.Caller.PC
	}
	done := c.b.Emit(ctx, r)
	if ent.Level == zapcore.DPanicLevel && done&(logsentry.SinkEvent|logsentry.SinkLog) != 0 {
		// A development logger panics after a DPanic entry: flush as
		// after a fatal record, within the same bound, or not at all;
		// and only what this entry sent, or a production logger, which
		// goes on, would wait on a slow Sentry for nothing.
		if d := c.b.FatalFlushTimeout(); d > 0 {
			fctx, cancel := context.WithTimeout(flushContext(ctx), d)
			_ = c.b.Flush(fctx)
			cancel()
		}
	}
	return nil
}

// Sync flushes the events and logs buffered for the client of the core's
// hub (the hub of a context given to With, else the configured or current
// hub), waiting at most the flush timeout (logsentry.WithFlushTimeout). It
// returns logsentry.ErrFlushTimeout if they were not all sent, and nil when
// they were or when Sentry is disabled.
func (c *Core) Sync() error {
	return c.b.Flush(flushContext(c.ctx))
}

// flushContext returns ctx, which may be nil, without its cancellation: the
// context of a finished request still names the hub to flush.
func flushContext(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return context.WithoutCancel(ctx)
}

// Context returns a field that gives an entry, or with Logger.With every
// entry of a logger, the context ctx: the hub of ctx receives the entry's
// event and breadcrumb, and the span of ctx links them to its trace. Other
// cores of a tee do not print it: it is a zapcore.SkipType field, as
// sentry-go's and OpenTelemetry's zap integrations use (otelzap also takes
// its context from it). A field made with zap.Any from a context works too,
// but other cores print it. Context(nil) is zap.Skip().
func Context(ctx context.Context) zapcore.Field {
	if ctx == nil {
		return zap.Skip()
	}
	return zapcore.Field{Key: "context", Type: zapcore.SkipType, Interface: ctx}
}

// WrapCore returns a zap option that tees a Core configured by opts beside
// the logger's core: logger.WithOptions(zapsentry.WrapCore(opts...)). Every
// logger built with the option shares that one Core.
func WrapCore(opts ...logsentry.Option) zap.Option {
	sc := NewCore(opts...)
	return zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewTee(c, sc)
	})
}

// AttachCore returns a logger that writes where logger writes and also sends
// to Sentry through a Core configured by opts. Fields logger already carries
// (from its With calls) are not seen by that Core: attach before adding
// them. A nil logger gives a logger that only sends to Sentry.
func AttachCore(logger *zap.Logger, opts ...logsentry.Option) *zap.Logger {
	if logger == nil {
		return zap.New(NewCore(opts...))
	}
	return logger.WithOptions(WrapCore(opts...))
}
