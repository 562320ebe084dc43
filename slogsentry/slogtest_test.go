package slogsentry_test

import (
	"log/slog"
	"testing"
	"testing/slogtest"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// TestSlogtest runs the standard library's handler conformance suite. Every
// record becomes a Sentry event, which is read back from the receiver and
// turned into the map slogtest checks: level, msg, time and the fields of the
// "attributes" context, groups as nested maps.
func TestSlogtest(t *testing.T) {
	var (
		rcv *sentrytest.Receiver
		hub *sentry.Hub
	)
	newHandler := func(t *testing.T) slog.Handler {
		rcv, hub = sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		return slogsentry.NewHandler(
			slogsentry.WithEventLevel(slog.LevelDebug),
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
			logsentry.WithHub(hub),
		)
	}
	result := func(t *testing.T) map[string]any {
		sentrytest.Flush(t, hub)
		evs := rcv.WaitEvents(t, 1, waitFor)
		if len(evs) != 1 {
			t.Fatalf("got %d events, want 1", len(evs))
		}
		ev := evs[0]
		m := sentrytest.Attrs(ev)
		for _, k := range []string{slog.LevelKey, slog.MessageKey, slog.TimeKey} {
			if _, dup := m[k]; dup {
				t.Fatalf("attributes hold reserved key %q: %v", k, m)
			}
		}
		m[slog.LevelKey] = ev.Level
		m[slog.MessageKey] = ev.Message
		if ev.Contexts["log"]["time_unknown"] != true {
			if ev.Timestamp.IsZero() {
				t.Fatalf("event has no timestamp: %s", ev.Raw)
			}
			m[slog.TimeKey] = ev.Timestamp
		}
		return m
	}
	slogtest.Run(t, newHandler, result)
}
