package zapsentry_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zapsentry"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		runChild(mode) // exits
	}
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

const waitFor = sentrytest.WaitFor

// setup returns a receiver, a hub whose real client sends to it, and a
// logger whose only core is a zapsentry.Core on that hub, configured by opts.
func setup(t *testing.T, opts ...logsentry.Option) (*sentrytest.Receiver, *sentry.Hub, *zap.Logger) {
	t.Helper()
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	all := append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)
	return rcv, hub, zap.New(zapsentry.NewCore(all...))
}

// events flushes hub and waits for n events.
func events(t *testing.T, rcv *sentrytest.Receiver, hub *sentry.Hub, n int) []sentrytest.Event {
	t.Helper()
	hub.Flush(waitFor)
	return rcv.WaitEvents(t, n, waitFor)
}

// attrsJSON returns the event's "attributes" context as canonical JSON.
func attrsJSON(t *testing.T, ev sentrytest.Event) string {
	t.Helper()
	return canonical(t, ev.Contexts["attributes"])
}

// canonical returns v as JSON with sorted keys.
func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %v: %v", v, err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(tree)
	return string(b)
}

// stackOf returns the frames of the event's stack trace: the last
// exception's, else the first thread's (message-only events).
func stackOf(t *testing.T, ev sentrytest.Event) []sentrytest.Frame {
	t.Helper()
	if len(ev.Exception) > 0 {
		return sentrytest.ExceptionFrames(ev)
	}
	return sentrytest.ThreadFrames(t, ev)
}

// isLibraryFrame reports whether a frame belongs to zap or to this module
// outside its tests.
func isLibraryFrame(f sentrytest.Frame) bool {
	m := f.Module
	if m == "go.uber.org/zap" || strings.HasPrefix(m, "go.uber.org/zap/") {
		return true
	}
	const mod = "github.com/logsentry/logsentry"
	return (m == mod || strings.HasPrefix(m, mod+"/")) && !strings.HasSuffix(m, "_test")
}

// receiverHub is a receiver and a hub whose client sends to it.
type receiverHub struct {
	*sentrytest.Receiver
	hub *sentry.Hub
}

func newReceiverHub(t *testing.T) receiverHub {
	t.Helper()
	rcv := sentrytest.NewReceiver(t)
	return receiverHub{rcv, rcv.NewHub(t, sentry.ClientOptions{})}
}

type (
	sentrytestEvent = sentrytest.Event
	sentrytestLog   = sentrytest.Log
)

// lineOf returns the line of its call.
func lineOf(t *testing.T) int {
	t.Helper()
	_, _, line, _ := runtime.Caller(1)
	return line
}

func nan() float64 { return math.NaN() }
