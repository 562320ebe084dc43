package logrussentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/fuzzkit"
	"github.com/logsentry/logsentry/logrussentry"
)

// This file fuzzes the hook's field walk: the fuzz input is decoded into a
// program of logrus fields, WithError, WithField, WithFields and WithTime
// calls, and one error entry. Each entry must produce exactly one event
// that encodes as JSON (the SDK silently drops an event whose encoding
// fails), and no panic may escape.
//
// The seed corpus, testdata/fuzz/FuzzHook, holds seed-* inputs (each a
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

// logrusValue reads one field value, for a map at nesting level level (the
// entry's fields are level 0). checked says whether the value sits where
// its placeholder must show: the hook makes groups of nested maps down to
// level 7 only, and bounds what is deeper, or in a slice, in depth and size.
func (r *fzReader) logrusValue(level int, checked bool) any {
	r.Nodes--
	op := r.Byte()
	if level >= fuzzkit.MaxDepth && op%16 >= 10 {
		op = 0
	}
	switch op % 16 {
	case 0:
		return r.Str()
	case 1:
		return int64(r.U64())
	case 2:
		return r.U64() | 1<<63
	case 3:
		return r.Float()
	case 4:
		return float32(r.Float())
	case 5:
		return r.Byte()&1 == 1
	case 6:
		return r.Time()
	case 7:
		return time.Duration(r.U64())
	case 8:
		return []byte(r.Str())
	case 9:
		if r.Byte()&1 == 0 {
			return json.Number(r.Str())
		}
		return json.RawMessage(r.Str())
	case 10: // a nested map: a group while not too deep
		return map[string]any(r.logrusFields(level+1, checked && level+1 < 8))
	case 11:
		return r.logrusFields(level+1, checked && level+1 < 8)
	case 12, 13:
		h := r.Hostile(nil)
		r.Expect(h.Mark, checked)
		return h.Make()
	case 14:
		n := int(r.Byte() % 5)
		s := make([]any, 0, n)
		for i := 0; i < n && r.More(); i++ {
			s = append(s, r.logrusValue(level+1, false))
		}
		return s
	default: // an error under some key, maybe wrapping a hostile one
		msg := r.Str()
		h := r.Hostile(nil)
		if err, ok := h.Make().(error); ok {
			if h.Mark == fuzzkit.MarkPanic || h.Mark == fuzzkit.MarkNil {
				r.Expect(fuzzkit.MarkPanic, checked) // the wrapper's Error panics
			}
			return fzWrapped{msg, err}
		}
		return errors.New(msg)
	}
}

// fzWrapped wraps err, calling its Error method only when asked for its own.
type fzWrapped struct {
	msg string
	err error
}

func (w fzWrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w fzWrapped) Unwrap() error { return w.err }

// logrusFields reads up to 4 fields of a map at nesting level level.
func (r *fzReader) logrusFields(level int, checked bool) logrus.Fields {
	n := int(r.Byte() % 5)
	m := make(logrus.Fields, n)
	for i := 0; i < n && r.More(); i++ {
		k := r.Key(false)
		m[k] = r.logrusValue(level, checked)
	}
	return m
}

// fzNopFormatter formats nothing: logrus's own formatters would print the
// hostile values (and some of them panic), which is not what is fuzzed.
type fzNopFormatter struct{}

func (fzNopFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

// fzLogrusEntry is a decoded program: the entry after its WithError,
// WithField, WithFields and WithTime calls, logged at level.
type fzLogrusEntry struct {
	entry *logrus.Entry
	level logrus.Level
	msg   string
	marks []string
}

// decodeLogrus decodes data into calls on a new entry of logger.
func decodeLogrus(data []byte, logger *logrus.Logger, unique bool) fzLogrusEntry {
	r := newFzReader(data, unique)
	flags := r.Byte()
	e := fzLogrusEntry{entry: logrus.NewEntry(logger), level: logrus.ErrorLevel}
	if flags&1 != 0 {
		e.entry = e.entry.WithTime(r.Time())
	}
	if flags&2 != 0 {
		e.level = logrus.FatalLevel // the logger's ExitFunc does not exit
	}
	e.msg = r.Str()
	var last logrus.Fields
	errMark := "" // the mark of the last WithError, which replaces the others
	for r.More() {
		switch r.Byte() % 8 {
		case 0:
			h := r.Hostile(nil)
			err, ok := h.Make().(error)
			errMark = h.Mark
			if !ok {
				err, errMark = errors.New(r.Str()), ""
			}
			e.entry = e.entry.WithError(err)
		case 1:
			k := r.Key(false)
			e.entry = e.entry.WithField(k, r.logrusValue(0, true))
		case 2:
			e.entry = e.entry.WithFields(r.logrusFields(0, true))
		default:
			if last == nil {
				last = logrus.Fields{}
			}
			maps.Copy(last, r.logrusFields(0, true))
		}
	}
	if last != nil {
		e.entry = e.entry.WithFields(last)
	}
	r.Expect(errMark, true)
	e.marks = r.Marks
	return e
}

func (e *fzLogrusEntry) log(ctx context.Context) {
	e.entry.WithContext(ctx).Log(e.level, e.msg)
}

// newFzLogger returns a logger that prints nothing, does not exit, and
// sends to Sentry through a hook with opts.
func newFzLogger(opts ...logsentry.Option) *logrus.Logger {
	logger := logrus.New()
	logger.Out = io.Discard
	logger.Formatter = fzNopFormatter{}
	logger.ExitFunc = func(int) {}
	logger.ReportCaller = true
	logger.Level = logrus.TraceLevel
	logger.AddHook(logrussentry.NewHook(opts...))
	return logger
}

// FuzzHook decodes the input into logrus fields (nested maps, every scalar
// type, hostile values), WithError, WithField, WithFields and WithTime calls
// and one error entry, and logs it through two hooks: one with the default
// redaction, and one without, whose keys are made unique so that the
// placeholder of each hostile value can be looked for in the event.
func FuzzHook(f *testing.F) {
	env := fuzzkit.NewEnv(f)
	opts := []logsentry.Option{logrussentry.WithLogLevel(logrus.ErrorLevel)}
	redacted := newFzLogger(slices.Concat(opts, env.Options(false))...)
	plain := newFzLogger(slices.Concat(opts, env.Options(true))...)

	f.Fuzz(func(t *testing.T, data []byte) {
		e := decodeLogrus(data, redacted, false)
		env.Run(t, "redacted", nil, e.log)
		e = decodeLogrus(data, plain, true)
		env.Run(t, "plain", e.marks, e.log)
	})
}
