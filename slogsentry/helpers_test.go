package slogsentry_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		childMain(mode) // the subprocess of TestFatalExitsAfterDelivery; never returns
	}
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

// testTime is a fixed record time.
var testTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// waitFor bounds every wait on the receiver.
const waitFor = sentrytest.WaitFor

// hasThreads reports whether the event carries a "threads" interface.
func hasThreads(t testing.TB, ev sentrytest.Event) bool {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(ev.Raw, &raw); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	th, ok := raw["threads"]
	return ok && string(th) != "null"
}

// checkFrames fails t if a frame belongs to log/slog or to a non-test
// package of this module, or if the top frame is not wantFunc at wantLine.
func checkFrames(t testing.TB, frames []sentrytest.Frame, wantFunc string, wantLine int) {
	t.Helper()
	sentrytest.CheckFrames(t, frames, wantFunc, wantLine, "log/slog")
}
