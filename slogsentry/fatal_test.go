package slogsentry_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// TestFatalFlushes checks that a fatal record's event is on the receiver
// when the logging call returns, with no Flush by the caller, and that the
// process goes on.
func TestFatalFlushes(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
	}{
		{"LevelFatal", slogsentry.LevelFatal},
		{"above LevelFatal", slog.LevelError + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			logger := slog.New(slogsentry.NewHandler(
				logsentry.WithHub(hub),
				slogsentry.WithLogLevel(slog.LevelInfo),
			))
			logger.Log(t.Context(), tt.level, "cannot continue", "err", errors.New("disk gone"))
			// No Flush: Handle must have flushed before returning.
			evs := rcv.Events()
			if len(evs) != 1 {
				t.Fatalf("%d events on the receiver when Handle returned, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Level != "fatal" || ev.Message != "cannot continue" {
				t.Errorf("event level %q message %q, want fatal %q", ev.Level, ev.Message, "cannot continue")
			}
			if len(ev.Exception) != 1 || ev.Exception[0].Value != "disk gone" {
				t.Errorf("exception = %+v", ev.Exception)
			}
			logs := rcv.Logs()
			if len(logs) != 1 || logs[0].Level != "fatal" || logs[0].Body != "cannot continue" {
				t.Errorf("logs on the receiver when Handle returned: %+v, want one fatal log", logs)
			}
			// Still running: nothing called os.Exit or panicked.
		})
	}
}

// TestFatalNotFlushedBelow checks that an error record does not wait for
// the network: with Sentry hanging, it returns at once.
func TestFatalNotFlushedBelow(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv.SetDelay(10 * time.Second)
	logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
	start := time.Now()
	logger.Error("not fatal")
	if d := time.Since(start); d > time.Second {
		t.Errorf("an error record took %v to log, want no flush", d)
	}
	rcv.WaitEvents(t, 1, waitFor)
}

// TestFatalFlushBounded checks that the flush after a fatal record is
// bounded by WithFlushTimeout when Sentry hangs.
func TestFatalFlushBounded(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv.SetDelay(10 * time.Second)
	h := slogsentry.NewHandler(
		logsentry.WithHub(hub),
		logsentry.WithFlushTimeout(200*time.Millisecond),
	)
	start := time.Now()
	err := h.Handle(t.Context(), slog.NewRecord(time.Now(), slogsentry.LevelFatal, "hanging sentry", 0))
	d := time.Since(start)
	if err != nil {
		t.Errorf("Handle = %v", err)
	}
	if d > time.Second {
		t.Errorf("Handle took %v with a 200ms flush timeout", d)
	}
	if d < 150*time.Millisecond {
		t.Errorf("Handle took %v: did it flush at all?", d)
	}
	// The envelope did leave: the receiver records it before hanging.
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Level != "fatal" || ev.Message != "hanging sentry" {
		t.Errorf("event %q %q", ev.Level, ev.Message)
	}
}
