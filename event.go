package logsentry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/trailhook"
)

// maxTagValue is Sentry's limit on a tag value's length.
const maxTagValue = 200

// Context names used on events.
const (
	attributesContext = "attributes"
	logContext        = "log"
	severityKey       = "severity" // in logContext: the record's Severity
)

// captureEvent hands r's event to the SDK and reports whether the SDK took
// it (BeforeSend, sampling and event processors may drop it).
func (b *Bridge) captureEvent(ctx context.Context, hub *sentry.Hub, client *sentry.Client, r *Record, n *normalized) bool {
	ev := &sentry.Event{
		Level:     r.Severity.SentryLevel(),
		Timestamp: jsonTime(r.Time),
		Logger:    n.logger,
		Message:   truncateJSON(n.message, maxEventMessage),
		Contexts:  make(map[string]sentry.Context, 3),
	}
	if n.err != nil {
		ev.Exception = b.exceptions(n.err, b.errorDepth(client))
	}
	// The outermost exception (the title) shows where the record
	// was logged unless it carries a stack of its own, as sentry-go does
	// for CaptureException: an inner error's stack (pkg/errors) shows where
	// that error was made, which may be another goroutine or a dependency.
	if last := len(ev.Exception) - 1; last < 0 || !hasStack(ev.Exception[last:]) {
		if st := b.callSite(r.PC); st != nil {
			if last >= 0 {
				ev.Exception[last].Stacktrace = st
			} else {
				ev.Threads = []sentry.Thread{{Stacktrace: st, Current: true, Crashed: r.Severity >= SeverityFatal}}
			}
		}
	}
	if len(n.fields) > 0 {
		ev.Contexts[attributesContext] = tree(n.fields)
	}
	lc := sentry.Context{severityKey: int(r.Severity.clamp())}
	if r.Level != "" {
		lc["level"] = r.Level
	}
	if jsonTime(r.Time).IsZero() {
		lc["time_unknown"] = true // the timestamp is the capture time
	}
	if n.rateLimitedBefore > 0 {
		lc["rate_limited_before"] = n.rateLimitedBefore
	}
	ev.Contexts[logContext] = lc
	b.setTags(ev, n)
	if n.hasUser {
		ev.User = b.gateUser(client, n.user)
	}
	ev.Fingerprint = b.fingerprintOf(r, n)
	hint := &sentry.EventHint{Context: ctx, OriginalException: n.err}
	var scope *sentry.Scope // a copy of the hub's, when the event needs one
	if span := sentry.SpanFromContext(ctx); span != nil {
		if s := hub.Scope(); s != nil && s.GetSpan() != span {
			// The SDK links an event to its scope's span (or, with none, to
			// the scope's propagation context), not to the span of the
			// context: capture on a copy of the scope bound to that span.
			scope = s.Clone()
			scope.SetSpan(span)
		}
	}
	if n.request != nil && requestOnScope(ctx) {
		// Captured on the hub; the trail's processor (see watch) gives
		// the event this request if the scope no longer holds one.
		hint.Data = fieldRequest{b.eventRequest(n.request, client)}
	} else if n.request != nil {
		req := b.eventRequest(n.request, client)
		if scope == nil {
			scope = hub.Scope().Clone()
		}
		// A request the scope holds (sentryhttp's, with the body it
		// buffered) fills the event first; this one only when it did not.
		scope.AddEventProcessor(func(ev *sentry.Event, _ *sentry.EventHint) *sentry.Event {
			if ev.Request == nil {
				ev.Request = req
			}
			return ev
		})
	}
	if scope != nil {
		return client.CaptureEvent(ev, hint, scope) != nil
	}
	return hub.CaptureEventWithHint(ev, hint) != nil
}

// requestOnScope reports whether the scope of ctx's hub holds a request
// (breadcrumbs.Middleware's trail), which fills the event before a
// request field could, and whose processor fills it with the field's
// otherwise: the event is then captured on the hub itself, which counts it
// as its LastEventID.
func requestOnScope(ctx context.Context) bool {
	t, ok := trailhook.Of(ctx)
	return ok && t.Request
}

func hasStack(ex []sentry.Exception) bool {
	for i := range ex {
		if ex[i].Stacktrace != nil && len(ex[i].Stacktrace.Frames) > 0 {
			return true
		}
	}
	return false
}

func (b *Bridge) setTags(ev *sentry.Event, n *normalized) {
	if len(b.cfg.tagKeys) == 0 {
		return
	}
	for i := range n.fields {
		f := &n.fields[i]
		key := f.key
		if len(f.groups) > 0 {
			key = f.path()
		}
		if !b.cfg.isTagKey(key) {
			continue
		}
		if ev.Tags == nil {
			ev.Tags = make(map[string]string)
		}
		ev.Tags[key] = tagValue(f.any())
	}
}

func tagValue(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case nil:
		s = "null"
	case []any, map[string]any:
		// As JSON, as the attributes show them ("[a b]" and "map[x:1]"
		// are Go's syntax); normalize made them encodable.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // "a&b", not "a\u0026b"
		if enc.Encode(x) == nil {
			s = strings.TrimSuffix(buf.String(), "\n")
		} else {
			s = fmt.Sprint(x)
		}
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > maxTagValue {
		cut := maxTagValue
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// gateUser drops the user's email, username and IP address unless the
// client's data collection settings allow user information (DataCollection,
// or the deprecated SendDefaultPII). The id and name are always kept.
func (b *Bridge) gateUser(client *sentry.Client, u sentry.User) sentry.User {
	if !allowsUserInfo(client) {
		u.Email, u.Username, u.IPAddress = "", "", ""
		for k := range u.Data {
			if personalData(k) {
				u.Data = maps.Clone(u.Data)
				maps.DeleteFunc(u.Data, func(k, _ string) bool { return personalData(k) })
				break
			}
		}
	}
	return u
}

func allowsUserInfo(client *sentry.Client) bool {
	opts := client.Options()
	if opts.DataCollection != nil {
		return client.GetDataCollection().UserInfo.Or(true)
	}
	//lint:ignore SA1019 SendDefaultPII is deprecated but still honoured by the SDK when DataCollection is unset.
	return opts.SendDefaultPII
}

// fingerprintOf returns the event's grouping key: the record's own
// "fingerprint" field, else WithFingerprint's result, else the message and
// the type and text of the innermost error (texts parameterized: see
// parameterize).
func (b *Bridge) fingerprintOf(r *Record, n *normalized) []string {
	switch {
	case n.fingerprint != nil:
		return boundFingerprint(n.fingerprint)
	case len(n.userFingerprint) > 0:
		// The function's parts may be a record's text: they are redacted
		// like every other text that leaves the process.
		fp := make([]string, len(n.userFingerprint))
		for i, p := range n.userFingerprint {
			fp[i] = b.str(p)
		}
		return boundFingerprint(fp)
	}
	return boundFingerprint(b.defaultFingerprint(r, n))
}

// Bounds of an event's message (Sentry keeps 8192 characters of it) and of
// its fingerprint, which repeats the message by default: JSON bytes.
const (
	maxEventMessage    = 8 << 10
	maxFingerprintPart = 1 << 10
	maxFingerprint     = 4 << 10
)

// boundFingerprint cuts each part of fp to maxFingerprintPart and drops
// the parts past maxFingerprint in all. Records whose messages differ only
// past the first kilobyte group together.
func boundFingerprint(fp []string) []string {
	left, out, copied := maxFingerprint, fp, false
	for i, p := range fp {
		if c := truncateJSON(p, maxFingerprintPart); c != p {
			if !copied {
				out, copied = slices.Clone(fp), true // fp may be the caller's own slice
			}
			out[i], p = c, c
		}
		if left -= jsonStringLen(p) + 1; left < 0 {
			return out[:i]
		}
	}
	return out
}

func (b *Bridge) userFingerprint(f func(Record) []string, r *Record) (fp []string) {
	defer func() {
		if p := recover(); p != nil {
			b.reportError(fmt.Errorf("logsentry: fingerprint function panicked: %s", panicText(p)))
			fp = nil
		}
	}()
	return f(*r)
}

// defaultFingerprint is the message, then the innermost error's type and
// text, as Sentry's server groups an exception without a stack (type and
// value): most Go errors are *errors.errorString or syscall.Errno, and a
// handler that logs every failure as "request failed" must not make one
// issue (and one rate-limit bucket) of "db timeout" and "card declined".
// Texts are parameterized, so "order 1234: not found" is one group.
func (b *Bridge) defaultFingerprint(r *Record, n *normalized) []string {
	msg := groupText(b.str(r.Message))
	if n.err == nil {
		return []string{msg}
	}
	_, root := rootCause(n.err)
	text := groupText(b.str(b.shownText(root)))
	if msg == "" {
		return []string{errorType(root), text}
	}
	return []string{msg, errorType(root), text}
}

// jsonTime returns t, or the zero time when JSON cannot carry it (a year
// outside 0..9999 makes time.Time's MarshalJSON fail, and the SDK would then
// drop the whole event): the SDK stamps the capture time instead.
func jsonTime(t time.Time) time.Time {
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return t.UTC() // JSON (RFC 3339) cannot carry such a zone offset
	}
	return t
}
