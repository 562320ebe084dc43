package logsentry

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// maxCachedLoggers bounds the cache of sentry.Logger values, one per
// client: few in a program, many only in tests that make a client per test.
const maxCachedLoggers = 256

// loggerCache keeps one sentry.Logger per client: building one reads the
// client's options and the host name.
type loggerCache struct {
	// last is the entry of the latest lookup: a program logs through one
	// client, so nearly every lookup ends here, without the lock.
	last atomic.Pointer[loggerEntry]
	mu   sync.Mutex
	m    map[*sentry.Client]sentry.Logger
}

type loggerEntry struct {
	client *sentry.Client
	logger sentry.Logger
}

func (c *loggerCache) get(client *sentry.Client) sentry.Logger {
	if e := c.last.Load(); e != nil && e.client == client {
		return e.logger
	}
	l := c.lookup(client)
	c.last.Store(&loggerEntry{client: client, logger: l})
	return l
}

func (c *loggerCache) lookup(client *sentry.Client) sentry.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.m[client]; ok {
		return l
	}
	if c.m == nil || len(c.m) >= maxCachedLoggers {
		c.m = make(map[*sentry.Client]sentry.Logger)
	}
	// Every log carries its hub on its context (see emitLog), so the
	// logger's own hub is never used for sending. It is made here, on
	// exactly this client: a logger built from a shared hub whose client
	// was being swapped would read another client, or none, and be cached
	// as a logger that drops everything.
	l := sentry.NewLogger(sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope())))
	c.m[client] = l
	return l
}

// uint64Setter is implemented by the SDK's log entries, outside the
// LogEntry interface.
type uint64Setter interface {
	Uint64(key string, value uint64) sentry.LogEntry
}

func (b *Bridge) emitLog(ctx context.Context, hub *sentry.Hub, hubFromCtx bool, client *sentry.Client, r *Record, n *normalized) {
	// The SDK sends a log with the hub of the entry's context: put the
	// record's hub there when the context does not carry it, so one logger
	// per client serves the configured hub, the current hub and every
	// per-request hub alike, each with its own scope.
	logger := b.loggers.get(client)
	if !hubFromCtx {
		ctx = sentry.SetHubOnContext(ctx, hub)
	}

	var e sentry.LogEntry
	switch s := r.Severity.clamp(); {
	case s >= SeverityFatal:
		e = logger.LFatal() // never Fatal() or Panic(): they exit
	case s >= SeverityError:
		e = logger.Error()
	case s >= SeverityWarn:
		e = logger.Warn()
	case s >= SeverityInfo:
		e = logger.Info()
	case s >= SeverityDebug:
		e = logger.Debug()
	default:
		e = logger.Trace()
	}
	e = e.WithCtx(ctx)
	e.String("sentry.origin", b.cfg.origin)
	e.String("logger.name", n.logger)
	if r.Level != "" {
		e.String("log.level", r.Level)
	}
	la := logAttrs{e: e, jsonBudget: jsonBudget{left: maxLogAttrs}}
	if n.err != nil {
		// The error's text takes at most half of the fields' room, first.
		text := truncateJSON(b.str(b.shownText(n.err)), maxLogAttrs/2)
		la.left -= jsonStringLen(text) + len(`"exception.message":,`)
		e.String("exception.type", errorType(n.err))
		e.String("exception.message", text)
	}
	if n.hasUser {
		b.flatUser(client, n.user, la.set)
	}
	n.flatFields(la.set)
	if la.dropped > 0 {
		e.String(truncatedFields, droppedNote(la.dropped))
	}
	msg := truncateJSON(n.message, maxLogBody)
	if msg == "" {
		msg = "(empty message)" // the SDK drops logs with an empty body
	}
	e.Emit(msg)
}

// maxLogAttrs bounds the JSON size of a Sentry log's fields: the SDK
// batches up to 100 logs in one envelope, which Sentry takes or rejects
// whole.
const maxLogAttrs = 64 << 10

// maxLogBody bounds a Sentry log's body, as JSON.
const maxLogBody = 16 << 10

// logAttrs sets a log's field attributes within maxLogAttrs.
type logAttrs struct {
	e sentry.LogEntry
	jsonBudget
}

func (la *logAttrs) set(key string, v slog.Value) {
	if reservedLogKey(key) {
		key = fieldPrefix + key
	}
	if v, ok := la.fit(key, v); ok {
		setLogAttr(la.e, key, v)
	}
}

// fieldPrefix goes before a field's key that is a reserved log attribute.
const fieldPrefix = "field."

// reservedLogKey says whether key, a field's flat key, names an attribute
// that the bridge or Sentry sets on a log: one the bridge sets
// (logger.name, log.level, exception.type, exception.message) or one of
// Sentry's own namespace (sentry.*: origin, environment, release, sdk...).
// Such a field, say the group logger{name=...} or a zerolog field
// "sentry.release", would overwrite it (the SDK lets a log's attributes
// win), so it goes out as "field.logger.name": both are kept.
func reservedLogKey(key string) bool {
	if len(key) <= len("sentry.") { // the shortest: "sentry.x", "log.level"
		return false
	}
	switch key[0] {
	case 's':
		return strings.HasPrefix(key, "sentry.")
	case 'l':
		return key == "logger.name" || key == "log.level"
	case 'e':
		return key == "exception.type" || key == "exception.message"
	}
	return false
}

// setLogAttr sets attribute key of e to v, typed: strings, integers,
// floats, booleans, and lists of one of these as arrays; anything else
// (nil, a mixed list, a list of objects, an empty map) as its JSON text.
func setLogAttr(e sentry.LogEntry, key string, v slog.Value) {
	switch v.Kind() {
	case slog.KindString:
		e.String(key, v.String())
	case slog.KindInt64:
		e.Int64(key, v.Int64())
	case slog.KindUint64:
		if u, ok := e.(uint64Setter); ok {
			u.Uint64(key, v.Uint64())
		} else {
			e.String(key, strconv.FormatUint(v.Uint64(), 10))
		}
	case slog.KindFloat64:
		e.Float64(key, v.Float64())
	case slog.KindBool:
		e.Bool(key, v.Bool())
	default:
		x := v.Any()
		if l, ok := x.([]any); ok && setLogList(e, key, l) {
			return
		}
		if x == nil {
			e.String(key, "null")
			return
		}
		raw, err := json.Marshal(x)
		if err != nil {
			e.String(key, "!ERROR: "+err.Error())
		} else {
			e.String(key, string(raw))
		}
	}
}

// maxExactFloat is 2^53, the largest integer up to which every integer is
// a float64.
const maxExactFloat = 1 << 53

// setLogList sets attribute key of e to the array l if its elements are
// all strings, all booleans, all integers (int64, or uint64 that fit) or
// all numbers (integers only up to 2^53, so that none is rounded), and
// reports whether it did. An empty list is an empty array of strings.
func setLogList(e sentry.LogEntry, key string, l []any) bool {
	var strs, bools, ints, nums int
	exact := true // every integer also exact as a float64
	for _, x := range l {
		switch x := x.(type) {
		case string:
			strs++
		case bool:
			bools++
		case int64:
			ints++
			exact = exact && x >= -maxExactFloat && x <= maxExactFloat
		case uint64:
			if x > math.MaxInt64 {
				return false // no array type holds it exactly: JSON text
			}
			ints++
			exact = exact && x <= maxExactFloat
		case float64:
			nums++
		default:
			return false
		}
	}
	if nums > 0 && ints > 0 && !exact {
		return false // a float array would round the integers: JSON text
	}
	switch n := len(l); {
	case strs == n:
		s := make([]string, n)
		for i, x := range l {
			s[i] = x.(string)
		}
		e.StringSlice(key, s)
	case bools == n:
		s := make([]bool, n)
		for i, x := range l {
			s[i] = x.(bool)
		}
		e.BoolSlice(key, s)
	case ints == n:
		s := make([]int64, n)
		for i, x := range l {
			if u, ok := x.(uint64); ok {
				s[i] = int64(u)
			} else {
				s[i] = x.(int64)
			}
		}
		e.Int64Slice(key, s)
	case ints+nums == n:
		s := make([]float64, n)
		for i, x := range l {
			switch x := x.(type) {
			case int64:
				s[i] = float64(x)
			case uint64:
				s[i] = float64(x)
			default:
				s[i] = x.(float64)
			}
		}
		e.Float64Slice(key, s)
	default:
		return false
	}
	return true
}
