package logsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

const (
	ev  = logsentry.SinkEvent
	bc  = logsentry.SinkBreadcrumb
	lg  = logsentry.SinkLog
	off = logsentry.SeverityOff
)

func TestSinks(t *testing.T) {
	tests := []struct {
		name              string
		event, crumb, log logsentry.Severity // thresholds
		want              map[logsentry.Severity]logsentry.Sinks
	}{
		{"defaults", logsentry.SeverityError, logsentry.SeverityInfo, off, map[logsentry.Severity]logsentry.Sinks{
			0: 0, 1: 0, 8: 0, 9: bc, 12: bc, 16: bc, 17: ev | bc, 21: ev | bc, 24: ev | bc, 100: ev | bc,
		}},
		{"all at trace", 1, 1, 1, map[logsentry.Severity]logsentry.Sinks{
			0: 0, 1: ev | bc | lg, 24: ev | bc | lg,
		}},
		{"logs from debug, events off", off, logsentry.SeverityWarn, logsentry.SeverityDebug, map[logsentry.Severity]logsentry.Sinks{
			4: 0, 5: lg, 12: lg, 13: bc | lg, 24: bc | lg,
		}},
		{"events below breadcrumbs", logsentry.SeverityInfo, logsentry.SeverityError, off, map[logsentry.Severity]logsentry.Sinks{
			8: 0, 9: ev, 17: ev | bc,
		}},
		{"custom severities", 10, 14, 18, map[logsentry.Severity]logsentry.Sinks{
			9: 0, 10: ev, 13: ev, 14: ev | bc, 17: ev | bc, 18: ev | bc | lg,
		}},
		{"all off", off, off, off, map[logsentry.Severity]logsentry.Sinks{
			-1: 0, 0: 0, 1: 0, 9: 0, 17: 0, 21: 0, 24: 0, 1000: 0,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := logsentry.New(
				logsentry.WithEventSeverity(tt.event),
				logsentry.WithBreadcrumbSeverity(tt.crumb),
				logsentry.WithLogSeverity(tt.log),
			)
			for s, want := range tt.want {
				if got := b.Sinks(s); got != want {
					t.Errorf("Sinks(%d) = %03b, want %03b", int(s), got, want)
				}
				if got := b.Enabled(s); got != (want != 0) {
					t.Errorf("Enabled(%d) = %v, want %v", int(s), got, want != 0)
				}
			}
		})
	}
}

// TestSeverityOffRecord: SeverityOff is a threshold no record reaches, even
// a record whose severity is itself SeverityOff (slogsentry maps
// slog.Level(math.MaxInt), its LevelOff, to it).
func TestSeverityOffRecord(t *testing.T) {
	b := logsentry.New(logsentry.WithEventSeverity(off), logsentry.WithBreadcrumbSeverity(off))
	if got := b.Sinks(off); got != logsentry.SinkNone {
		t.Errorf("Sinks(SeverityOff) = %03b with every output off, want none", got)
	}
	if b.Enabled(off) {
		t.Error("Enabled(SeverityOff) = true with every output off")
	}
	b = logsentry.New(logsentry.WithEventSeverity(off))
	if got := b.Sinks(off); got&ev != 0 {
		t.Errorf("Sinks(SeverityOff) = %03b with events off, want no event", got)
	}
}

func TestDefaults(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	for _, s := range []logsentry.Severity{logsentry.SeverityTrace, logsentry.SeverityDebug, logsentry.SeverityInfo, logsentry.SeverityWarn, logsentry.SeverityError} {
		b.Emit(nilCtx, logsentry.Record{Severity: s, Message: s.String()})
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 1, waitFor)
	if len(evs) != 1 || evs[0].Message != "ERROR" {
		t.Fatalf("events = %+v, want only the ERROR record", evs)
	}
	var crumbs []string
	for _, c := range evs[0].Breadcrumbs {
		crumbs = append(crumbs, c.Message)
	}
	if jsonOf(t, crumbs) != `["INFO","WARN"]` {
		t.Errorf("breadcrumbs of the event = %q, want INFO and WARN (not the event's own record)", crumbs)
	}
	if n := len(rcv.Logs()); n != 0 {
		t.Errorf("got %d logs, Sentry Logs are off by default", n)
	}
}

func TestFilter(t *testing.T) {
	type call struct {
		sev   logsentry.Severity
		sinks logsentry.Sinks
	}
	tests := []struct {
		name    string
		filter  func(logsentry.Record, logsentry.Sinks) logsentry.Sinks
		sev     logsentry.Severity
		events  int
		crumbed bool // the record is a breadcrumb on a later event
		logs    int
		handled string // text the error handler is told, if any
	}{
		{"keep", func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks { return s },
			logsentry.SeverityError, 1, true, 0, ""},
		{"drop", func(logsentry.Record, logsentry.Sinks) logsentry.Sinks { return logsentry.SinkNone },
			logsentry.SeverityError, 0, false, 0, ""},
		{"demote event to breadcrumb", func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks { return s &^ ev },
			logsentry.SeverityError, 0, true, 0, ""},
		{"promote to log", func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks { return s | lg },
			logsentry.SeverityInfo, 0, true, 1, ""},
		{"promote breadcrumb to event", func(logsentry.Record, logsentry.Sinks) logsentry.Sinks { return ev },
			logsentry.SeverityInfo, 1, false, 0, ""},
		{"panicking filter keeps the default sinks", func(logsentry.Record, logsentry.Sinks) logsentry.Sinks { panic("boom") },
			logsentry.SeverityError, 1, true, 0, "filter panicked: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			var rec recorder
			var calls []call
			b := logsentry.New(logsentry.WithHub(hub), logsentry.WithErrorHandler(rec.handle),
				logsentry.WithFilter(func(r logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
					if r.Message == "filtered" {
						calls = append(calls, call{r.Severity, s})
						return tt.filter(r, s)
					}
					return s
				}))
			b.Emit(context.Background(), logsentry.Record{Severity: tt.sev, Message: "filtered", Attrs: []slog.Attr{slog.Int("n", 1)}})
			b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "probe"})
			sentrytest.Flush(t, hub)
			rcv.WaitEvents(t, tt.events+1, waitFor)
			time.Sleep(50 * time.Millisecond) // nothing more arrives
			evs := rcv.Events()
			if len(evs) != tt.events+1 {
				t.Fatalf("got %d events, want %d", len(evs), tt.events+1)
			}
			probe := sentrytest.EventByMessage(t, evs, "probe")
			crumbed := false
			for _, c := range probe.Breadcrumbs {
				crumbed = crumbed || c.Message == "filtered"
			}
			if crumbed != tt.crumbed {
				t.Errorf("record on the next event's breadcrumbs: %v, want %v", crumbed, tt.crumbed)
			}
			if tt.logs > 0 {
				l := sentrytest.LogByBody(t, rcv.WaitLogs(t, tt.logs, waitFor), "filtered")
				if n, ok := l.Attributes["n"].Int(); !ok || n != 1 {
					t.Errorf("log attribute n = %#v", l.Attributes["n"])
				}
			} else if n := len(rcv.Logs()); n != 0 {
				t.Errorf("got %d logs, want none", n)
			}
			if len(calls) != 1 || calls[0].sev != tt.sev || calls[0].sinks != b.Sinks(tt.sev) {
				t.Errorf("filter calls = %+v, want one with severity %d and sinks %03b", calls, tt.sev, b.Sinks(tt.sev))
			}
			if tt.handled == "" && len(rec.all()) > 0 {
				t.Errorf("error handler told %v", rec.all())
			}
			if tt.handled != "" && !rec.contains(tt.handled) {
				t.Errorf("error handler told %v, want %q", rec.all(), tt.handled)
			}
		})
	}
}

// TestFilterNotCalledBelowThresholds: the filter runs only for records some
// output would take.
func TestFilterNotCalledBelowThresholds(t *testing.T) {
	_, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	var n atomic.Int32
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithFilter(func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
		n.Add(1)
		return s
	}))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityDebug, Message: "below"})
	if n.Load() != 0 {
		t.Errorf("filter called %d times for a record below every threshold", n.Load())
	}
}

func TestHubResolution(t *testing.T) {
	rcvCtx, hubCtxHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcvOpt, hubOpt := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcvCur, hubCur := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hubCur.Client())

	withHub := logsentry.New(logsentry.WithHub(hubOpt))
	plain := logsentry.New()
	nilHub := logsentry.New(logsentry.WithHub(nil))
	ctx := sentrytest.HubContext(hubCtxHub)
	tests := []struct {
		name string
		b    *logsentry.Bridge
		ctx  context.Context
		want *sentrytest.Receiver
		hub  *sentry.Hub
	}{
		{"ctx hub beats WithHub", withHub, ctx, rcvCtx, hubCtxHub},
		{"ctx hub beats CurrentHub", plain, ctx, rcvCtx, hubCtxHub},
		{"WithHub without ctx hub", withHub, context.Background(), rcvOpt, hubOpt},
		{"WithHub with nil ctx", withHub, nilCtx, rcvOpt, hubOpt},
		{"CurrentHub", plain, context.Background(), rcvCur, sentry.CurrentHub()},
		{"CurrentHub with nil ctx", plain, nilCtx, rcvCur, sentry.CurrentHub()},
		{"WithHub(nil) is CurrentHub", nilHub, context.Background(), rcvCur, sentry.CurrentHub()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Hub(tt.ctx); got != tt.hub {
				t.Errorf("Hub() = %p, want %p", got, tt.hub)
			}
			tt.b.Emit(tt.ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: tt.name})
		})
	}
	for _, h := range []*sentry.Hub{hubCtxHub, hubOpt, hubCur} {
		sentrytest.Flush(t, h)
	}
	for _, tt := range tests {
		t.Run(tt.name+"/received", func(t *testing.T) {
			sentrytest.EventByMessage(t, tt.want.Events(), tt.name)
			for _, r := range []*sentrytest.Receiver{rcvCtx, rcvOpt, rcvCur} {
				if r == tt.want {
					continue
				}
				for _, e := range r.Events() {
					if e.Message == tt.name {
						t.Errorf("event also reached another receiver")
					}
				}
			}
		})
	}
}

// TestHubLookedUpPerRecord: a client bound to CurrentHub after New is used.
func TestHubLookedUpPerRecord(t *testing.T) {
	b := logsentry.New()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "late bind"})
	sentrytest.Flush(t, hub)
	sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "late bind")
}

func TestDisabledClient(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	hubs := map[string]*sentry.Hub{
		"nil client":  sentry.NewHub(nil, sentry.NewScope()),
		"noop client": sentry.NewHub(sentry.NewNoopClient(), sentry.NewScope()),
	}
	for name, hub := range hubs {
		t.Run(name, func(t *testing.T) {
			var called atomic.Int32
			b := logsentry.New(logsentry.WithHub(hub), logsentry.WithLogSeverity(logsentry.SeverityTrace),
				logsentry.WithFilter(func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks { called.Add(1); return s }),
				logsentry.WithFlushTimeout(10*time.Second))
			start := time.Now()
			for _, s := range []logsentry.Severity{logsentry.SeverityInfo, logsentry.SeverityError, logsentry.SeverityFatal} {
				b.Emit(context.Background(), logsentry.Record{Severity: s, Message: "x", Err: errors.New("e")})
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Emit on a disabled client took %v", d)
			}
			if called.Load() != 0 {
				t.Errorf("filter called %d times for a disabled client", called.Load())
			}
			if err := b.Flush(context.Background()); err != nil {
				t.Errorf("Flush = %v, want nil for a disabled client", err)
			}
			if got := b.Stats(); got != (logsentry.Stats{}) {
				t.Errorf("Stats = %+v, want zero", got)
			}
		})
	}
	if rcv.Requests() != 0 {
		t.Errorf("receiver got %d requests", rcv.Requests())
	}
}

func TestFatalFlushedBeforeEmitReturns(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithLogSeverity(logsentry.SeverityInfo))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityFatal, Level: "FATAL", Message: "dying"})
	// No Flush, no wait: the event and the log are already there.
	evs := rcv.Events()
	if len(evs) != 1 || evs[0].Message != "dying" || evs[0].Level != "fatal" {
		t.Fatalf("events right after Emit = %+v, want the fatal event", evs)
	}
	if logs := rcv.Logs(); len(logs) != 1 || logs[0].Body != "dying" || logs[0].Level != "fatal" {
		t.Errorf("logs right after Emit = %+v, want the fatal log", logs)
	}
	if _, crashed := threadOf(t, evs[0]); !crashed {
		t.Errorf("the fatal event's thread is not marked crashed: %s", evs[0].Raw)
	}
}

func TestFatalFlushBounded(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv.SetDelay(10 * time.Second)
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithFlushTimeout(200*time.Millisecond))
	start := time.Now()
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityFatal, Message: "dying slowly"})
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("fatal Emit took %v, want about the 200ms flush timeout", d)
	}
	start = time.Now()
	b = logsentry.New(logsentry.WithHub(hub), logsentry.WithFlushTimeout(0))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityFatal, Message: "no flush"})
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("fatal Emit with WithFlushTimeout(0) took %v, want no flush", d)
	}
}

// TestFatalNotFlushedForBreadcrumbOnly: a fatal record that only becomes a
// breadcrumb sends nothing, so there is nothing to wait for.
func TestFatalNotFlushedForBreadcrumbOnly(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv.SetDelay(10 * time.Second)
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "in flight"})
	b = logsentry.New(logsentry.WithHub(hub), logsentry.WithEventSeverity(off))
	start := time.Now()
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityFatal, Message: "crumb"})
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("breadcrumb-only fatal Emit took %v", d)
	}
}

func TestFlush(t *testing.T) {
	t.Run("sent", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		b := logsentry.New(logsentry.WithHub(hub))
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "flushed"})
		if err := b.Flush(context.Background()); err != nil {
			t.Fatalf("Flush = %v", err)
		}
		if evs := rcv.Events(); len(evs) != 1 {
			t.Errorf("events after Flush = %d, want 1", len(evs))
		}
	})
	t.Run("ctx hub", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		b := logsentry.New()
		b.Emit(sentrytest.HubContext(hub), logsentry.Record{Severity: logsentry.SeverityError, Message: "flushed"})
		if err := b.Flush(sentrytest.HubContext(hub)); err != nil {
			t.Fatalf("Flush = %v", err)
		}
		if evs := rcv.Events(); len(evs) != 1 {
			t.Errorf("events after Flush = %d, want 1", len(evs))
		}
	})
	t.Run("ctx deadline", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		rcv.SetDelay(10 * time.Second)
		b := logsentry.New(logsentry.WithHub(hub))
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "stuck"})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := b.Flush(ctx); !errors.Is(err, logsentry.ErrFlushTimeout) {
			t.Errorf("Flush = %v, want ErrFlushTimeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Flush took %v", d)
		}
	})
	t.Run("flush timeout bounds a ctx without deadline", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		rcv.SetDelay(10 * time.Second)
		b := logsentry.New(logsentry.WithHub(hub), logsentry.WithFlushTimeout(100*time.Millisecond))
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "stuck"})
		start := time.Now()
		if err := b.Flush(nilCtx); !errors.Is(err, logsentry.ErrFlushTimeout) {
			t.Errorf("Flush = %v, want ErrFlushTimeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Flush took %v", d)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		b := logsentry.New(logsentry.WithHub(sentry.NewHub(nil, sentry.NewScope())))
		if err := b.Flush(context.Background()); err != nil {
			t.Errorf("Flush = %v, want nil", err)
		}
	})
}

// TestEmitSurvivesServerErrors: a failing Sentry costs the caller nothing.
func TestEmitSurvivesServerErrors(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv.SetStatus(http.StatusInternalServerError, nil)
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	start := time.Now()
	for range 20 {
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "x"})
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("20 Emits took %v", d)
	}
}

// TestEmitReturnsWhatWasSent: Emit reports the outputs a record was handed
// to, so an adapter can flush only when something went out.
func TestEmitReturnsWhatWasSent(t *testing.T) {
	_, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{
		BeforeSend: func(ev *sentry.Event, _ *sentry.EventHint) *sentry.Event {
			if ev.Message == "dropped by BeforeSend" {
				return nil
			}
			return ev
		},
	})
	ctx := sentrytest.HubContext(hub)
	b := logsentry.New(logsentry.WithEventRate(1e-9, 1), logsentry.WithLogSeverity(logsentry.SeverityWarn))
	root := errors.New("gone")
	err := &wrapped{root} // made per failure: deduplicated when logged again
	crumb, log := bc, lg
	for _, tt := range []struct {
		sev  logsentry.Severity
		msg  string
		err  error
		want logsentry.Sinks
	}{
		{logsentry.SeverityDebug, "below every threshold", nil, logsentry.SinkNone},
		{logsentry.SeverityInfo, "info", nil, crumb},
		{logsentry.SeverityWarn, "warn", nil, crumb | log},
		{logsentry.SeverityError, "first", err, ev | crumb | log},
		{logsentry.SeverityError, "again, up the stack", err, crumb | log}, // deduplicated
		{logsentry.SeverityError, "first", &wrapped{root}, log},            // rate limited: no breadcrumb of a storm
		{logsentry.SeverityError, "dropped by BeforeSend", nil, crumb | log},
	} {
		r := logsentry.Record{Severity: tt.sev, Message: tt.msg, Err: tt.err}
		if got := b.Emit(ctx, r); got != tt.want {
			t.Errorf("Emit(%q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
	disabled := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
	if got := b.Emit(disabled, logsentry.Record{Severity: logsentry.SeverityError, Message: "disabled"}); got != logsentry.SinkNone {
		t.Errorf("Emit on a disabled client = %v, want none", got)
	}
}

// wrapped is an error that wraps another, as fmt.Errorf's %w does.
type wrapped struct{ error }

func (w wrapped) Unwrap() error { return w.error }

// TestLastEventID: the hub's LastEventID is the record's event, for a
// record without a request field or a child span (see the README).
func TestLastEventID(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New()
	b.Emit(sentrytest.HubContext(hub), logsentry.Record{Severity: logsentry.SeverityError, Message: "first"})
	b.Emit(sentrytest.HubContext(hub), logsentry.Record{Severity: logsentry.SeverityError, Message: "second"})
	sentrytest.Flush(t, hub)
	ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 2, waitFor), "second")
	if got := string(hub.LastEventID()); got == "" || got != ev.EventID {
		t.Errorf("LastEventID = %q, want the second event's %q", got, ev.EventID)
	}
}

// TestLastEventIDWithRequest: on a trail of breadcrumbs.Middleware, whose
// scope holds the request, a record with an *http.Request field is
// captured on the request's hub too: its LastEventID is the record's event
// (what an error page shows as the reference), and the event's request is
// the scope's.
func TestLastEventIDWithRequest(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client())
	b := logsentry.New()
	var last sentry.EventID
	h := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b.Emit(r.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "with request",
			Attrs: []slog.Attr{slog.Any("req", r)}})
		last = sentry.GetHubFromContext(r.Context()).LastEventID()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/orders/7", nil))
	sentrytest.Flush(t, hub)
	ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "with request")
	if string(last) == "" || string(last) != ev.EventID {
		t.Errorf("LastEventID = %q, want the event's %q", last, ev.EventID)
	}
	if url, _ := ev.Request["url"].(string); !strings.HasSuffix(url, "/orders/7") {
		t.Errorf("event request = %+v, want the request", ev.Request)
	}

	// A handler that took the request off the scope (SetRequest(nil),
	// Clear) still gets the field's request on the event.
	for _, clear := range []func(*sentry.Scope){func(s *sentry.Scope) { s.SetRequest(nil) }, (*sentry.Scope).Clear} {
		h := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			clear(sentry.GetHubFromContext(r.Context()).Scope())
			b.Emit(r.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "scope cleared",
				Attrs: []slog.Attr{slog.Any("req", r)}})
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/cleared", nil))
	}
	sentrytest.Flush(t, hub)
	for _, ev := range rcv.WaitEvents(t, 3, waitFor)[1:] {
		if url, _ := ev.Request["url"].(string); !strings.HasSuffix(url, "/cleared") {
			t.Errorf("%s: event request = %+v, want the field's", ev.Message, ev.Request)
		}
	}
}

// TestConfiguredClientOnTrail: with the client given through WithHub only
// (no sentry.Init), a trail made by breadcrumbs.Middleware clones a
// sentry.CurrentHub without a client; records on it are sent all the same,
// with the request's breadcrumbs and only those, and deduplicated per
// request. Before, every record logged with a request's context was lost.
// A hub on the context disabled on purpose still sends nothing.
func TestConfiguredClientOnTrail(t *testing.T) {
	rcv, h := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(h), logsentry.WithLogSeverity(logsentry.SeverityInfo))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "outside"})
	srv := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if sentry.GetHubFromContext(ctx).Client().IsEnabled() {
			t.Fatal("the trail's hub has a client: the test does not test the fallback")
		}
		err := fmt.Errorf("%s: %w", r.URL.Path, errors.New("db down"))
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "step " + r.URL.Path})
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "fail " + r.URL.Path, Err: err})
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "again " + r.URL.Path, Err: err})
	}))
	for _, p := range []string{"/a", "/b"} {
		srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	// A hub disabled on purpose, and a trail of it, keep their records out.
	muted := sentrytest.HubContext(sentry.NewHub(sentry.NewNoopClient(), sentry.NewScope()))
	for _, ctx := range []context.Context{muted, breadcrumbs.WithTrail(muted)} {
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "muted"})
	}
	sentrytest.Flush(t, h)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if got := sentrytest.Messages(evs); len(got) != 2 {
		t.Fatalf("events %q, want fail /a and fail /b", got)
	}
	for _, p := range []string{"/a", "/b"} {
		got := sentrytest.BreadcrumbMessages(sentrytest.EventByMessage(t, evs, "fail "+p))
		if len(got) != 1 || got[0] != "step "+p {
			t.Errorf("%s: breadcrumbs %q, want only its own step", p, got)
		}
	}
	if d := b.Stats().EventsDeduplicated; d != 2 {
		t.Errorf("%d deduplicated, want 2", d)
	}
	if logs := rcv.WaitLogs(t, 7, waitFor); len(logs) != 7 {
		t.Errorf("%d Sentry logs, want 7", len(logs))
	}
}

// TestTrailOnScopeLayers: a long-lived hub that gives each request a scope
// layer of its own (hub.WithScope around Middleware) gets the trail's
// processor on each layer, not only on the first: a record's request field
// still fills its event when the handler took the request off the scope.
func TestTrailOnScopeLayers(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New()
	long := sentry.NewHub(hub.Client(), sentry.NewScope())
	inner := breadcrumbs.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sentry.GetHubFromContext(r.Context()).Scope().SetRequest(nil)
		b.Emit(r.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "cleared " + r.URL.Path,
			Attrs: []slog.Attr{slog.Any("req", r)}})
	}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		long.WithScope(func(*sentry.Scope) {
			inner.ServeHTTP(w, r.WithContext(sentry.SetHubOnContext(r.Context(), long)))
		})
	})
	for _, p := range []string{"/first", "/second"} {
		outer.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	sentrytest.Flush(t, hub)
	for _, ev := range rcv.WaitEvents(t, 2, waitFor) {
		if url, _ := ev.Request["url"].(string); !strings.HasSuffix(url, strings.TrimPrefix(ev.Message, "cleared ")) {
			t.Errorf("%s: event request %v, want the record's", ev.Message, ev.Request)
		}
	}
}
