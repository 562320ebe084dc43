package breadcrumbs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, sentrytest.LeakOptions...) }

const waitFor = sentrytest.WaitFor

// crumbs returns the breadcrumb messages of the event with message msg.
func crumbs(t *testing.T, evs []sentrytest.Event, msg string) []string {
	t.Helper()
	return sentrytest.BreadcrumbMessages(sentrytest.EventByMessage(t, evs, msg))
}

// traceID is the trace id of the event with message msg.
func traceID(t *testing.T, evs []sentrytest.Event, msg string) string {
	t.Helper()
	id, _ := sentrytest.EventByMessage(t, evs, msg).Contexts["trace"]["trace_id"].(string)
	if id == "" {
		t.Fatalf("%s: no trace id", msg)
	}
	return id
}

// incomingTrace is the trace id of the sentry-trace header that the
// requests of the trace tests carry (see serveTraced).
const incomingTrace = "771a43a4192642f0b136d5159a501700"

// serveTraced serves a GET of each path through h; the request for traced
// carries a sentry-trace header of incomingTrace.
func serveTraced(h http.Handler, paths []string, traced string) {
	for _, p := range paths {
		req := httptest.NewRequest("GET", p, nil)
		if p == traced {
			req.Header.Set(sentry.SentryTraceHeader, incomingTrace+"-b0e6f15b45c36b12-1")
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func crumb(msg string) *sentry.Breadcrumb {
	return breadcrumbs.New(sentry.LevelInfo, "test", msg, nil, time.Time{})
}

func TestType(t *testing.T) {
	tests := map[sentry.Level]string{
		sentry.LevelFatal:   "error",
		sentry.LevelError:   "error",
		sentry.LevelWarning: "default",
		sentry.LevelInfo:    "default",
		sentry.LevelDebug:   "debug",
		"":                  "default",
		"trace":             "default",
	}
	for level, want := range tests {
		if got := breadcrumbs.Type(level); got != want {
			t.Errorf("Type(%q) = %q, want %q", level, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	at := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	data := map[string]any{"k": 1}
	tests := []struct {
		name                  string
		level                 sentry.Level
		category, message     string
		data                  map[string]any
		t                     time.Time
		wantType, wantCatgory string
	}{
		{"defaults", sentry.LevelInfo, "", "m", nil, time.Time{}, "default", breadcrumbs.DefaultCategory},
		{"error with category", sentry.LevelError, "zap", "boom", data, at, "error", "zap"},
		{"debug", sentry.LevelDebug, "slog", "", nil, at, "debug", "slog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := breadcrumbs.New(tt.level, tt.category, tt.message, tt.data, tt.t)
			if b.Type != tt.wantType || b.Category != tt.wantCatgory || b.Message != tt.message || b.Level != tt.level ||
				!b.Timestamp.Equal(tt.t) || len(b.Data) != len(tt.data) {
				t.Errorf("New = %+v", b)
			}
		})
	}
	if breadcrumbs.DefaultCategory != "log" {
		t.Errorf("DefaultCategory = %q", breadcrumbs.DefaultCategory)
	}
}

func TestAdd(t *testing.T) {
	rcvCtx, hubCtx := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcvCur, hubCur := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hubCur.Client())
	ctx := sentry.SetHubOnContext(context.Background(), hubCtx)

	breadcrumbs.Add(ctx, crumb("on ctx hub"), nil)
	breadcrumbs.Add(context.Background(), crumb("on current hub"), nil)
	var nilCtx context.Context // Add accepts a nil context
	breadcrumbs.Add(nilCtx, crumb("nil ctx"), nil)
	breadcrumbs.Add(ctx, crumb("hinted"), &sentry.BreadcrumbHint{"k": "v"})

	hubCtx.CaptureMessage("ctx event")
	sentry.CurrentHub().CaptureMessage("current event")
	sentrytest.Flush(t, hubCtx)
	sentrytest.Flush(t, hubCur)
	if got := crumbs(t, rcvCtx.WaitEvents(t, 1, waitFor), "ctx event"); strings.Join(got, ",") != "on ctx hub,hinted" {
		t.Errorf("ctx hub breadcrumbs = %q", got)
	}
	if got := crumbs(t, rcvCur.WaitEvents(t, 1, waitFor), "current event"); strings.Join(got, ",") != "on current hub,nil ctx" {
		t.Errorf("current hub breadcrumbs = %q", got)
	}
}

func TestWithTrail(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	hub.Scope().SetTag("service", "api")
	hub.AddBreadcrumb(crumb("before the trail"), nil)
	parent := sentry.SetHubOnContext(context.Background(), hub)

	trail := breadcrumbs.WithTrail(parent)
	th := sentry.GetHubFromContext(trail)
	if th == nil || th == hub || th.Client() != hub.Client() {
		t.Fatalf("trail hub = %p (client %p), parent %p (client %p): want a clone with the same client", th, th.Client(), hub, hub.Client())
	}
	if trail.Value(struct{}{}) != nil || trail.Err() != nil {
		t.Error("trail context lost its parent")
	}
	breadcrumbs.Add(trail, crumb("on the trail"), nil)
	nested := breadcrumbs.WithTrail(trail)
	breadcrumbs.Add(nested, crumb("on the nested trail"), nil)

	hub.CaptureMessage("parent event")
	th.CaptureMessage("trail event")
	sentry.GetHubFromContext(nested).CaptureMessage("nested event")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	for msg, want := range map[string]string{
		"parent event": "before the trail",
		"trail event":  "before the trail,on the trail",
		"nested event": "before the trail,on the trail,on the nested trail",
	} {
		if got := strings.Join(crumbs(t, evs, msg), ","); got != want {
			t.Errorf("%s breadcrumbs = %q, want %q", msg, got, want)
		}
	}
	for _, ev := range evs {
		if ev.Tags["service"] != "api" {
			t.Errorf("%s: tags = %v, want the scope copied", ev.Message, ev.Tags)
		}
	}
	// A trail within a unit of work stays in its trace.
	parentTrace := traceID(t, evs, "parent event")
	for _, msg := range []string{"trail event", "nested event"} {
		if got := traceID(t, evs, msg); got != parentTrace {
			t.Errorf("%s trace %s, want the parent's %s", msg, got, parentTrace)
		}
	}
}

func TestWithTrailFromCurrentHub(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	// Logged outside any unit of work, or without its context.
	sentry.CurrentHub().AddBreadcrumb(crumb("shared"), nil)
	trail := breadcrumbs.WithTrail(context.Background())
	th := sentry.GetHubFromContext(trail)
	if th == nil || th == sentry.CurrentHub() || th.Client() != hub.Client() {
		t.Fatalf("trail hub %p, current %p", th, sentry.CurrentHub())
	}
	// The current hub on the context is the same as none.
	other := sentry.GetHubFromContext(breadcrumbs.WithTrail(sentry.SetHubOnContext(context.Background(), sentry.CurrentHub())))
	if other == sentry.CurrentHub() || other == th {
		t.Fatalf("trail of the current hub on a context = %p", other)
	}
	breadcrumbs.Add(trail, crumb("trail only"), nil)
	th.CaptureMessage("trail event")
	other.CaptureMessage("other trail event")
	sentry.CurrentHub().CaptureMessage("current event")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	if got := strings.Join(crumbs(t, evs, "current event"), ","); got != "shared" {
		t.Errorf("current hub breadcrumbs = %q, want only its own", got)
	}
	if got := crumbs(t, evs, "trail event"); strings.Join(got, ",") != "trail only" {
		t.Errorf("trail breadcrumbs = %q, want only the trail's", got)
	}
	if got := crumbs(t, evs, "other trail event"); len(got) != 0 {
		t.Errorf("other trail breadcrumbs = %q, want none", got)
	}
	// Each new unit of work has a trace of its own.
	a, b, c := traceID(t, evs, "trail event"), traceID(t, evs, "other trail event"), traceID(t, evs, "current event")
	if a == b || a == c || b == c {
		t.Errorf("trace ids: trail %s, other trail %s, current hub %s: want three", a, b, c)
	}
}

func TestMiddleware(t *testing.T) {
	t.Run("keeps an outer hub", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		var seen *sentry.Hub
		h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = sentry.GetHubFromContext(r.Context())
			seen.CaptureMessage("in handler")
		}))
		req := httptest.NewRequest(http.MethodPost, "http://svc.example/orders?id=7", nil)
		req = req.WithContext(sentry.SetHubOnContext(req.Context(), hub))
		h.ServeHTTP(httptest.NewRecorder(), req)
		if seen != hub {
			t.Errorf("handler hub = %p, want the outer hub %p", seen, hub)
		}
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		if ev.Request["method"] != http.MethodPost || !strings.HasPrefix(ev.Request["url"].(string), "http://svc.example/orders") {
			t.Errorf("request = %v", ev.Request)
		}
	})
	for _, tc := range []struct {
		name   string
		ctxHub bool
	}{{"clones the current hub", false}, {"clones the current hub found on the context", true}} {
		t.Run(tc.name, func(t *testing.T) {
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			sentrytest.BindCurrent(t, hub.Client())
			sentry.CurrentHub().Scope().SetTag("shared", "yes")
			sentry.CurrentHub().AddBreadcrumb(crumb("server started"), nil)
			var seen *sentry.Hub
			h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = sentry.GetHubFromContext(r.Context())
				breadcrumbs.Add(r.Context(), crumb("request step"), nil)
				seen.CaptureMessage("in handler")
			}))
			req := httptest.NewRequest(http.MethodGet, "http://svc.example/health", nil)
			if tc.ctxHub {
				req = req.WithContext(sentry.SetHubOnContext(req.Context(), sentry.CurrentHub()))
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if seen == nil || seen == sentry.CurrentHub() || seen.Client() != hub.Client() {
				t.Fatalf("handler hub = %p, want a clone of the current hub %p", seen, sentry.CurrentHub())
			}
			sentry.CurrentHub().CaptureMessage("outside")
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, 2, waitFor)
			if got := strings.Join(crumbs(t, evs, "outside"), ","); got != "server started" {
				t.Errorf("current hub breadcrumbs = %q, want only its own", got)
			}
			for _, ev := range evs {
				if ev.Message == "outside" && ev.Request != nil {
					t.Errorf("the current hub got the request: %v", ev.Request)
				}
				if ev.Message == "in handler" && (ev.Request["method"] != http.MethodGet || ev.Tags["shared"] != "yes") {
					t.Errorf("handler event request %v tags %v", ev.Request, ev.Tags)
				}
			}
			if got := strings.Join(crumbs(t, evs, "in handler"), ","); got != "request step" {
				t.Errorf("handler event breadcrumbs = %q, want the request's only", got)
			}
			if a, b := traceID(t, evs, "in handler"), traceID(t, evs, "outside"); a == b {
				t.Errorf("the request shares the process's trace %s", a)
			}
		})
	}
}

// TestMiddlewareTrace: each request has a trace of its own, or the one its
// sentry-trace header continues.
func TestMiddlewareTrace(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sentry.GetHubFromContext(r.Context()).CaptureMessage(r.URL.Path)
	}))
	const incoming = incomingTrace
	for _, path := range []string{"/one", "/two", "/continued", "/bad-baggage", "/bad-baggage-2", "/bad-baggage-trace"} {
		req := httptest.NewRequest(http.MethodGet, "http://svc.example"+path, nil)
		switch path {
		case "/continued":
			req.Header.Set(sentry.SentryTraceHeader, incoming+"-b0e6f15b45c36b12-1")
			req.Header.Set(sentry.SentryBaggageHeader, "sentry-trace_id="+incoming+",sentry-sample_rate=1")
		case "/bad-baggage", "/bad-baggage-2":
			req.Header.Set(sentry.SentryBaggageHeader, "not a baggage header")
		case "/bad-baggage-trace":
			req.Header.Set(sentry.SentryTraceHeader, incoming+"-b0e6f15b45c36b12-1")
			req.Header.Set(sentry.SentryBaggageHeader, "not a baggage header")
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 6, waitFor)
	one, two, continued := traceID(t, evs, "/one"), traceID(t, evs, "/two"), traceID(t, evs, "/continued")
	if one == two {
		t.Errorf("two requests share the trace %s", one)
	}
	if continued != incoming {
		t.Errorf("request with a sentry-trace header: trace %s, want %s", continued, incoming)
	}
	// A malformed baggage header is ignored, not turned into the zero trace.
	bad, bad2 := traceID(t, evs, "/bad-baggage"), traceID(t, evs, "/bad-baggage-2")
	if bad == bad2 || bad == strings.Repeat("0", 32) {
		t.Errorf("requests with a malformed baggage header: traces %s and %s", bad, bad2)
	}
	if got := traceID(t, evs, "/bad-baggage-trace"); got != incoming {
		t.Errorf("sentry-trace with a malformed baggage header: trace %s, want %s", got, incoming)
	}
}

// TestMiddlewareIsolation: two requests in flight at once each see only
// their own breadcrumbs.
func TestMiddlewareIsolation(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	var stepped sync.WaitGroup
	stepped.Add(2)
	h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		breadcrumbs.Add(r.Context(), crumb(name+" step"), nil)
		stepped.Done()
		stepped.Wait() // both requests have added their breadcrumb
		sentry.GetHubFromContext(r.Context()).CaptureMessage(name + " failed")
	}))
	var done sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		done.Add(1)
		go func() {
			defer done.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://svc.example/?name="+name, nil))
		}()
	}
	done.Wait()
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	for _, name := range []string{"a", "b"} {
		if got := crumbs(t, evs, name+" failed"); strings.Join(got, ",") != name+" step" {
			t.Errorf("request %s breadcrumbs = %q", name, got)
		}
	}
}

// TestTrailStaleSpan: a transaction started on sentry.CurrentHub (at
// start-up, with a context carrying no hub) stays the shared scope's span;
// trails cloned from it are not in its trace.
func TestTrailStaleSpan(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	sentrytest.BindCurrent(t, hub.Client())
	tx := sentry.StartTransaction(context.Background(), "warm cache") // on CurrentHub
	tx.Finish()
	stale := tx.TraceID.String()

	h := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sentry.GetHubFromContext(r.Context()).CaptureMessage("fail " + r.URL.Path)
	}))
	serveTraced(h, []string{"/one", "/two", "/continued"}, "/continued")
	sentry.GetHubFromContext(breadcrumbs.WithTrail(context.Background())).CaptureMessage("fail job")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 4, waitFor)
	one, two := traceID(t, evs, "fail /one"), traceID(t, evs, "fail /two")
	if one == two || one == stale {
		t.Errorf("requests in traces %s and %s, the start-up transaction's %s", one, two, stale)
	}
	if got := traceID(t, evs, "fail /continued"); got != incomingTrace {
		t.Errorf("/continued: trace %s, want the incoming %s", got, incomingTrace)
	}
	if got := traceID(t, evs, "fail job"); got == stale {
		t.Errorf("a WithTrail job in the start-up transaction's trace")
	}
}

// TestMiddlewareOuterHub: behind an outer middleware's hub (sentryhttp's,
// a clone of sentry.CurrentHub; or a program's own clone of its hub) the
// trail still starts at Middleware: no breadcrumbs from outside the
// request, and, with no span, the request's own trace.
func TestMiddlewareOuterHub(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	breadcrumbs.Add(context.Background(), crumb("outside any request"), nil) // on the shared scope
	inner := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		breadcrumbs.Add(r.Context(), crumb("step "+r.URL.Path), nil)
		sentry.GetHubFromContext(r.Context()).CaptureMessage("fail " + r.URL.Path)
	})
	ownClone := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(sentry.SetHubOnContext(r.Context(), hub.Clone())))
		})
	}
	srv := http.NewServeMux()
	srv.Handle("/sentryhttp", sentryhttp.New(sentryhttp.Options{}).Handle(breadcrumbs.Middleware(inner)))
	srv.Handle("/own/", ownClone(breadcrumbs.Middleware(breadcrumbs.Middleware(inner)))) // nested: one trail
	serveTraced(srv, []string{"/sentryhttp", "/own/a", "/own/b"}, "/own/b")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	for _, p := range []string{"/sentryhttp", "/own/a", "/own/b"} {
		if got := strings.Join(crumbs(t, evs, "fail "+p), ","); got != "step "+p {
			t.Errorf("%s: breadcrumbs %q, want only its own step", p, got)
		}
	}
	if a, b := traceID(t, evs, "fail /own/a"), traceID(t, evs, "fail /own/b"); a == b || b != incomingTrace {
		t.Errorf("traces /own/a %s, /own/b %s; want distinct, /own/b the incoming %s", a, b, incomingTrace)
	}
}
