package zerologsentry

import (
	"context"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
)

// CorrelationFieldName is the key of the field the Writer's hook adds to
// each line it acts on: a number that lets the Writer find what the hook
// captured (the event's context and call site) when it parses the line. The
// Writer removes it from what it sends. Other outputs see it; leave it out
// of them with [Writer.Tee], or, for a zerolog.ConsoleWriter, with
// FieldsExclude.
const CorrelationFieldName = "logsentry_id"

// pendingSize bounds the lines whose hook has run and whose write has not
// yet been parsed. A line written more than this many lines after its hook
// ran (an asynchronous writer far behind) loses its context and goes to
// the fallback hub.
const pendingSize = 1024

// pending is what the hook captured for one line.
type pending struct {
	id    uint64
	level zerolog.Level
	ctx   context.Context
	pc    uintptr
}

// nextID numbers the lines of all Writers, so an id never matches a line
// that another Writer's hook marked.
var nextID atomic.Uint64

// lowestMarked is the lowest severity of a line any hook has marked with a
// correlation field, or 0 when none has: lines below it carry no such
// field, and Tee passes them through without looking. A hook marks a line
// before zerolog writes it, on the same goroutine, so a Tee always sees the
// mark of the line it writes.
var lowestMarked atomic.Int64

// noteMarked lowers lowestMarked to s.
func noteMarked(s logsentry.Severity) {
	for {
		cur := lowestMarked.Load()
		if cur != 0 && cur <= int64(s) {
			return
		}
		if lowestMarked.CompareAndSwap(cur, int64(s)) {
			return
		}
	}
}

// mayBeMarked reports whether a line at severity s may carry a correlation
// field.
func mayBeMarked(s logsentry.Severity) bool {
	cur := lowestMarked.Load()
	return cur != 0 && int64(s) >= cur
}

var _ zerolog.Hook = (*Writer)(nil)

// Run implements zerolog.Hook. For a line that will become an event, or
// that passes another threshold and has a context, it captures the event's
// context (Event.Ctx) and the logging call site (events only), and adds the
// [CorrelationFieldName] field that ties them to the line this Writer will
// parse. zerolog runs hooks on the logging goroutine just before it writes
// the line; the capture does not depend on that, so asynchronous writers
// (diode) keep the context too. For any other line Run does nothing.
func (w *Writer) Run(e *zerolog.Event, level zerolog.Level, _ string) {
	if e == nil || !w.enabled(level) {
		return
	}
	s := Severity(level)
	ctx := e.GetCtx() // context.Background() when the event has none
	var pc uintptr
	if w.b.Sinks(s)&logsentry.SinkEvent != 0 {
		// Only events carry a stack trace. A record a filter turns into
		// an event falls back to the writer's own stack, trimmed.
		pc = w.b.CallerPC()
	} else if ctx == context.Background() {
		return // nothing to carry: the line needs no correlation field
	}
	id := nextID.Add(1)
	noteMarked(s)
	w.pending[id%pendingSize].Store(&pending{id: id, level: level, ctx: ctx, pc: pc})
	e.Uint64(CorrelationFieldName, id)
}

// take returns and forgets what the hook captured for the line with id.
func (w *Writer) take(id uint64, level zerolog.Level) *pending {
	slot := &w.pending[id%pendingSize]
	p := slot.Load()
	if p == nil || p.id != id || !slot.CompareAndSwap(p, nil) {
		return nil
	}
	if p.level != level && level != zerolog.NoLevel {
		return nil // not the line the hook saw
	}
	return p
}
