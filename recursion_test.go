package logsentry_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// slogWriter logs every line written to it at level through l: what a
// program does when it routes the SDK's debug output into its logger.
type slogWriter struct {
	l     *slog.Logger
	level slog.Level
}

func (w *slogWriter) Write(p []byte) (int, error) {
	if w.l == nil { // the client prints before the logger exists
		return len(p), nil
	}
	w.l.Log(context.Background(), w.level, strings.TrimSpace(string(p)))
	return len(p), nil
}

// The SDK's debug output routed into a bridged logger must not loop: each
// event makes the SDK print a line, which would be logged as an event, ...
func TestDebugOutputDoesNotRecurse(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
		t.Run(level.String(), func(t *testing.T) {
			rcv := sentrytest.NewReceiver(t)
			w := &slogWriter{level: level}
			hub := rcv.NewHub(t, sentry.ClientOptions{Debug: true, DebugWriter: w})
			h := slogsentry.NewHandler(logsentry.WithHub(hub), slogsentry.WithLogLevel(slog.LevelInfo),
				logsentry.WithEventRate(0, 0))
			w.l = slog.New(h)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range 20 {
					w.l.Error("payment failed")
				}
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("logging did not return: the debug output loops")
			}
			hub.Flush(2 * time.Second)
			if got := len(rcv.Events()); got != 20 {
				t.Errorf("%d events, want the 20 logged", got)
			}
			if st := h.Bridge().Stats(); st.SDKDebug == 0 {
				t.Errorf("stats %+v: no recursion counted, though the SDK's debug lines were logged", st)
			}
		})
	}
}
