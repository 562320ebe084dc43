package sentrytest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
)

// CountingTransport is a sentry.Transport that counts the events it is given
// and does nothing else: the transport of benchmarks, which must measure the
// bridge, not a network.
type CountingTransport struct {
	// Events counts the envelopes handed over (events, and log batches).
	Events atomic.Int64
	// Logs counts the Sentry logs in the log batches handed over.
	Logs atomic.Int64
}

var _ sentry.Transport = (*CountingTransport)(nil)

// Configure is a no-op.
func (t *CountingTransport) Configure(sentry.ClientOptions) {}

// SendEvent counts e.
func (t *CountingTransport) SendEvent(e *sentry.Event) {
	t.Events.Add(1)
	t.Logs.Add(int64(len(e.Logs)))
}

// Flush reports that everything was sent.
func (t *CountingTransport) Flush(time.Duration) bool { return true }

// FlushWithContext reports that everything was sent.
func (t *CountingTransport) FlushWithContext(context.Context) bool { return true }

// Close is a no-op.
func (t *CountingTransport) Close() {}

// NewCountingHub returns a hub with a fresh scope and an enabled client (its
// DSN is never dialled) sending to a CountingTransport, and a context
// carrying the hub. The client is closed when tb ends.
func NewCountingHub(tb testing.TB) (context.Context, *sentry.Hub, *CountingTransport) {
	tb.Helper()
	tr := &CountingTransport{}
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "http://k@127.0.0.1:1/1", Transport: tr})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(client.Close)
	hub := sentry.NewHub(client, sentry.NewScope())
	return sentry.SetHubOnContext(context.Background(), hub), hub, tr
}

// logDrainEvery is how many logs LogDrain lets queue between flushes: the
// capacity of the SDK's log queue.
const logDrainEvery = 100

// LogDrain keeps a benchmark's Sentry logs from being dropped. With a
// custom transport, as benchmarks use, the SDK queues at most 100 logs for
// the goroutine that batches them and drops a log it cannot queue (after
// sizing it for a client report; its default transport keeps 1000 and
// drops the oldest), so a benchmark
// that outruns that goroutine times a mix of sent and dropped logs, in
// proportions that differ between the sides of a comparison: measured, the
// sentry-go floor dropped 12–17% of its logs and the slog path 5–8%. Call
// Logged after each log: every 100th flushes the client, which empties the
// queue, so every log is sent and both sides pay the same flushes.
type LogDrain struct {
	hub *sentry.Hub
	tr  *CountingTransport
	n   int64
}

// NewLogDrain returns a LogDrain for the logs that hub's client sends to tr.
func NewLogDrain(hub *sentry.Hub, tr *CountingTransport) *LogDrain {
	return &LogDrain{hub: hub, tr: tr}
}

// Logged counts one log, and flushes after every 100th.
func (d *LogDrain) Logged() {
	d.n++
	if d.n%logDrainEvery == 0 {
		d.hub.Flush(10 * time.Second)
	}
}

// Check flushes the client and fails tb unless every log counted by Logged
// reached the transport: a benchmark of dropped logs measures something
// else.
func (d *LogDrain) Check(tb testing.TB) {
	tb.Helper()
	d.hub.Flush(10 * time.Second)
	if got := d.tr.Logs.Load(); got != d.n {
		tb.Fatalf("%d of %d logs reached the transport", got, d.n)
	}
}
