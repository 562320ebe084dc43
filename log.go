package logsentry

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// maxCachedLoggers bounds the cache of sentry.Logger values. Keys are the
// configured and current hubs and the clients of per-request hubs: few in a
// program, many only in tests that make a client per test.
const maxCachedLoggers = 256

// loggerCache keeps one sentry.Logger per hub or client: building one reads
// the client's options and the host name.
type loggerCache struct {
	// last is the entry of the latest lookup: a program logs through one
	// client, so nearly every lookup ends here, without the lock.
	last atomic.Pointer[loggerEntry]
	mu   sync.Mutex
	m    map[loggerKey]sentry.Logger
}

type loggerEntry struct {
	key    loggerKey
	logger sentry.Logger
}

type loggerKey struct {
	hub    *sentry.Hub // nil when the hub comes from the record's context
	client *sentry.Client
}

func (c *loggerCache) get(key loggerKey, hub *sentry.Hub) sentry.Logger {
	if e := c.last.Load(); e != nil && e.key == key {
		return e.logger
	}
	l := c.lookup(key, hub)
	c.last.Store(&loggerEntry{key: key, logger: l})
	return l
}

func (c *loggerCache) lookup(key loggerKey, hub *sentry.Hub) sentry.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.m[key]; ok {
		return l
	}
	if c.m == nil || len(c.m) >= maxCachedLoggers {
		c.m = make(map[loggerKey]sentry.Logger)
	}
	if key.hub == nil {
		// Records of this key carry their hub on their context; the
		// logger's own hub is only a fallback, and must not keep the first
		// request's hub (and scope) alive.
		hub = sentry.NewHub(key.client, sentry.NewScope())
	}
	l := sentry.NewLogger(sentry.SetHubOnContext(context.Background(), hub))
	c.m[key] = l
	return l
}

// uint64Setter is implemented by the SDK's log entries, outside the
// LogEntry interface.
type uint64Setter interface {
	Uint64(key string, value uint64) sentry.LogEntry
}

func (b *Bridge) emitLog(ctx context.Context, hub *sentry.Hub, hubFromCtx bool, client *sentry.Client, r *Record, n *normalized) {
	// A logger made for a hub uses that hub when ctx carries none; when ctx
	// carries one, the SDK uses it, so one logger per client serves all the
	// per-request hubs of that client.
	key := loggerKey{client: client}
	if !hubFromCtx {
		key.hub = hub
	}
	logger := b.loggers.get(key, hub)

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
	if n.err != nil {
		e.String("exception.type", errorType(n.err))
		e.String("exception.message", b.str(b.errorText(n.err)))
	}
	if n.hasUser && n.user.ID != "" {
		e.String("user.id", n.user.ID)
	}
	for i := range n.fields {
		f := &n.fields[i]
		key := f.key
		if len(f.groups) > 0 {
			key = f.path()
		}
		switch v := f.val; v.Kind() {
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
			if x == nil {
				e.String(key, "null")
				break
			}
			raw, err := json.Marshal(x)
			if err != nil {
				e.String(key, "!ERROR: "+err.Error())
			} else {
				e.String(key, string(raw))
			}
		}
	}
	msg := n.message
	if msg == "" {
		msg = "(empty message)" // the SDK drops logs with an empty body
	}
	e.Emit(msg)
}
