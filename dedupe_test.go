package logsentry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

// TestDedupe: where deduplication applies and where it does not.
func TestDedupe(t *testing.T) {
	wrapped := func() error { return fmt.Errorf("load: %w", errors.New("disk")) }
	tests := []struct {
		name       string
		opts       []logsentry.Option
		configured bool // the hub comes from WithHub, not from the context
		first      error
		second     func(first error) error
		fatal      bool
		wantEvents int
	}{
		{"the same wrapper", nil, false, wrapped(), func(e error) error { return e }, false, 1},
		{"wrapped again", nil, false, wrapped(), func(e error) error { return fmt.Errorf("handler: %w", e) }, false, 1},
		{"joined with another: maybe a new failure", nil, false, wrapped(), func(e error) error { return errors.Join(errors.New("x"), e) }, false, 2},
		{"two failures wrapping one package-level wrapper", nil, false, fmt.Errorf("user 1: %w", errPackageWrapper),
			func(error) error { return fmt.Errorf("order 2: %w", errPackageWrapper) }, false, 2},
		{"a pkg/errors package-level error wrapped twice", nil, false, fmt.Errorf("a: %w", errPackageStack),
			func(error) error { return fmt.Errorf("b: %w", errPackageStack) }, false, 2},
		{"a value error that joins itself", nil, false, loopMulti{}, func(e error) error { return e }, false, 2},
		{"a pkg/errors root (carries a stack)", nil, false, pkgerrors.New("boom"), func(e error) error { return pkgerrors.Wrap(e, "up") }, false, 1},
		{"a sentinel root", nil, false, errSentinelRoot, func(e error) error { return fmt.Errorf("again: %w", e) }, false, 2},
		{"a pkg/errors sentinel (a stack made at init), then a failure wrapping it", nil, false, errPackageStack,
			func(e error) error { return fmt.Errorf("order 2: %w", e) }, false, 2},
		{"a pkg/errors error made at run time by a closure of a package variable", nil, false, newPackageClosureErr(),
			func(e error) error { return fmt.Errorf("up: %w", e) }, false, 1},
		{"another wrapper of the same text", nil, false, wrapped(), func(error) error { return wrapped() }, false, 2},
		{"fatal is never left out", nil, false, wrapped(), func(e error) error { return e }, true, 2},
		{"configured hub: shared, not deduplicated", nil, true, wrapped(), func(e error) error { return e }, false, 2},
		{"WithoutDedupe", []logsentry.Option{logsentry.WithoutDedupe()}, false, wrapped(), func(e error) error { return e }, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			ctx := sentrytest.HubContext(hub)
			opts := tt.opts
			if tt.configured {
				ctx, opts = context.Background(), append(opts, logsentry.WithHub(hub))
			}
			b := logsentry.New(append(opts, logsentry.WithFlushTimeout(0))...)
			b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "first", Err: tt.first})
			second := logsentry.SeverityError
			if tt.fatal {
				second = logsentry.SeverityFatal
			}
			b.Emit(ctx, logsentry.Record{Severity: second, Message: "second", Err: tt.second(tt.first)})
			b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "third, unrelated"})
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, tt.wantEvents+1, waitFor)
			if len(evs) != tt.wantEvents+1 {
				t.Fatalf("%d events, want %d and the unrelated one", len(evs), tt.wantEvents)
			}
			st := b.Stats()
			if want := uint64(2 - tt.wantEvents); st.EventsDeduplicated != want {
				t.Errorf("Stats.EventsDeduplicated = %d, want %d", st.EventsDeduplicated, want)
			}
			if tt.wantEvents == 1 {
				// The record left out is still on the trail.
				last := sentrytest.EventByMessage(t, evs, "third, unrelated")
				if n := len(last.Breadcrumbs); n != 2 || last.Breadcrumbs[1].Message != "second" {
					t.Errorf("breadcrumbs of the next event: %+v", last.Breadcrumbs)
				}
			}
		})
	}
}

var (
	errSentinelRoot   = errors.New("not found")
	errPackageWrapper = fmt.Errorf("repo: %w", errSentinelRoot)
	errPackageStack   = pkgerrors.New("made at init")
)

// loopMulti joins itself: a walk into it without a budget never ends.
type loopMulti struct{}

func (loopMulti) Error() string     { return "loop" }
func (m loopMulti) Unwrap() []error { return []error{m, m} }

// TestDedupeNotSent: an event the SDK dropped (BeforeSend) does not make a
// later record of the same error a duplicate; nor does a hub that is the
// configured one, on the context too.
func TestDedupeNotSent(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{BeforeSend: func(ev *sentry.Event, _ *sentry.EventHint) *sentry.Event {
		if ev.Message == "dropped" {
			return nil
		}
		return ev
	}})
	ctx := sentrytest.HubContext(hub)
	b := logsentry.New()
	err := fmt.Errorf("q: %w", errSentinelRoot)
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "dropped", Err: err})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "kept", Err: fmt.Errorf("up: %w", err)})

	configured := logsentry.New(logsentry.WithHub(hub))
	err2 := fmt.Errorf("q2: %w", errSentinelRoot)
	configured.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "configured 1", Err: err2})
	configured.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "configured 2", Err: err2})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	if len(evs) != 3 || b.Stats().EventsDeduplicated != 0 || configured.Stats().EventsDeduplicated != 0 {
		t.Errorf("%d events, deduplicated %d and %d; want 3, 0, 0", len(evs),
			b.Stats().EventsDeduplicated, configured.Stats().EventsDeduplicated)
	}
}

// TestDedupeInsideWithScope: a record logged inside hub.WithScope and its
// caller's record outside are one request; another request's hub is not.
func TestDedupeInsideWithScope(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New()
	ctx := sentrytest.HubContext(hub)
	var err error
	hub.WithScope(func(*sentry.Scope) {
		err = fmt.Errorf("q: %w", errSentinelRoot)
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "inside", Err: err})
	})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "outside", Err: fmt.Errorf("up: %w", err)})
	other := sentrytest.HubContext(hub.Clone())
	b.Emit(other, logsentry.Record{Severity: logsentry.SeverityError, Message: "another request", Err: err})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if len(evs) != 2 || b.Stats().EventsDeduplicated != 1 {
		t.Errorf("%d events, %d deduplicated; want 2 (inside, another request) and 1", len(evs), b.Stats().EventsDeduplicated)
	}
}

// TestDedupeUnderLoad: many other requests' failures between a failure and
// its second log do not make it a second event (one table of 64 for all
// requests let them push it out).
func TestDedupeUnderLoad(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithEventRate(0, 0), logsentry.WithBreadcrumbSeverity(logsentry.SeverityOff))
	ctx := sentrytest.HubContext(hub)
	err := fmt.Errorf("query: %w", errors.New("timeout"))
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "query failed", Err: err})
	const others = 200
	for i := range others {
		other := sentrytest.HubContext(hub.Clone()) // another request on the same client
		b.Emit(other, logsentry.Record{Severity: logsentry.SeverityError, Message: "other", Err: fmt.Errorf("req %d: %w", i, errors.New("x"))})
	}
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "request failed", Err: fmt.Errorf("handler: %w", err)})
	sentrytest.Flush(t, hub)
	if evs := rcv.Events(); len(sentrytest.Messages(evs)) == 0 {
		t.Fatal("no event received")
	}
	if st := b.Stats(); st.EventsDeduplicated != 1 || st.Events != others+1 {
		t.Errorf("Stats = %+v, want %d events and 1 deduplicated", st, others+1)
	}
}

// TestDedupeAcrossBridges: a failure logged through one Bridge and again
// through another (two loggers, each with its own handler) in one request
// is one event.
func TestDedupeAcrossBridges(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx := sentrytest.HubContext(hub)
	repo, api := logsentry.New(), logsentry.New()
	err := fmt.Errorf("query: %w", errors.New("timeout"))
	repo.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "query failed", Err: err})
	api.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "request failed", Err: fmt.Errorf("handler: %w", err)})
	api.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "unrelated"})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	msgs := sentrytest.Messages(evs)
	slices.Sort(msgs)
	if got := strings.Join(msgs, ","); got != "query failed,unrelated" {
		t.Errorf("events %s, want query failed and unrelated", got)
	}
	if n := api.Stats().EventsDeduplicated; n != 1 {
		t.Errorf("EventsDeduplicated = %d, want 1", n)
	}
}

// TestDedupeOnlyErrorLevel: a record above SeverityError (zap's DPanic,
// after which a development logger panics) is never left out, so its
// event goes out and an adapter that flushes after what it sent flushes.
func TestDedupeOnlyErrorLevel(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx := sentrytest.HubContext(hub)
	b := logsentry.New()
	err := fmt.Errorf("load cart: %w", errors.New("gone"))
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "cart failed", Err: err})
	done := b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError + 1, Message: "cart invariant broken", Err: err})
	if done&logsentry.SinkEvent == 0 {
		t.Errorf("Emit = %v, want the event sent", done)
	}
	sentrytest.Flush(t, hub)
	if evs := rcv.WaitEvents(t, 2, waitFor); len(evs) != 2 {
		t.Errorf("%d events, want 2", len(evs))
	}
}

// newPackageClosureErr is a closure in a package variable (named like an
// initializer, pkg.init.func1) that makes a new error with a stack on each
// call, at run time.
var newPackageClosureErr = func() error { return pkgerrors.New("made per call") }

// TestDedupeByHandEdges: on a watched trail, a fatal record whose error was
// captured by hand still sends its event, as does a fatal event captured by
// hand after the error was logged; a hub an outer middleware put on the
// request (sentryhttp's) is watched too; a trail in a job of a request sees
// the request's failures.
func TestDedupeByHandEdges(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New()
	base := sentrytest.HubContext(hub)

	req := breadcrumbs.WithTrail(base)
	err := fmt.Errorf("q: %w", errSentinelRoot)
	if sentry.GetHubFromContext(req).CaptureException(err) == nil {
		t.Fatal("capture by hand: no event")
	}
	b.Emit(req, logsentry.Record{Severity: logsentry.SeverityFatal, Message: "fatal after capture", Err: err})

	req = breadcrumbs.WithTrail(base)
	err = fmt.Errorf("q: %w", errSentinelRoot)
	b.Emit(req, logsentry.Record{Severity: logsentry.SeverityError, Message: "logged", Err: err})
	fatal := sentry.NewEvent()
	fatal.Level, fatal.Message = sentry.LevelFatal, "fatal by hand"
	if sentry.GetHubFromContext(req).CaptureEvent(fatal) == nil {
		t.Error("a fatal event captured by hand after the error was logged: dropped")
	}
	job := breadcrumbs.WithTrail(req) // a job of the request
	if sentry.GetHubFromContext(job).CaptureException(fmt.Errorf("job: %w", err)) != nil {
		t.Error("a job of the request captured the request's failure: sent again")
	}

	// sentryhttp clones a hub per request before breadcrumbs.Middleware.
	outer := hub.Clone()
	var inner error
	h := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		inner = fmt.Errorf("handler: %w", errSentinelRoot)
		b.Emit(r.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "in middleware", Err: inner})
		if id := sentry.GetHubFromContext(r.Context()).CaptureException(inner); id != nil {
			t.Error("captured by hand behind an outer middleware's hub: sent again")
		}
	}))
	r := httptest.NewRequest("GET", "/", nil)
	h.ServeHTTP(httptest.NewRecorder(), r.WithContext(sentry.SetHubOnContext(r.Context(), outer)))

	sentrytest.Flush(t, hub)
	got := sentrytest.Messages(rcv.WaitEvents(t, 5, waitFor))
	slices.Sort(got)
	want := []string{"", "fatal after capture", "fatal by hand", "in middleware", "logged"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestDedupeByHandTwice: events captured by hand never drop one another,
// as in sentry-go: the same error captured again in a scope with its own
// fingerprint, or on a clone bound to another project's client, is sent.
func TestDedupeByHandTwice(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv2, hub2 := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	h := sentry.GetHubFromContext(breadcrumbs.WithTrail(sentrytest.HubContext(hub)))
	err := fmt.Errorf("charge: %w", errors.New("card declined"))
	ids := []*sentry.EventID{h.CaptureException(err)}
	other := h.Clone()
	other.BindClient(hub2.Client())
	ids = append(ids, other.CaptureException(err))
	h.WithScope(func(s *sentry.Scope) {
		s.SetFingerprint([]string{"payments", "declined"})
		ids = append(ids, h.CaptureException(err))
	})
	for i, id := range ids {
		if id == nil {
			t.Errorf("capture by hand %d dropped", i+1)
		}
	}
	sentrytest.Flush(t, hub)
	sentrytest.Flush(t, hub2)
	if n, n2 := len(rcv.WaitEvents(t, 2, waitFor)), len(rcv2.WaitEvents(t, 1, waitFor)); n != 2 || n2 != 1 {
		t.Errorf("%d and %d events, want 2 and 1", n, n2)
	}
}
