package zerologsentry_test

import (
	"context"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		childMain(mode) // exits
	}
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

// waitFor bounds every wait on the receiver.
const waitFor = sentrytest.WaitFor

// newLogger returns a zerolog logger that writes to out and w, with w as
// its hook: the documented wiring.
func newLogger(w *zerologsentry.Writer, out io.Writer) zerolog.Logger {
	return zerolog.New(zerolog.MultiLevelWriter(out, w)).Hook(w)
}

// receiverLogger returns a receiver, a hub on a client sending to it, and a
// logger wired to a Writer on that hub, writing nothing else.
func receiverLogger(t *testing.T) (*sentrytest.Receiver, *sentry.Hub, zerolog.Logger) {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	return rcv, hub, newLogger(zerologsentry.NewWriter(logsentry.WithHub(hub)), io.Discard)
}

// attrs returns the event's "attributes" context.
func attrs(ev sentrytest.Event) map[string]any {
	m := ev.Contexts["attributes"]
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// checkFrames fails t if a frame belongs to zerolog or to a non-test
// package of this module, or if the top frame is not wantFunc at wantLine.
func checkFrames(t testing.TB, frames []sentrytest.Frame, wantFunc string, wantLine int) {
	t.Helper()
	sentrytest.CheckFrames(t, frames, wantFunc, wantLine, "github.com/rs/zerolog")
}

// nopTransport drops everything; for fuzzing and benchmarks, where only
// the conversion is measured.
type nopTransport struct{ events *atomic.Int64 }

func (nopTransport) Configure(sentry.ClientOptions) {}
func (t nopTransport) SendEvent(*sentry.Event) {
	if t.events != nil {
		t.events.Add(1)
	}
}
func (nopTransport) Flush(time.Duration) bool              { return true }
func (nopTransport) FlushWithContext(context.Context) bool { return true }
func (nopTransport) Close()                                {}

// nopHub returns a hub on an enabled client that sends nowhere; the client
// is closed when tb ends.
func nopHub(tb testing.TB) *sentry.Hub {
	tb.Helper()
	client, err := sentry.NewClient(sentry.ClientOptions{Transport: nopTransport{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope())
}
