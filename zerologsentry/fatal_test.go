package zerologsentry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

// The fatal tests run the test binary again as a child that logs a Fatal or
// Panic line and dies; TestMain sends it to childMain.
const (
	childEnv    = "ZEROLOGSENTRY_TEST_CHILD" // "fatal" or "panic"
	childDSNEnv = "ZEROLOGSENTRY_TEST_DSN"
	// childFlushEnv, when set, is the child's WithFlushTimeout.
	childFlushEnv = "ZEROLOGSENTRY_TEST_FLUSH"
)

// childMain logs one fatal or panic line through the documented wiring to
// the receiver whose DSN is in the environment. It does not return.
func childMain(mode string) {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: os.Getenv(childDSNEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	opts := []logsentry.Option{logsentry.WithHub(hub)}
	if d, err := time.ParseDuration(os.Getenv(childFlushEnv)); err == nil {
		opts = append(opts, logsentry.WithFlushTimeout(d))
	}
	w := zerologsentry.NewWriter(opts...)
	logger := zerolog.New(zerolog.MultiLevelWriter(os.Stdout, w)).Hook(w)
	logger.Info().Msg("starting")
	switch mode {
	case "fatal":
		fmt.Fprintf(os.Stderr, "fatal-at %d\n", time.Now().UnixNano())
		logger.Fatal().Err(errors.New("disk gone")).Msg("cannot continue")
	case "panic":
		logger.Panic().Str("step", "3").Msg("invariant broken")
	}
	fmt.Fprintln(os.Stderr, "child: still running")
	os.Exit(4)
}

// TestFatalAndPanicDelivered checks that a Fatal or Panic line reaches
// Sentry before zerolog exits or panics, with no flush by the program.
func TestFatalAndPanicDelivered(t *testing.T) {
	tests := []struct {
		mode     string
		code     int
		message  string
		output   string
		severity string
	}{
		{"fatal", 1, "cannot continue", `"level":"fatal","error":"disk gone"`, "21"},
		{"panic", 2, "invariant broken", "panic: invariant broken", "22"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			rcv := sentrytest.NewReceiver(t)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.mode, childDSNEnv+"="+rcv.DSN())
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
				t.Fatalf("child exited with %v, want code %d; output:\n%s", err, tt.code, out)
			}
			if !strings.Contains(string(out), tt.output) {
				t.Errorf("child output lacks %q:\n%s", tt.output, out)
			}
			// The child is gone: whatever it sent has arrived.
			evs := rcv.WaitEvents(t, 1, time.Second)
			ev := evs[0]
			if ev.Message != tt.message || ev.Level != "fatal" || fmt.Sprint(ev.Contexts["log"]["severity"]) != tt.severity {
				t.Errorf("event %q level %q log context %v", ev.Message, ev.Level, ev.Contexts["log"])
			}
			if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "starting" {
				t.Errorf("breadcrumbs = %q", got)
			}
			if len(evs) != 1 {
				t.Errorf("%d events, want 1", len(evs))
			}
		})
	}
}

// TestFatalSlowSentry checks that a hanging Sentry delays a Fatal line's
// exit by the flush timeout once (zerolog's Close after the line does not
// wait again), and not at all with WithFlushTimeout(0).
func TestFatalSlowSentry(t *testing.T) {
	for _, tt := range []struct {
		flush   string
		atMost  time.Duration
		atLeast time.Duration
	}{
		{"1s", 1800 * time.Millisecond, time.Second},
		{"0s", 800 * time.Millisecond, 0},
	} {
		t.Run("WithFlushTimeout="+tt.flush, func(t *testing.T) {
			t.Parallel()
			rcv := sentrytest.NewReceiver(t)
			rcv.SetDelay(time.Hour)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=fatal", childDSNEnv+"="+rcv.DSN(), childFlushEnv+"="+tt.flush)
			out, err := cmd.CombinedOutput()
			exited := time.Now()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("child exited with %v, want code 1; output:\n%s", err, out)
			}
			var at int64
			for l := range strings.Lines(string(out)) {
				if _, err := fmt.Sscanf(l, "fatal-at %d", &at); err == nil {
					break
				}
			}
			if at == 0 {
				t.Fatalf("child output lacks its fatal-at time:\n%s", out)
			}
			// From the Fatal call to the exit, seen by the parent: a
			// flush that waited twice takes twice the timeout, one
			// that waited on the hanging receiver the hour.
			took := exited.Sub(time.Unix(0, at))
			if took > tt.atMost || took < tt.atLeast {
				t.Errorf("the fatal line took %v to exit, want %v to %v", took, tt.atLeast, tt.atMost)
			}
			t.Logf("exit %v after the Fatal call, Sentry hanging, flush timeout %s", took, tt.flush)
		})
	}
}

// flushCounter is a transport that counts the flushes it is asked for.
type flushCounter struct{ flushes atomic.Int64 }

func (*flushCounter) Configure(sentry.ClientOptions)          {}
func (*flushCounter) SendEvent(*sentry.Event)                 {}
func (t *flushCounter) Flush(time.Duration) bool              { t.flushes.Add(1); return true }
func (t *flushCounter) FlushWithContext(context.Context) bool { t.flushes.Add(1); return true }
func (*flushCounter) Close()                                  {}

// closeSpy is the Writer, counting the flushes its Close makes: zerolog's
// Fatal closes the logger's writer, the spy.
type closeSpy struct {
	*zerologsentry.Writer
	tr      *flushCounter
	flushes int64
}

func (s *closeSpy) Close() error {
	before := s.tr.flushes.Load()
	err := s.Writer.Close()
	s.flushes += s.tr.flushes.Load() - before
	return err
}

// TestCloseAfterFatal: the Close zerolog makes right after a flushed Fatal
// line does not flush again; any other Close does: after a Fatal line that
// went nowhere (filtered), after more lines, or later.
func TestCloseAfterFatal(t *testing.T) {
	old := zerolog.FatalExitFunc
	zerolog.FatalExitFunc = func() {} // zerolog still closes the writer first
	defer func() { zerolog.FatalExitFunc = old }()
	dropFatal := logsentry.WithFilter(func(r logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
		if r.Severity >= logsentry.SeverityFatal {
			return logsentry.SinkNone
		}
		return s
	})
	for _, tt := range []struct {
		name string
		opts []logsentry.Option
		log  func(zerolog.Logger, *closeSpy)
		want int64 // flushes made by Close
	}{
		{"Fatal, then zerolog's Close", nil, func(l zerolog.Logger, _ *closeSpy) {
			l.Fatal().Msg("bye")
		}, 0},
		{"filtered Fatal, then zerolog's Close", []logsentry.Option{dropFatal}, func(l zerolog.Logger, _ *closeSpy) {
			l.Error().Msg("the cause")
			l.Fatal().Msg("bye")
		}, 1},
		{"WithLevel(Fatal), a line, then Close", nil, func(l zerolog.Logger, w *closeSpy) {
			l.WithLevel(zerolog.FatalLevel).Msg("not really fatal")
			l.Error().Msg("later")
			_ = w.Close()
		}, 1},
		{"WithLevel(Fatal), then a Close later", nil, func(l zerolog.Logger, w *closeSpy) {
			l.WithLevel(zerolog.FatalLevel).Msg("not really fatal")
			time.Sleep(300 * time.Millisecond)
			_ = w.Close()
		}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := &flushCounter{}
			client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "http://k@127.0.0.1:1/1", Transport: tr})
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			opts := append([]logsentry.Option{logsentry.WithHub(sentry.NewHub(client, sentry.NewScope()))}, tt.opts...)
			w := zerologsentry.NewWriter(opts...)
			spy := &closeSpy{Writer: w, tr: tr}
			tt.log(zerolog.New(spy).Hook(w), spy)
			if spy.flushes != tt.want {
				t.Errorf("Close flushed %d times, want %d", spy.flushes, tt.want)
			}
		})
	}
}
