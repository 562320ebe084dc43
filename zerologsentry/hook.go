package zerologsentry

import (
	"context"
	"runtime"
	"strings"
	"sync"
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

var _ zerolog.Hook = (*Writer)(nil)

// Run implements zerolog.Hook. For a line that will become an event, or
// that passes another threshold and has a context, it captures the event's
// context (Event.Ctx) and the logging call site (events only), and adds the
// [CorrelationFieldName] field that ties them to the line this Writer will
// parse. zerolog runs hooks on the logging goroutine just before it writes
// the line; the capture does not depend on that, so asynchronous writers
// (diode) keep the context too. For any other line Run does nothing.
func (w *Writer) Run(e *zerolog.Event, level zerolog.Level, _ string) {
	s := Severity(level)
	if e == nil || s == severityOff || !w.b.Enabled(s) {
		return
	}
	ctx := e.GetCtx() // context.Background() when the event has none
	var pc uintptr
	if w.b.Sinks(s)&logsentry.SinkEvent != 0 {
		// Only events carry a stack trace. A record a filter turns into
		// an event falls back to the writer's own stack, trimmed.
		pc = callerPC()
	} else if ctx == context.Background() {
		return // nothing to carry: the line needs no correlation field
	}
	id := nextID.Add(1)
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

// callerPC returns the program counter of the first frame, above Run, that
// belongs neither to zerolog nor to this module: the logging call site.
func callerPC() uintptr {
	var buf [32]uintptr
	n := runtime.Callers(3, buf[:]) // runtime.Callers, callerPC, Run
	for _, pc := range buf[:n] {
		if !loggingPCs.is(pc) {
			return pc
		}
	}
	return 0
}

// maxCachedPCs bounds the cache of call-site decisions; logging call sites
// are few and repeat.
const maxCachedPCs = 4096

// pcCache remembers, per return PC, whether its frame (the outermost
// function when calls were inlined) is a logging frame.
type pcCache struct {
	m sync.Map // uintptr -> bool
	n atomic.Int32
}

var loggingPCs pcCache

func (c *pcCache) is(pc uintptr) bool {
	if v, ok := c.m.Load(pc); ok {
		return v.(bool)
	}
	var fn string
	frames := runtime.CallersFrames([]uintptr{pc})
	for {
		f, more := frames.Next()
		fn = f.Function
		if !more {
			break
		}
	}
	is := isLoggingPackage(packagePath(fn))
	if c.n.Load() < maxCachedPCs {
		if _, loaded := c.m.LoadOrStore(pc, is); !loaded {
			c.n.Add(1)
		}
	}
	return is
}

// packagePath returns the import path of a function named as
// runtime.Frame.Function does ("github.com/rs/zerolog.(*Event).Msg").
func packagePath(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

const thisModule = "github.com/logsentry/logsentry"

// loggingPackages are the packages whose frames can stand between a
// logging call and the hook: zerolog itself, the standard log package
// (log.SetOutput(zerologLogger)) and the runtime. The core trims the same
// ones from stack traces.
var loggingPackages = []string{"github.com/rs/zerolog", "log", "log/slog", "runtime"}

func isLoggingPackage(pkg string) bool {
	if pkg == thisModule || strings.HasPrefix(pkg, thisModule+"/") {
		return !strings.HasSuffix(pkg, "_test") && !strings.Contains(pkg, "/examples/")
	}
	for _, p := range loggingPackages {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}
