package logsentry_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestBreadcrumbs(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithBreadcrumbSeverity(logsentry.SeverityTrace))
	at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	ctx := context.Background()
	b.Emit(ctx, logsentry.Record{Time: at, Severity: logsentry.SeverityDebug, Message: "debug crumb", Logger: "db",
		Attrs: []slog.Attr{slog.Int("rows", 3), slog.Group("q", slog.String("table", "users"), slog.Group("x", slog.Bool("y", true)))}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityTrace, Message: "trace crumb"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityWarn, Message: "warn crumb", Attrs: []slog.Attr{slog.Float64("ratio", 0.5)}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "first error", Err: errors.New("disk full"),
		Attrs: []slog.Attr{slog.String("error", "shadowed by the error text")}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityFatal, Message: "second error"})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	first, second := sentrytest.EventByMessage(t, evs, "first error"), sentrytest.EventByMessage(t, evs, "second error")
	if n := len(first.Breadcrumbs); n != 3 {
		t.Fatalf("first event has %d breadcrumbs, want the 3 records before it", n)
	}
	if n := len(second.Breadcrumbs); n != 4 {
		t.Fatalf("second event has %d breadcrumbs, want 4 (the first error included)", n)
	}
	type want struct {
		typ, category, message, level, data string
	}
	wants := []want{
		{"debug", "db", "debug crumb", "debug", `{"q.table":"users","q.x.y":true,"rows":3}`},
		{"debug", "logsentry", "trace crumb", "debug", `null`},
		{"default", "logsentry", "warn crumb", "warning", `{"ratio":0.5}`},
		{"error", "logsentry", "first error", "error", `{"error":"disk full"}`},
	}
	for i, w := range wants {
		c := second.Breadcrumbs[i]
		got := want{c.Type, c.Category, c.Message, c.Level, jsonOf(t, c.Data)}
		if got != w {
			t.Errorf("breadcrumb %d = %+v\nwant %+v", i, got, w)
		}
	}
	if ts := second.Breadcrumbs[0].Timestamp; !ts.Equal(at) {
		t.Errorf("breadcrumb timestamp = %v, want the record's %v", ts, at)
	}
	if ts := second.Breadcrumbs[1].Timestamp; time.Since(ts) > time.Minute {
		t.Errorf("zero record time: breadcrumb timestamp = %v", ts)
	}
}

// TestBreadcrumbMaxAndBefore: breadcrumbs go through the hub, so the
// client's MaxBreadcrumbs and BeforeBreadcrumb apply.
func TestBreadcrumbMaxAndBefore(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: 2,
		BeforeBreadcrumb: func(c *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
			if c.Message == "dropped" {
				return nil
			}
			return c
		}})
	b := logsentry.New(logsentry.WithHub(hub))
	for _, m := range []string{"one", "two", "dropped", "three"} {
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: m})
	}
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "event"})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	var msgs []string
	for _, c := range ev.Breadcrumbs {
		msgs = append(msgs, c.Message)
	}
	if jsonOf(t, msgs) != `["two","three"]` {
		t.Errorf("breadcrumbs = %q", msgs)
	}
}

// TestBreadcrumbTrail: records logged with a trail's context add their
// breadcrumbs to that trail only.
func TestBreadcrumbTrail(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	base := sentrytest.HubContext(hub)
	req1, req2 := breadcrumbs.WithTrail(base), breadcrumbs.WithTrail(base)
	b.Emit(req1, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "req1 step"})
	b.Emit(req2, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "req2 step"})
	b.Emit(req1, logsentry.Record{Severity: logsentry.SeverityError, Message: "req1 failed"})
	b.Emit(base, logsentry.Record{Severity: logsentry.SeverityError, Message: "base failed"})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if c := sentrytest.EventByMessage(t, evs, "req1 failed").Breadcrumbs; len(c) != 1 || c[0].Message != "req1 step" {
		t.Errorf("req1's event breadcrumbs = %+v", c)
	}
	if c := sentrytest.EventByMessage(t, evs, "base failed").Breadcrumbs; len(c) != 0 {
		t.Errorf("the shared hub's event has breadcrumbs %+v", c)
	}
}
