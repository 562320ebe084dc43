package logsentry

import (
	"log/slog"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
)

// An Option configures a [Bridge]. Options are applied in order by [New] and
// by every adapter's constructor; a later option overrides an earlier one.
// The set of options is closed: only this package and the adapters that wrap
// its functions (such as slogsentry.WithEventLevel) create them.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is the immutable policy of a Bridge, built once by newConfig.
type config struct {
	hub *sentry.Hub

	eventMin, breadcrumbMin, logMin Severity

	loggerName  string
	origin      string
	tagKeys     map[string]struct{}
	errorKeys   []string
	fingerprint func(Record) []string
	replaceAttr func(groups []string, a slog.Attr) slog.Attr
	filter      func(Record, Sinks) Sinks

	redact        bool
	redactKeys    []string
	allowKeys     []string
	redactPattern []*regexp.Regexp

	eventRate  float64
	eventBurst int

	flushTimeout  time.Duration
	maxErrorDepth int // clientErrorDepth: the client's MaxErrorDepth
	noDedupe      bool
	errorHandler  func(error)
}

// clientErrorDepth is the default maxErrorDepth: the MaxErrorDepth of the
// client an event goes to.
const clientErrorDepth = math.MinInt

func newConfig(opts []Option) config {
	c := config{
		eventMin:      SeverityError,
		breadcrumbMin: SeverityInfo,
		logMin:        SeverityOff,
		loggerName:    "logsentry",
		errorKeys:     []string{"error", "err"},
		redact:        true,
		flushTimeout:  defaultFlushTimeout,
		maxErrorDepth: clientErrorDepth,
		eventRate:     defaultEventPerSecond,
		eventBurst:    defaultEventBurst,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.origin == "" {
		c.origin = "auto.log." + c.loggerName
	}
	return c
}

// WithHub sets the hub used for records whose context carries none. Without
// it (or with a nil hub) such records go to [sentry.CurrentHub], looked up
// per record, so a hub bound later by [sentry.Init] is honoured.
//
// A hub on the record's context wins. breadcrumbs.Middleware and
// breadcrumbs.WithTrail put a clone of sentry.CurrentHub there, which has
// no client in a program whose client is bound only to h (no
// sentry.Init): a record on such a trail goes to h's client, on the
// trail's scope, so each request keeps its own breadcrumbs (see
// [Bridge.Hub]); but the trail's hub itself sends nothing (captures by
// hand, sentryhttp's panics). To bind h's client to every request, put a
// clone of h on it in an outer middleware,
// sentry.SetHubOnContext(r.Context(), h.Clone()), which Middleware then
// takes over.
func WithHub(h *sentry.Hub) Option {
	return optionFunc(func(c *config) { c.hub = h })
}

// WithEventSeverity sets the lowest severity that becomes a Sentry event (an
// issue). The default is [SeverityError]; [SeverityOff] sends no events.
// Adapters offer the same option in their logger's own level type, e.g.
// slogsentry.WithEventLevel.
func WithEventSeverity(s Severity) Option {
	return optionFunc(func(c *config) { c.eventMin = s })
}

// WithBreadcrumbSeverity sets the lowest severity that becomes a breadcrumb on
// the hub's scope. The default is [SeverityInfo]; [SeverityOff] adds none.
func WithBreadcrumbSeverity(s Severity) Option {
	return optionFunc(func(c *config) { c.breadcrumbMin = s })
}

// WithLogSeverity sets the lowest severity that becomes a Sentry structured
// log. The default is [SeverityOff]: Sentry Logs are opt-in. (sentry-go
// v0.50 has no client option for them: a client with a DSN sends them.)
func WithLogSeverity(s Severity) Option {
	return optionFunc(func(c *config) { c.logMin = s })
}

// WithLoggerName sets the logger name used when a record carries none (no zap
// Named logger, no "logger" field). It becomes the event's logger and the
// breadcrumb's category. Adapters default it to their logger ("slog", "zap",
// "logrus", "zerolog").
func WithLoggerName(name string) Option {
	return optionFunc(func(c *config) { c.loggerName = name })
}

// WithOrigin sets the sentry.origin attribute of Sentry Logs. Adapters set it
// ("auto.log.slog", ...); the default is "auto.log." plus the logger name.
func WithOrigin(origin string) Option {
	return optionFunc(func(c *config) { c.origin = origin })
}

// WithTagKeys lists the field keys promoted to event tags, in addition to
// staying in the event's "attributes" context. A key inside groups is written
// with dots ("http.method" for the field method in group http). Tags are
// indexed and searchable in Sentry but limited to 200 characters and add
// cardinality, so only listed keys become tags. Repeated calls add keys.
func WithTagKeys(keys ...string) Option {
	return optionFunc(func(c *config) {
		m := make(map[string]struct{}, len(c.tagKeys)+len(keys))
		for k := range c.tagKeys {
			m[k] = struct{}{}
		}
		for _, k := range keys {
			m[k] = struct{}{}
		}
		c.tagKeys = m
	})
}

// WithErrorKeys sets the field keys whose error value becomes the event's
// exception, in order of preference. The default is "error", "err". A record
// with no error under these keys uses its first top-level field holding an
// error, so zap.Error, slog.Any("cause", err) and logrus WithError all work.
func WithErrorKeys(keys ...string) Option {
	return optionFunc(func(c *config) { c.errorKeys = append([]string(nil), keys...) })
}

// WithFingerprint sets the function that gives an event its Sentry
// fingerprint (its grouping key). A nil or empty result keeps the default:
// the message parameterized (numbers, ids and addresses as placeholders), then
// the type and text of the innermost error of the chain. The function's result is
// sent redacted (secrets as "[Filtered]", as in messages) and otherwise as it
// is; Sentry's "{{ default }}" in it stands for the server's own
// grouping (by stack trace for an error), and the rate limit keys that
// part on the default fingerprint, so each issue keeps its own budget.
// A record's own "fingerprint" field ([]string or string) overrides both.
func WithFingerprint(f func(Record) []string) Option {
	return optionFunc(func(c *config) { c.fingerprint = f })
}

// WithReplaceAttr sets a function called, with slog's ReplaceAttr semantics,
// on every non-group field after LogValuers are resolved and before
// redaction. groups holds the enclosing group names. Returning an Attr with an
// empty key drops the field. The field whose error becomes the exception is
// one of them: returning it without an error value (a scrubbed string, say)
// or dropping it leaves the event without that exception, and returning
// another error reports that one. Fields given to a logger's With (slog's
// WithAttrs) are passed when they are given, as slog's handlers do, and
// again, as the function returned them, with each record: the function
// should return what it is given when it has nothing to change.
func WithReplaceAttr(f func(groups []string, a slog.Attr) slog.Attr) Option {
	return optionFunc(func(c *config) { c.replaceAttr = f })
}

// Sinks is a set of outputs a record goes to.
type Sinks uint8

// The outputs of a record.
const (
	SinkEvent Sinks = 1 << iota
	SinkBreadcrumb
	SinkLog

	SinkNone Sinks = 0
)

// WithFilter sets a function that decides, per record, which outputs it goes
// to. It receives the record as the adapter made it (fields not yet
// resolved, converted or redacted: it must not retain them) and the sinks
// its severity selects, and returns the sinks to use: it can drop a record,
// demote an event to a breadcrumb, or send an audit record to Sentry Logs.
// It runs only for records at or above some threshold, before any
// conversion, so a dropped record costs next to nothing.
func WithFilter(f func(r Record, s Sinks) Sinks) Option {
	return optionFunc(func(c *config) { c.filter = f })
}

// WithRedactKeys adds field keys whose values are replaced with [Filtered],
// matched as the built-in sensitive terms are (case-insensitive, as a word
// or word part: "card" catches "card_number" and "CardNumber").
func WithRedactKeys(keys ...string) Option {
	return optionFunc(func(c *config) { c.redactKeys = append(c.redactKeys, keys...) })
}

// WithAllowKeys lists field keys (case-insensitive, exact) never treated as
// sensitive, for ordinary fields that happen to contain a sensitive term.
func WithAllowKeys(keys ...string) Option {
	return optionFunc(func(c *config) { c.allowKeys = append(c.allowKeys, keys...) })
}

// WithRedactPatterns adds patterns whose matches in messages, string field
// values and error texts are replaced with [Filtered].
func WithRedactPatterns(patterns ...*regexp.Regexp) Option {
	return optionFunc(func(c *config) { c.redactPattern = append(c.redactPattern, patterns...) })
}

// WithoutDedupe switches off the deduplication of events: by default, an
// error record whose error chain holds an error already reported in an
// event of the same request (the hub of the record's context) gets no event
// of its own, only its breadcrumb, as when a function logs an error and
// returns it wrapped to a caller that logs it again. Only errors made per
// failure count (wrappers such as fmt.Errorf with %w, and errors carrying a
// stack), never a sentinel such as io.EOF, and for 10 seconds after the
// event; records on the configured or the current hub and records above
// SeverityError (zap's DPanic, fatal) are never deduplicated. The errors reported are remembered for all Bridges
// at once, so a failure logged through two loggers (a repository's and a
// handler's, each with its own handler or core) is one event too; a Bridge
// with WithoutDedupe neither remembers nor leaves out. Stats counts the
// events left out.
func WithoutDedupe() Option {
	return optionFunc(func(c *config) { c.noDedupe = true })
}

// WithoutRedaction switches off the built-in redaction of sensitive keys and
// secret-shaped values. Keys and patterns added with [WithRedactKeys] and
// [WithRedactPatterns] still apply.
func WithoutRedaction() Option {
	return optionFunc(func(c *config) { c.redact = false })
}

// defaultFlushTimeout bounds flushes unless WithFlushTimeout says otherwise.
const defaultFlushTimeout = 2 * time.Second

// WithFlushTimeout bounds the flush that follows a fatal record (severity
// [SeverityFatal] and above) before the record's logging call returns, and a
// [Bridge.Flush] whose context has no deadline. The default is 2s; zero or
// less skips the fatal flush (Flush then keeps the 2s default).
func WithFlushTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.flushTimeout = d })
}

// WithMaxErrorDepth bounds how deep an error chain is unwrapped into
// exceptions, as [sentry.ClientOptions].MaxErrorDepth does for
// CaptureException: the outermost error and n levels below it; a negative
// n unwraps everything (up to 100 errors in all). Unlike the SDK, a chain
// cut by the bound keeps its innermost error, the root cause, in place of
// the last level (its mechanism tells how many errors were skipped), and
// the default fingerprint names that root cause whatever the bound. The
// default is the client's MaxErrorDepth (100 unless set).
func WithMaxErrorDepth(n int) Option {
	return optionFunc(func(c *config) { c.maxErrorDepth = n })
}

// WithErrorHandler sets a function told about problems the bridge absorbed
// instead of passing them to the logging call: a panicking String, Error,
// LogValue or MarshalJSON, a fingerprint or filter function that panicked.
// It must not log through the bridged logger. The default discards them.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = f })
}

func (c *config) isTagKey(key string) bool {
	_, ok := c.tagKeys[key]
	return ok
}

func (c *config) isErrorKey(key string) int {
	for i, k := range c.errorKeys {
		if strings.EqualFold(k, key) {
			return i
		}
	}
	return -1
}
