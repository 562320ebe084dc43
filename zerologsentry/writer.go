package zerologsentry

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/attrbuf"
)

// Writer is a zerolog.LevelWriter that forwards the lines it is given to
// Sentry, and a zerolog.Hook that gives those lines their context and call
// site. Create one with [NewWriter] and attach it both ways:
//
//	w := zerologsentry.NewWriter()
//	logger := zerolog.New(w.Tee(os.Stderr)).Hook(w)
//
// or, with the correlation field in the other outputs, put it first in a
// zerolog.MultiLevelWriter: zerolog.MultiLevelWriter(w, os.Stderr).
//
// A Writer is safe for concurrent use. Its methods never fail: Write and
// WriteLevel always return len(p), nil.
type Writer struct {
	b *logsentry.Bridge
	// on tells, per zerolog level (as a uint8), whether the bridge takes
	// it: the check every line makes, in the hook, Tee and WriteLevel, is
	// one load.
	on      [256]bool
	pending [pendingSize]atomic.Pointer[pending]
	// fatal is the flush of the latest Fatal line: zerolog calls Close
	// right after writing one, and that Close must not wait a second time.
	fatal atomic.Pointer[fatalFlush]
}

// fatalFlush is what the flush after a Fatal line covered: the client, the
// events and logs handed over until then, and when it ended.
type fatalFlush struct {
	client *sentry.Client
	sent   uint64
	done   time.Time
}

// closeAfterFatal is how soon after a Fatal line's flush a Close counts as
// zerolog's own, on its way to os.Exit. A Close later than that (a Fatal
// logged with WithLevel, which does not exit, then a shutdown) flushes.
const closeAfterFatal = 250 * time.Millisecond

var (
	_ zerolog.LevelWriter = (*Writer)(nil)
	_ io.Closer           = (*Writer)(nil)
)

// NewWriter returns a Writer configured by opts: the level options of this
// package and the shared options of package logsentry (WithHub,
// WithTagKeys, WithFingerprint, WithFlushTimeout, ...). With none, error
// lines become events and info lines and above become breadcrumbs, on the
// hub of the event's context (with the hook) or else sentry.CurrentHub; the
// logger name is "zerolog".
func NewWriter(opts ...logsentry.Option) *Writer {
	all := make([]logsentry.Option, 0, len(opts)+1)
	all = append(all, logsentry.WithLoggerName("zerolog"))
	all = append(all, opts...)
	w := &Writer{b: logsentry.New(all...)}
	for i := range w.on {
		w.on[i] = w.b.Enabled(Severity(zerolog.Level(int8(uint8(i))))) // false for Disabled
	}
	return w
}

// enabled reports whether lines at level l go anywhere.
func (w *Writer) enabled(l zerolog.Level) bool { return w.on[uint8(l)] }

// Bridge returns the bridge the Writer sends to.
func (w *Writer) Bridge() *logsentry.Bridge { return w.b }

// WriteLevel implements zerolog.LevelWriter: it parses the JSON line p and
// sends it to the outputs its level selects. Below every threshold it
// returns at once, without parsing or allocating.
func (w *Writer) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	if !w.enabled(level) {
		return len(p), nil
	}
	w.emit(level, p)
	return len(p), nil
}

// Write implements io.Writer for writers that lose the level, such as
// zerolog's diode writer: the level is read from the line's level field
// (zerolog.LevelFieldName), and a line without one counts as
// zerolog.NoLevel. Below every threshold it returns without allocating.
func (w *Writer) Write(p []byte) (int, error) {
	level := lineLevel(p)
	if !w.enabled(level) {
		return len(p), nil
	}
	w.emit(level, p)
	return len(p), nil
}

// Close flushes the events and logs buffered for the client of the
// fallback hub (logsentry.WithHub, else sentry.CurrentHub), bounded by the
// flush timeout (logsentry.WithFlushTimeout). It returns nil when
// everything was sent or Sentry is disabled, and logsentry.ErrFlushTimeout
// otherwise. The Writer keeps working after Close.
//
// zerolog calls Close right after a Fatal line, before it exits. That line
// was already flushed as every fatal record is (within WithFlushTimeout, or
// not at all when it is zero or less), so a Close that follows it at once
// (within 250ms, no event or log since, the same client) returns rather
// than wait a second time.
func (w *Writer) Close() error {
	ctx := context.Background()
	if f := w.fatal.Swap(nil); f != nil && f.sent == handedOver(w.b.Stats()) &&
		time.Since(f.done) < closeAfterFatal && f.client == w.b.Hub(ctx).Client() {
		return nil
	}
	return w.b.Flush(ctx)
}

func (w *Writer) emit(level zerolog.Level, p []byte) {
	buf := attrbuf.Get()
	w.send(level, p, w.parse(p, buf), buf)
}

// parse parses line p into attrs of buf (from attrbuf.Get), which send
// returns to the pool.
func (w *Writer) parse(p []byte, buf *[]slog.Attr) (l line) {
	defer func() { _ = recover() }() // the parser never panics; belt and braces
	return parseLine(p, *buf)
}

// send hands line l, parsed from p, to the bridge at the severity of
// level, and puts buf back.
func (w *Writer) send(level zerolog.Level, p []byte, l line, buf *[]slog.Attr) {
	defer func() { _ = recover() }() // Emit never panics; belt and braces

	s := Severity(level)
	rec := logsentry.Record{
		Severity: s,
		Level:    l.level,
		Message:  l.message,
		Time:     l.time,
		Attrs:    l.attrs,
	}
	if !l.complete && !l.recovered {
		// Not a JSON object (binary_log, a foreign writer): send the text.
		rec.Message, rec.Attrs = strings.TrimSpace(string(p)), nil
	}
	if rec.Level == "" {
		rec.Level = level.String()
	}
	if l.hasErr {
		if err := recallError(l.errText); err != nil {
			rec.Err = err
		} else {
			rec.Err = LoggedError(l.errText)
		}
	}
	if recentErrors.used.Load() {
		recallErrors(rec.Attrs, 0)
	}
	var ctx context.Context
	pd := l.claimed
	if pd == nil && l.id != 0 {
		pd = w.take(l.id, level)
	}
	if pd != nil {
		ctx, rec.PC = pd.ctx, pd.pc
	}
	if level != zerolog.FatalLevel {
		w.b.Emit(ctx, rec)
	} else {
		before := handedOver(w.b.Stats())
		w.b.Emit(ctx, rec)
		if sent := handedOver(w.b.Stats()); w.b.FatalFlushTimeout() <= 0 || sent > before {
			// Emit flushed the line's client (an event or log of it went
			// out), or was told not to flush.
			w.fatal.Store(&fatalFlush{client: w.b.Hub(ctx).Client(), sent: sent, done: time.Now()})
		}
	}
	attrbuf.Put(buf, l.attrs)
}

// recallErrors gives the core back the errors that ErrorMarshalFunc wrote
// as text under other keys than Err's, at the top level or in a Dict:
// AnErr("cause", err), Dict("req", zerolog.Dict().AnErr("err", err)). Only
// under a key that names an error: the match is by text, and a status or a
// reason that equals some error's text is no error.
func recallErrors(attrs []slog.Attr, depth int) {
	for i, a := range attrs {
		switch a.Value.Kind() {
		case slog.KindString:
			if errorLikeKey(a.Key) {
				if err := recallError(a.Value.String()); err != nil {
					attrs[i].Value = slog.AnyValue(err)
				}
			}
		case slog.KindGroup:
			if depth < maxRecallDepth {
				recallErrors(a.Value.Group(), depth+1) // the line's own attrs, changed in place
			}
		}
	}
}

// maxRecallDepth bounds how deep recallErrors looks into nested objects.
const maxRecallDepth = 8

// handedOver counts the events and logs a bridge handed to the SDK: what a
// fatal record's flush waits for.
func handedOver(s logsentry.Stats) uint64 { return s.Events + s.Logs }

// lineLevel reads the level field of a zerolog line without allocating
// (for the named levels), or returns zerolog.NoLevel.
func lineLevel(p []byte) zerolog.Level {
	name := zerolog.LevelFieldName
	if name == "" {
		return zerolog.NoLevel
	}
	v, ok := topLevelString(p, name)
	if !ok {
		return zerolog.NoLevel
	}
	for _, l := range [...]zerolog.Level{
		zerolog.TraceLevel, zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel,
		zerolog.ErrorLevel, zerolog.FatalLevel, zerolog.PanicLevel,
	} {
		if equalFold(v, zerolog.LevelFieldMarshalFunc(l)) {
			return l
		}
	}
	if l, err := zerolog.ParseLevel(string(v)); err == nil {
		return l
	}
	return zerolog.NoLevel
}

// equalFold is strings.EqualFold for ASCII, on bytes, without converting.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// topLevelString returns the raw bytes of the string value of key at the
// top level of the JSON object in p, if it is a string without escapes.
// It allocates nothing.
func topLevelString(p []byte, key string) ([]byte, bool) {
	_, start, end, ok := topLevelField(p, key)
	if !ok || end-start < 2 || p[start] != '"' {
		return nil, false
	}
	v := p[start+1 : end-1]
	for _, c := range v {
		if c == '\\' {
			return nil, false
		}
	}
	return v, true
}

// topLevelField finds the member key at the top level of the JSON object in
// p and returns where the member (its key's opening quote) starts and the
// byte range of its value. Values are skipped, not built; keys are compared
// as raw bytes, so a key written with escapes is not found.
func topLevelField(p []byte, key string) (member, start, end int, ok bool) {
	s := scanner{data: p}
	s.ws()
	if !s.eat('{') {
		return 0, 0, 0, false
	}
	for {
		s.ws()
		member = s.pos
		if s.eat('}') || !s.eat('"') {
			return 0, 0, 0, false
		}
		ks := s.pos
		if !s.skipString() {
			return 0, 0, 0, false
		}
		k := p[ks : s.pos-1]
		s.ws()
		if !s.eat(':') {
			return 0, 0, 0, false
		}
		s.ws()
		vs := s.pos
		if !s.skip() {
			return 0, 0, 0, false
		}
		if string(k) == key {
			return member, vs, s.pos, true
		}
		s.ws()
		if !s.eat(',') {
			return 0, 0, 0, false
		}
	}
}

// skipString moves past the rest of a string whose opening quote was read.
func (s *scanner) skipString() bool {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '"':
			s.pos++
			return true
		case '\\':
			s.pos += 2
		default:
			s.pos++
		}
	}
	return false
}

// skip moves past one JSON value without building it or allocating.
func (s *scanner) skip() bool {
	switch s.peek() {
	case '"':
		s.pos++
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case '{', '[':
				depth++
				s.pos++
			case '}', ']':
				depth--
				s.pos++
				if depth == 0 {
					return true
				}
			case '"':
				s.pos++
				if !s.skipString() {
					return false
				}
			default:
				s.pos++
			}
		}
		return false
	default:
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.pos > start
			}
			s.pos++
		}
		return false
	}
}
