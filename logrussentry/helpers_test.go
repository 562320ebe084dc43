package logrussentry_test

import (
	"os"
	"strings"
	"testing"

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
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

// waitFor bounds every wait on the receiver.
const waitFor = sentrytest.WaitFor

// fixture is a logrus logger with a logrussentry hook whose fallback hub
// sends to a real receiver.
type fixture struct {
	rcv    *sentrytest.Receiver
	hub    *sentry.Hub
	hook   *logrussentry.Hook
	logger *logrus.Logger
	out    *sentrytest.SyncBuffer
}

// setup returns a fixture: a logger at TraceLevel writing text to a buffer,
// whose ExitFunc fails t, with a hook built from opts plus WithHub(hub).
func setup(t *testing.T, opts ...logsentry.Option) *fixture {
	t.Helper()
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	hook := logrussentry.NewHook(append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)...)
	out := &sentrytest.SyncBuffer{}
	logger := logrus.New()
	logger.Out = out
	logger.Formatter = &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true}
	logger.Level = logrus.TraceLevel
	logger.ExitFunc = func(code int) { t.Errorf("unexpected exit(%d)", code) }
	logger.AddHook(hook)
	return &fixture{rcv: rcv, hub: hub, hook: hook, logger: logger, out: out}
}

// nopFormatter formats nothing: for entries whose fields would overflow
// fmt's printing (cyclic maps), and for benchmarks of the hook alone.
type nopFormatter struct{}

func (nopFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

// checkFrames fails t if a frame belongs to logrus, to a non-test package of
// this module, to sentry-go, runtime or testing, or if the top frame is not
// in wantFunc (a part of the function name) at wantLine of a _test.go file.
func checkFrames(t testing.TB, frames []sentrytest.Frame, wantFunc string, wantLine int) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatalf("no frames")
	}
	sentrytest.CheckNoLibraryFrames(t, frames, "github.com/sirupsen/logrus")
	top := frames[len(frames)-1]
	if !strings.Contains(top.Function, wantFunc) || top.Lineno != wantLine || !strings.HasSuffix(top.AbsPath, "_test.go") {
		t.Errorf("top frame = %s %s:%d (module %s), want %s at line %d", top.Function, top.AbsPath, top.Lineno, top.Module, wantFunc, wantLine)
	}
}
