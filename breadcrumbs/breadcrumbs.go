// Package breadcrumbs holds the breadcrumb vocabulary of logsentry and the
// per-request trails that keep breadcrumbs from leaking between concurrent
// requests or jobs.
//
// A breadcrumb is recorded on the scope of a hub. When every request shares
// one hub (sentry.CurrentHub), each request's breadcrumbs show up on every
// other request's events. [WithTrail] gives a context its own hub, cloned from
// the hub it would otherwise use, and [Middleware] does that for each HTTP
// request; records logged with that context (slog's InfoContext, logrus's
// WithContext, a zap field, a zerolog Ctx) then add their breadcrumbs to that
// trail only.
package breadcrumbs

import (
	"context"
	"net/http"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/trailhook"
)

// Type returns the breadcrumb type for a Sentry level: "error" for error and
// fatal, "debug" for debug, "default" otherwise. Sentry styles breadcrumbs by
// type.
func Type(l sentry.Level) string {
	switch l {
	case sentry.LevelError, sentry.LevelFatal:
		return "error"
	case sentry.LevelDebug:
		return "debug"
	default:
		return "default"
	}
}

// DefaultCategory is the category of a breadcrumb whose record has no logger
// name.
const DefaultCategory = "log"

// New returns the breadcrumb of a log record: its type follows level, its
// category is the logger name (or [DefaultCategory]), and data holds the
// record's fields. A zero t leaves the timestamp to the SDK.
func New(level sentry.Level, category, message string, data map[string]any, t time.Time) *sentry.Breadcrumb {
	if category == "" {
		category = DefaultCategory
	}
	return &sentry.Breadcrumb{
		Type:      Type(level),
		Category:  category,
		Message:   message,
		Data:      data,
		Level:     level,
		Timestamp: t,
	}
}

// Add records b on the hub of ctx, or on [sentry.CurrentHub] when ctx has
// none, through [sentry.Hub.AddBreadcrumb], so the client's BeforeBreadcrumb
// and MaxBreadcrumbs apply.
func Add(ctx context.Context, b *sentry.Breadcrumb, hint *sentry.BreadcrumbHint) {
	hub := sentry.CurrentHub()
	if ctx != nil {
		if h := sentry.GetHubFromContext(ctx); h != nil {
			hub = h
		}
	}
	hub.AddBreadcrumb(b, hint)
}

// WithTrail returns a context carrying a hub of its own, cloned from the hub
// of ctx (or from [sentry.CurrentHub]): the same client, a copy of the scope.
// Breadcrumbs recorded with the returned context, and events captured with
// it, stay on that trail: one request or job, one trail.
//
// An error logged through logsentry and also captured by hand on a trail
// (hub.CaptureException) is one event: whichever comes first is sent, and
// the trail's scope drops the capture that comes second (see the logsentry
// README, "One issue per failure").
//
// A trail cloned from [sentry.CurrentHub] is a new unit of work: it starts
// with no breadcrumbs (those on the shared scope come from outside any
// request, or from records logged without their request's context) and in
// a trace of its own, so that its events and logs are not joined to every
// other job's. A trail cloned from a hub on ctx (a job within a request)
// keeps that hub's breadcrumbs and trace.
func WithTrail(ctx context.Context) context.Context {
	t := trailhook.Trail{Hub: sentry.GetHubFromContext(ctx)}
	if t.Hub != nil && t.Hub != sentry.CurrentHub() {
		t.Hub = t.Hub.Clone()
		if parent, ok := trailhook.Of(ctx); ok {
			t.FromCurrent, t.Request = parent.FromCurrent, parent.Request // the clone keeps the scope's request
		}
	} else {
		t.Hub, t.FromCurrent = newTrail(), true
		t.Hub.Scope().SetPropagationContext(sentry.NewPropagationContext())
	}
	trailhook.Started(t.Hub, true)
	return trailhook.With(ctx, t)
}

// newTrail returns a clone of sentry.CurrentHub without its breadcrumbs and
// its span: both are left on the shared scope by work outside any request
// (a transaction started at start-up with a context that carries no hub
// stays the shared scope's span), and would put every trail in that trace.
func newTrail() *sentry.Hub {
	hub := sentry.CurrentHub().Clone()
	hub.Scope().ClearBreadcrumbs()
	hub.Scope().SetSpan(nil)
	return hub
}

// continueTrace puts hub in the trace of r's sentry-trace and baggage
// headers, or in a new trace when r has none.
func continueTrace(hub *sentry.Hub, r *http.Request) {
	trace, baggage := r.Header.Get(sentry.SentryTraceHeader), r.Header.Get(sentry.SentryBaggageHeader)
	if _, err := sentry.PropagationContextFromHeaders(trace, baggage); err != nil {
		// ContinueTrace would take the zero context of a malformed
		// baggage header: every such request in one trace, 0000….
		baggage = ""
	}
	sentry.ContinueTrace(hub, trace, baggage)
}

// Middleware returns an http.Handler that serves each request with its own
// trail (see [WithTrail]), so breadcrumbs of concurrent requests never mix.
// It also records the request on the trail's scope, as Sentry's HTTP
// integrations do, and continues the trace of the request's sentry-trace and
// baggage headers, or starts a new trace for the request when it has none.
//
// A hub that an outer middleware already put on the request's context is
// kept, on the assumption that it was made for this request (sentryhttp
// clones one per request and continues the trace), so that its panic
// capture sees the trail; only [sentry.CurrentHub] is cloned. The trail
// starts here all the same: the breadcrumbs the kept hub carries (a clone
// of sentry.CurrentHub carries those logged outside any request) are
// cleared, so put Middleware directly inside sentryhttp; and a kept hub
// without a span (tracing off) is put in the request's trace. A trail an
// outer Middleware made is kept as it is. Do not put one long-lived hub in
// http.Server.BaseContext: every request would share it. Where that cannot
// be helped, wrap handlers with [WithTrail] instead.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, ok := trailhook.Of(ctx); ok {
			next.ServeHTTP(w, r) // a trail already: an outer Middleware's
			return
		}
		hub := sentry.GetHubFromContext(ctx)
		fresh := hub == nil || hub == sentry.CurrentHub()
		if fresh {
			hub = newTrail()
			continueTrace(hub, r)
		} else {
			// An outer middleware's hub for this request: sentryhttp's (a
			// clone of sentry.CurrentHub, breadcrumbs included) or a clone
			// of the program's own hub. The trail starts here: the
			// breadcrumbs it carries are from outside the request. Without
			// a span of its own (tracing off, or no sentryhttp) it is also
			// put in the request's trace.
			hub.Scope().ClearBreadcrumbs()
			if hub.Scope().GetSpan() == nil {
				continueTrace(hub, r)
			}
		}
		r = r.WithContext(trailhook.With(ctx, trailhook.Trail{Hub: hub, FromCurrent: fresh, Request: true}))
		hub.Scope().SetRequest(r)
		trailhook.Started(hub, fresh)
		next.ServeHTTP(w, r)
	})
}
