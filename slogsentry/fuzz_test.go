package slogsentry_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/fuzzkit"
	"github.com/logsentry/logsentry/slogsentry"
)

// This file fuzzes the handler's attribute walk: the fuzz input is decoded
// into a program of slog attrs (every kind, groups empty, inline and nested,
// LogValuers, values from a fixed set of hostile ones), WithAttrs and
// WithGroup calls, and one error record. Each record must produce exactly
// one event that encodes as JSON (the SDK silently drops an event whose
// encoding fails), and no panic may escape.
//
// The seed corpus, testdata/fuzz/FuzzHandler, holds seed-* inputs (each a
// meaningful program: scalars, nesting, hostile values, special keys, huge
// strings), and inputs that found bugs, kept as regression tests:
// regress-* for bugs fixed, crash-* for bugs not fixed yet.

// fzReader is the shared fuzz reader (internal/fuzzkit) with this
// package's decoding methods.
type fzReader struct {
	*fuzzkit.Reader
}

func newFzReader(data []byte, unique bool) *fzReader {
	return &fzReader{Reader: fuzzkit.NewReader(data, unique)}
}

// slogAttr reads one attr. checked says whether it sits where its
// placeholder must show: in groups only, not inside a map or slice (which
// the bridge bounds in depth and size).
func (r *fzReader) slogAttr(depth int, checked bool) slog.Attr {
	r.Nodes--
	op := r.Byte()
	if depth >= fuzzkit.MaxDepth && op%16 >= 9 {
		op = 0
	}
	switch op % 16 {
	case 0:
		return slog.String(r.Key(false), r.Str())
	case 1:
		return slog.Int64(r.Key(false), int64(r.U64()))
	case 2:
		return slog.Uint64(r.Key(false), r.U64()|1<<63)
	case 3:
		return slog.Float64(r.Key(false), r.Float())
	case 4:
		return slog.Bool(r.Key(false), r.Byte()&1 == 1)
	case 5:
		return slog.Duration(r.Key(false), time.Duration(r.U64()))
	case 6:
		return slog.Time(r.Key(false), r.Time())
	case 7:
		return slog.Any(r.Key(false), []byte(r.Str()))
	case 8:
		k := r.Key(false)
		if r.Byte()&1 == 0 {
			return slog.Any(k, json.Number(r.Str()))
		}
		return slog.Any(k, json.RawMessage(r.Str()))
	case 9, 10: // a group: empty, inline (key "") or nested
		k := r.Key(true)
		return slog.Attr{Key: k, Value: slog.GroupValue(r.slogAttrs(depth+1, checked)...)}
	case 11, 12:
		k := r.Key(false)
		h := r.Hostile(nil)
		r.Expect(h.Mark, checked)
		return slog.Any(k, h.Make())
	case 13: // a LogValuer that resolves to a group
		k := r.Key(false)
		return slog.Any(k, fuzzkit.Valuer{V: slog.GroupValue(r.slogAttrs(depth+1, checked)...)})
	case 14: // a map of the values
		k := r.Key(false)
		return slog.Any(k, fzMap(r.slogAttrs(depth+1, false)))
	default: // a slice of the values
		k := r.Key(false)
		attrs := r.slogAttrs(depth+1, false)
		s := make([]any, len(attrs))
		for i, a := range attrs {
			s[i] = a.Value.Any()
		}
		return slog.Any(k, s)
	}
}

// slogAttrs reads up to 4 attrs.
func (r *fzReader) slogAttrs(depth int, checked bool) []slog.Attr {
	n := int(r.Byte() % 5)
	var attrs []slog.Attr
	for i := 0; i < n && r.More(); i++ {
		attrs = append(attrs, r.slogAttr(depth, checked))
	}
	return attrs
}

// fzMap turns attrs into a map, groups into nested maps.
func fzMap(attrs []slog.Attr) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		if a.Value.Kind() == slog.KindGroup {
			m[a.Key] = fzMap(a.Value.Group())
			continue
		}
		m[a.Key] = a.Value.Any()
	}
	return m
}

// fzSlogRecord is a decoded program: the handler after its WithAttrs and
// WithGroup calls, and the record to log through it.
type fzSlogRecord struct {
	h      slog.Handler
	level  slog.Level
	msg    string
	attrs  []slog.Attr
	direct bool      // call Handle with a record of time t, not a Logger
	t      time.Time // for direct
	marks  []string
}

// decodeSlog decodes data into calls on h.
func decodeSlog(data []byte, h slog.Handler, unique bool) fzSlogRecord {
	r := newFzReader(data, unique)
	flags := r.Byte()
	rec := fzSlogRecord{level: slog.LevelError, direct: flags&1 == 1}
	if flags&2 != 0 {
		rec.level = slogsentry.LevelFatal
	}
	if rec.direct {
		rec.t = r.Time()
	}
	rec.msg = r.Str()
	for r.More() {
		switch r.Byte() % 8 {
		case 0:
			h = h.WithAttrs(r.slogAttrs(0, true))
		case 1:
			h = h.WithGroup(r.Key(true))
		default:
			rec.attrs = append(rec.attrs, r.slogAttr(0, true))
		}
	}
	rec.h, rec.marks = h, r.Marks
	return rec
}

func (rec *fzSlogRecord) log(ctx context.Context) {
	if rec.direct {
		r := slog.NewRecord(rec.t, rec.level, rec.msg, 0)
		r.AddAttrs(rec.attrs...)
		_ = rec.h.Handle(ctx, r)
		return
	}
	slog.New(rec.h).LogAttrs(ctx, rec.level, rec.msg, rec.attrs...)
}

// FuzzHandler decodes the input into attrs, groups, LogValuers and hostile
// values, WithAttrs and WithGroup calls and one error record, and logs it
// through two handlers: one with the default redaction, and one without,
// whose keys are made unique so that the placeholder of each hostile value
// can be looked for in the event.
func FuzzHandler(f *testing.F) {
	env := fuzzkit.NewEnv(f)
	opts := []logsentry.Option{slogsentry.WithLogLevel(slog.LevelError)}
	redacted := slogsentry.NewHandler(slices.Concat(opts, env.Options(false))...)
	plain := slogsentry.NewHandler(slices.Concat(opts, env.Options(true))...)

	f.Fuzz(func(t *testing.T, data []byte) {
		rec := decodeSlog(data, redacted, false)
		env.Run(t, "redacted", nil, rec.log)
		rec = decodeSlog(data, plain, true)
		env.Run(t, "plain", rec.marks, rec.log)
	})
}
