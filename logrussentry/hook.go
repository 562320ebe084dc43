package logrussentry

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/attrbuf"
)

// maxGroupDepth bounds how deep nested maps in fields become groups. Deeper
// maps (and cyclic ones) are passed whole to the bridge, which converts them
// with its own bounds.
const maxGroupDepth = 8

// Hook is a [logrus.Hook] that forwards entries to Sentry. Create one with
// [NewHook] and add it with logger.AddHook; it is immutable and safe for
// concurrent use, and one Hook may serve several loggers.
type Hook struct {
	b *logsentry.Bridge
	// levels is the result of Levels, fixed at construction.
	levels []logrus.Level
}

var _ logrus.Hook = (*Hook)(nil)

// NewHook returns a Hook configured by opts: the level options of this
// package and the shared options of package logsentry (WithHub, WithTagKeys,
// WithFingerprint, WithFlushTimeout, ...). With none, error, fatal and panic
// entries become events, info and above become breadcrumbs, on the hub of
// the entry's context or else sentry.CurrentHub; the logger name is
// "logrus". NewHook registers nothing globally.
func NewHook(opts ...logsentry.Option) *Hook {
	all := make([]logsentry.Option, 0, len(opts)+1)
	all = append(all, logsentry.WithLoggerName("logrus"))
	all = append(all, opts...)
	b := logsentry.New(all...)
	levels := make([]logrus.Level, 0, len(logrus.AllLevels))
	for _, l := range logrus.AllLevels {
		if b.Enabled(Severity(l)) {
			levels = append(levels, l)
		}
	}
	return &Hook{b: b, levels: levels}
}

// Bridge returns the bridge the hook sends to.
func (h *Hook) Bridge() *logsentry.Bridge { return h.b }

// Levels returns the logrus levels that reach at least one output, most
// severe first. It is computed once, by NewHook, from the thresholds, so
// logrus never calls Fire for an entry that would go nowhere.
func (h *Hook) Levels() []logrus.Level {
	return slices.Clone(h.levels)
}

// Fire sends the entry to the outputs its level selects, on the hub of
// e.Context. It always returns nil: a Sentry problem must never stop
// logrus's other hooks or the log line. Fire returns after the entry is
// handed to the SDK, and for fatal and panic entries after the flush that
// follows (bounded by logsentry.WithFlushTimeout).
func (h *Hook) Fire(e *logrus.Entry) error {
	if e == nil {
		return nil
	}
	sev := Severity(e.Level)
	if !h.b.Enabled(sev) {
		return nil
	}
	r := logsentry.Record{
		Time:     e.Time,
		Severity: sev,
		Level:    e.Level.String(),
		// Errorf("...\n"): logrus's formatters drop the newline too.
		Message: strings.TrimSuffix(e.Message, "\n"),
	}
	if e.Caller != nil {
		r.PC = e.Caller.PC
	}
	if len(e.Data) > 0 {
		// Emit retains neither the slice nor what it references (see
		// logsentry.Record), so the slice is recycled.
		buf := attrbuf.Get()
		r.Attrs, r.Err = convertFields(*buf, e.Data)
		defer attrbuf.Put(buf, r.Attrs)
	}
	ctx := e.Context
	if ctx == nil {
		ctx = context.Background()
	}
	h.b.Emit(ctx, r)
	return nil
}

// Flush waits until the events and logs buffered for the hub of ctx are
// sent, or ctx is done (a ctx without a deadline is bounded by the flush
// timeout). It returns nil when they were sent or when Sentry is disabled,
// and logsentry.ErrFlushTimeout otherwise. Fatal and panic entries are
// flushed by Fire itself; call Flush before a normal exit, or from
// logrus.RegisterExitHandler.
func (h *Hook) Flush(ctx context.Context) error {
	return h.b.Flush(ctx)
}

// convertFields appends an entry's fields to attrs, sorted by key. The
// value under logrus.ErrorKey, when it is a non-nil error, is returned as
// err instead.
func convertFields(attrs []slog.Attr, data logrus.Fields) (_ []slog.Attr, err error) {
	errKey := logrus.ErrorKey
	attrs = slices.Grow(attrs, len(data))
	for k, v := range data {
		if k == errKey {
			if e, ok := v.(error); ok && e != nil {
				err = e
				continue
			}
		}
		attrs = append(attrs, slog.Attr{Key: k, Value: value(v, 0)})
	}
	sortAttrs(attrs)
	return attrs, err
}

// value converts a field value: nested maps become groups, everything else
// goes through slog.AnyValue, which keeps numbers, strings, bools, times and
// durations typed and leaves other values to the bridge.
func value(v any, depth int) slog.Value {
	var m map[string]any
	switch x := v.(type) {
	case map[string]any:
		m = x
	case logrus.Fields:
		m = x
	default:
		return slog.AnyValue(v)
	}
	if len(m) == 0 || depth >= maxGroupDepth {
		// An empty group would vanish; a deep or cyclic one is bounded by
		// the bridge.
		return slog.AnyValue(v)
	}
	attrs := make([]slog.Attr, 0, len(m))
	for k, mv := range m {
		attrs = append(attrs, slog.Attr{Key: k, Value: value(mv, depth+1)})
	}
	sortAttrs(attrs)
	return slog.GroupValue(attrs...)
}

// sortAttrs sorts attrs by key, so that a record's conversion does not
// depend on the map's iteration order. Entries carry a handful of fields:
// an insertion sort on the keys is several times cheaper there than a
// generic sort through a comparison function.
func sortAttrs(attrs []slog.Attr) {
	if len(attrs) > 16 {
		slices.SortFunc(attrs, func(a, b slog.Attr) int { return strings.Compare(a.Key, b.Key) })
		return
	}
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && attrs[j].Key < attrs[j-1].Key; j-- {
			attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
		}
	}
}
