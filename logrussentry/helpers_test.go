package logrussentry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		// A re-executed test binary: play the child of the exit tests
		// (exit_test.go). It ends the process itself.
		runChild(mode)
		os.Exit(childFellThrough)
	}
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait on the receiver.
const waitFor = 5 * time.Second

// fixture is a logrus logger with a logrussentry hook whose fallback hub
// sends to a real receiver.
type fixture struct {
	rcv    *sentrytest.Receiver
	hub    *sentry.Hub
	hook   *logrussentry.Hook
	logger *logrus.Logger
	out    *syncBuffer
}

// setup returns a fixture: a logger at TraceLevel writing text to a buffer,
// whose ExitFunc fails t, with a hook built from opts plus WithHub(hub).
func setup(t *testing.T, opts ...logsentry.Option) *fixture {
	t.Helper()
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	hook := logrussentry.NewHook(append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)...)
	out := &syncBuffer{}
	logger := logrus.New()
	logger.Out = out
	logger.Formatter = &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true}
	logger.Level = logrus.TraceLevel
	logger.ExitFunc = func(code int) { t.Errorf("unexpected exit(%d)", code) }
	logger.AddHook(hook)
	return &fixture{rcv: rcv, hub: hub, hook: hook, logger: logger, out: out}
}

// flush sends everything the hub's client buffered, failing t on timeout.
func flush(t testing.TB, hub *sentry.Hub) {
	t.Helper()
	if !hub.Flush(waitFor) {
		t.Fatalf("hub.Flush timed out")
	}
}

// hubCtx returns a context carrying hub.
func hubCtx(hub *sentry.Hub) context.Context {
	return sentry.SetHubOnContext(context.Background(), hub)
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// nopFormatter formats nothing: for entries whose fields would overflow
// fmt's printing (cyclic maps), and for benchmarks of the hook alone.
type nopFormatter struct{}

func (nopFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

// eventByMessage returns the event whose message is msg.
func eventByMessage(t testing.TB, evs []sentrytest.Event, msg string) sentrytest.Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Message == msg {
			return ev
		}
	}
	t.Fatalf("no event with message %q among %d events: %v", msg, len(evs), messages(evs))
	return sentrytest.Event{}
}

func messages(evs []sentrytest.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Message
	}
	return out
}

// breadcrumbMessages lists the messages of ev's breadcrumbs, oldest first.
func breadcrumbMessages(ev sentrytest.Event) []string {
	out := make([]string, len(ev.Breadcrumbs))
	for i, b := range ev.Breadcrumbs {
		out[i] = b.Message
	}
	return out
}

// threadFrames returns the frames of threads[0].stacktrace, where the
// bridge puts the call-site stack of an event without exception.
func threadFrames(t testing.TB, ev sentrytest.Event) []sentrytest.Frame {
	t.Helper()
	var raw struct {
		Threads json.RawMessage `json:"threads"`
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	if len(raw.Threads) == 0 {
		return nil
	}
	type thread struct {
		Stacktrace sentrytest.Stacktrace `json:"stacktrace"`
	}
	var threads []thread
	if err := json.Unmarshal(raw.Threads, &threads); err != nil {
		var w struct {
			Values []thread `json:"values"`
		}
		if err := json.Unmarshal(raw.Threads, &w); err != nil {
			t.Fatalf("decode threads %s: %v", raw.Threads, err)
		}
		threads = w.Values
	}
	if len(threads) == 0 {
		return nil
	}
	return threads[0].Stacktrace.Frames
}

// nextLine returns the line after the caller's: call it on the line just
// above a logging call to get that call's line.
func nextLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line + 1
}

// checkFrames fails t if a frame belongs to logrus, to a non-test package of
// this module, to sentry-go, runtime or testing, or if the top frame is not
// in wantFunc (a part of the function name) at wantLine of a _test.go file.
func checkFrames(t testing.TB, frames []sentrytest.Frame, wantFunc string, wantLine int) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatalf("no frames")
	}
	for _, f := range frames {
		switch {
		case strings.HasPrefix(f.Module, "github.com/sirupsen/logrus"),
			strings.HasPrefix(f.Module, "github.com/logsentry/logsentry") && !strings.HasSuffix(f.Module, "_test"),
			strings.HasPrefix(f.Module, "github.com/getsentry/sentry-go"),
			f.Module == "runtime", f.Module == "testing":
			t.Errorf("frame of %s: %+v", f.Module, f)
		}
	}
	top := frames[len(frames)-1]
	if !strings.Contains(top.Function, wantFunc) || top.Lineno != wantLine || !strings.HasSuffix(top.AbsPath, "_test.go") {
		t.Errorf("top frame = %s %s:%d (module %s), want %s at line %d", top.Function, top.AbsPath, top.Lineno, top.Module, wantFunc, wantLine)
	}
}

// plain converts a decoded JSON value (json.Number inside) to plain Go
// values: int64 or float64 numbers, nested map[string]any.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plain(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = plain(e)
		}
		return s
	}
	return v
}

// attrs returns the event's "attributes" context in plain Go values.
func attrs(ev sentrytest.Event) map[string]any {
	m, _ := plain(map[string]any(ev.Contexts["attributes"])).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// newReceiver starts a receiver for a test.
func newReceiver(t *testing.T) *sentrytest.Receiver {
	t.Helper()
	return sentrytest.NewReceiver(t)
}
