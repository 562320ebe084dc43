package zapsentry_test

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zapsentry"
)

// The child process of TestFatalDelivered reads these.
const (
	childModeEnv  = "ZAPSENTRY_TEST_CHILD"
	childDSNEnv   = "ZAPSENTRY_TEST_DSN"
	childFlushEnv = "ZAPSENTRY_TEST_FLUSH_MS"
)

// runChild logs one entry that ends the process, as mode says, to a real
// client whose DSN is in the environment. It never returns.
func runChild(mode string) {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: os.Getenv(childDSNEnv)})
	if err != nil {
		os.Exit(10)
	}
	opts := []logsentry.Option{logsentry.WithHub(sentry.NewHub(client, sentry.NewScope()))}
	if ms, err := strconv.Atoi(os.Getenv(childFlushEnv)); err == nil {
		opts = append(opts, logsentry.WithFlushTimeout(time.Duration(ms)*time.Millisecond))
	}
	logger := zap.New(zapsentry.NewCore(opts...), zap.AddCaller())
	cause := errors.New("disk on fire")
	switch mode {
	case "fatal":
		logger.Fatal("fatal entry", zap.Error(cause))
	case "panic":
		logger.Panic("panic entry", zap.Error(cause))
	case "dpanic":
		logger.WithOptions(zap.Development()).DPanic("dpanic entry", zap.Error(cause))
	}
	os.Exit(11) // not reached: the entry exits or panics
}

// TestFatalDelivered runs a child process that logs a Fatal, Panic or
// development DPanic entry and dies of it, and checks that the event reached
// the receiver before the process ended, and the exit code.
func TestFatalDelivered(t *testing.T) {
	for _, tc := range []struct {
		mode       string
		exitCode   int
		message    string
		level      string
		logLevel   string
		delay      time.Duration
		flushMS    string
		maxRuntime time.Duration
	}{
		{mode: "fatal", exitCode: 1, message: "fatal entry", level: "fatal", logLevel: "FATAL"},
		{mode: "panic", exitCode: 2, message: "panic entry", level: "fatal", logLevel: "PANIC"},
		{mode: "dpanic", exitCode: 2, message: "dpanic entry", level: "error", logLevel: "DPANIC"},
		{mode: "fatal", exitCode: 1, message: "fatal entry", level: "fatal", logLevel: "FATAL",
			delay: time.Minute, flushMS: "300", maxRuntime: 20 * time.Second},
	} {
		name := tc.mode
		if tc.delay > 0 {
			name += " with Sentry hanging"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rcv := sentrytest.NewReceiver(t)
			rcv.SetDelay(tc.delay)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childModeEnv+"="+tc.mode, childDSNEnv+"="+rcv.DSN(), childFlushEnv+"="+tc.flushMS)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.exitCode {
				t.Fatalf("child ended with %v, want exit code %d; output:\n%s", err, tc.exitCode, out)
			}
			if tc.maxRuntime > 0 && took > tc.maxRuntime {
				t.Errorf("child took %v with Sentry hanging", took)
			}
			evs := rcv.Events() // no waiting: the child is gone
			if len(evs) != 1 {
				t.Fatalf("%d events on the wire when the child died, want 1; output:\n%s", len(evs), out)
			}
			ev := evs[0]
			if ev.Message != tc.message || ev.Level != tc.level || ev.Contexts["log"]["level"] != tc.logLevel {
				t.Errorf("event %q level %q log %v; want %q %q %s", ev.Message, ev.Level, ev.Contexts["log"], tc.message, tc.level, tc.logLevel)
			}
			if len(ev.Exception) != 1 || ev.Exception[0].Value != "disk on fire" {
				t.Errorf("exception %+v", ev.Exception)
			}
		})
	}
}
