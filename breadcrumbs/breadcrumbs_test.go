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
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = sentrytest.WaitFor

// crumbs returns the breadcrumb messages of the event with message msg.
func crumbs(t *testing.T, evs []sentrytest.Event, msg string) []string {
	t.Helper()
	return sentrytest.BreadcrumbMessages(sentrytest.EventByMessage(t, evs, msg))
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
}

func TestWithTrailFromCurrentHub(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	trail := breadcrumbs.WithTrail(context.Background())
	th := sentry.GetHubFromContext(trail)
	if th == nil || th == sentry.CurrentHub() || th.Client() != hub.Client() {
		t.Fatalf("trail hub %p, current %p", th, sentry.CurrentHub())
	}
	breadcrumbs.Add(trail, crumb("trail only"), nil)
	th.CaptureMessage("trail event")
	sentry.CurrentHub().CaptureMessage("current event")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if got := crumbs(t, evs, "current event"); len(got) != 0 {
		t.Errorf("current hub got the trail's breadcrumbs: %q", got)
	}
	if got := crumbs(t, evs, "trail event"); strings.Join(got, ",") != "trail only" {
		t.Errorf("trail breadcrumbs = %q", got)
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
			if got := crumbs(t, evs, "outside"); len(got) != 0 {
				t.Errorf("the current hub got the request's breadcrumbs %q", got)
			}
			for _, ev := range evs {
				if ev.Message == "outside" && ev.Request != nil {
					t.Errorf("the current hub got the request: %v", ev.Request)
				}
				if ev.Message == "in handler" && (ev.Request["method"] != http.MethodGet || ev.Tags["shared"] != "yes") {
					t.Errorf("handler event request %v tags %v", ev.Request, ev.Tags)
				}
			}
		})
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
