package slogsentry_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// TestHubResolution checks the order in which a record's hub is found: the
// hub of its context, then WithHub, then sentry.CurrentHub, looked up per
// record. It binds a client to sentry.CurrentHub, so it is not parallel.
func TestHubResolution(t *testing.T) {
	rcvCtx := sentrytest.NewReceiver(t)
	rcvOpt := sentrytest.NewReceiver(t)
	rcvCur := sentrytest.NewReceiver(t)
	ctxHub := rcvCtx.NewHub(t, sentry.ClientOptions{})
	optHub := rcvOpt.NewHub(t, sentry.ClientOptions{})

	withHub := slog.New(slogsentry.NewHandler(logsentry.WithHub(optHub), slogsentry.WithLogLevel(slog.LevelInfo)))
	noHub := slog.New(slogsentry.NewHandler(slogsentry.WithLogLevel(slog.LevelInfo)))
	// Made before the client is bound: the current hub is looked up per
	// record, not at construction.
	cur := bindCurrentHub(t, rcvCur, sentry.ClientOptions{})

	withHub.ErrorContext(sentrytest.HubContext(ctxHub), "ctx beats WithHub")
	noHub.ErrorContext(sentrytest.HubContext(ctxHub), "ctx beats CurrentHub")
	withHub.ErrorContext(context.Background(), "WithHub beats CurrentHub")
	noHub.ErrorContext(context.Background(), "CurrentHub last")
	for _, h := range []*sentry.Hub{ctxHub, optHub, cur} {
		sentrytest.Flush(t, h)
	}
	for _, tt := range []struct {
		name string
		rcv  *sentrytest.Receiver
		want []string
	}{
		{"ctx hub", rcvCtx, []string{"ctx beats WithHub", "ctx beats CurrentHub"}},
		{"WithHub", rcvOpt, []string{"WithHub beats CurrentHub"}},
		{"CurrentHub", rcvCur, []string{"CurrentHub last"}},
	} {
		evs := tt.rcv.WaitEvents(t, len(tt.want), waitFor)
		if got := sentrytest.Messages(evs); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s got events %q, want %q", tt.name, got, tt.want)
		}
		logs := tt.rcv.WaitLogs(t, len(tt.want), waitFor)
		if len(logs) != len(tt.want) {
			t.Errorf("%s got %d logs, want %d", tt.name, len(logs), len(tt.want))
		}
	}
}

// TestDisabledHub checks that a record whose hub has no enabled client
// sends nothing, and does not fall back to another hub.
func TestDisabledHub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hub  *sentry.Hub
	}{
		{"noop client", sentry.NewHub(sentry.NewNoopClient(), sentry.NewScope())},
		{"nil client", sentry.NewHub(nil, sentry.NewScope())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.hub.Client().IsEnabled() {
				t.Fatalf("client is enabled")
			}
			rcv, fallback := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			h := slogsentry.NewHandler(
				logsentry.WithHub(fallback),
				slogsentry.WithLogLevel(slog.LevelDebug),
			)
			logger := slog.New(h)
			ctx := sentrytest.HubContext(tt.hub)
			for _, l := range levels {
				logger.Log(ctx, l, "to a disabled hub", "err", fmt.Errorf("x"))
			}
			if err := h.Handle(ctx, slog.NewRecord(testTime, slogsentry.LevelFatal, "fatal", 0)); err != nil {
				t.Errorf("Handle = %v", err)
			}
			if err := h.Bridge().Flush(ctx); err != nil {
				t.Errorf("Flush of a disabled hub = %v, want nil", err)
			}
			sentrytest.Flush(t, fallback)
			if n := rcv.Requests(); n != 0 {
				t.Errorf("%d requests reached the receiver, want none", n)
			}
			// Nor were breadcrumbs kept on the disabled hub's scope: an
			// event captured once it has a client lists none.
			tt.hub.BindClient(fallback.Client())
			tt.hub.CaptureMessage("probe")
			sentrytest.Flush(t, fallback)
			if ev := rcv.WaitEvents(t, 1, waitFor)[0]; len(ev.Breadcrumbs) != 0 {
				t.Errorf("breadcrumbs kept on the disabled hub: %q", sentrytest.BreadcrumbMessages(ev))
			}
		})
	}
}

// TestConcurrency logs from 50 goroutines through one handler and children
// made concurrently with WithAttrs and WithGroup; run with -race. Each
// event must carry exactly its own goroutine's fields.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	const n = 50
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	base := slogsentry.NewHandler(
		logsentry.WithHub(hub),
		logsentry.WithEventRate(0, 0), // all n events are one group
		slogsentry.WithLogLevel(slog.LevelInfo),
		logsentry.WithTagKeys("shared.g"),
	).WithAttrs([]slog.Attr{slog.String("app", "test"), slog.Int("pad1", 1), slog.Int("pad2", 2)}).WithGroup("shared")
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx := sentrytest.HubContext(hub.Clone())
			child := base.WithAttrs([]slog.Attr{slog.Int("g", i)}).WithGroup(fmt.Sprint("grp", i))
			logger := slog.New(child)
			logger.InfoContext(ctx, "info", "i", i)
			logger.With("w", i).ErrorContext(ctx, fmt.Sprint("error ", i), "i", i)
			slog.New(base).InfoContext(ctx, "base", "i", i)
		})
	}
	wg.Wait()
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, n, waitFor)
	if len(evs) != n {
		t.Errorf("got %d events, want %d", len(evs), n)
	}
	for i := range n {
		ev := sentrytest.EventByMessage(t, evs, fmt.Sprint("error ", i))
		want := map[string]any{
			"app": "test", "pad1": int64(1), "pad2": int64(2),
			"shared": map[string]any{
				"g":                  int64(i),
				fmt.Sprint("grp", i): map[string]any{"w": int64(i), "i": int64(i)},
			},
		}
		if got := sentrytest.Attrs(ev); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("event %d attributes = %v, want %v", i, got, want)
		}
		if got := ev.Tags["shared.g"]; got != fmt.Sprint(i) {
			t.Errorf("event %d tag shared.g = %q", i, got)
		}
		if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "info" {
			t.Errorf("event %d breadcrumbs = %q", i, got)
		} else if d := sentrytest.Plain(ev.Breadcrumbs[0].Data).(map[string]any); d[fmt.Sprint("shared.grp", i, ".i")] != int64(i) {
			t.Errorf("event %d breadcrumb data = %v", i, d)
		}
	}
	if logs := rcv.WaitLogs(t, 3*n, waitFor); len(logs) != 3*n {
		t.Errorf("got %d logs, want %d", len(logs), 3*n)
	}
}
