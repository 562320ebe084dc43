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
}

var _ sentry.Transport = (*CountingTransport)(nil)

// Configure is a no-op.
func (t *CountingTransport) Configure(sentry.ClientOptions) {}

// SendEvent counts e.
func (t *CountingTransport) SendEvent(*sentry.Event) { t.Events.Add(1) }

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
