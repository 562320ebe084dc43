package logrussentry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

// The exit tests re-execute the test binary as a child process that logs
// with logrus.Fatal or Panic for real, and check, from the parent, what
// reached the receiver and the child's stderr.
const (
	childModeEnv = "LOGRUSSENTRY_TEST_CHILD" // child mode: fatal, panic, slow
	childDSNEnv  = "LOGRUSSENTRY_TEST_DSN"   // the parent's receiver

	// childFellThrough is the exit code of a child whose Fatal or Panic
	// returned, which they must not.
	childFellThrough = 99
)

// runChild is the child's whole life: it sets Sentry up as a program would
// (sentry.Init, a hook with default options on a logrus logger writing to
// stderr), logs a breadcrumb, then dies by Fatal or Panic.
func runChild(mode string) {
	if err := sentry.Init(sentry.ClientOptions{Dsn: os.Getenv(childDSNEnv)}); err != nil {
		fmt.Fprintln(os.Stderr, "child: sentry.Init:", err)
		os.Exit(childFellThrough)
	}
	var opts []logsentry.Option
	if mode == "slow" {
		opts = append(opts, logsentry.WithFlushTimeout(300*time.Millisecond))
	}
	hook := logrussentry.NewHook(opts...)
	logger := logrus.New()
	logger.Out = os.Stderr
	logger.Formatter = &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true}
	logger.AddHook(hook)
	if mode == "slow" {
		// The optional extra of the package doc.
		logrus.RegisterExitHandler(func() {
			fmt.Fprintln(os.Stderr, "exit handler: flush =", hook.Flush(context.Background()))
		})
	} else {
		// No flush here: the event must be delivered by the hook alone. The
		// handler shows that exit handlers still run after the hook fired.
		logrus.RegisterExitHandler(func() { fmt.Fprintln(os.Stderr, "exit handler ran") })
	}

	logger.WithField("step", 1).Info("starting job")
	entry := logger.WithField("job", 7).WithError(errors.New("disk gone"))
	switch mode {
	case "fatal", "slow":
		fmt.Fprintln(os.Stderr, "fatal-at", time.Now().UnixNano())
		entry.Fatal("cannot continue")
	case "panic":
		entry.Panic("cannot continue")
	}
}

// runChildProcess runs the test binary as a child in mode, sending to dsn,
// and returns its exit code, its stderr and how long it ran.
func runChildProcess(t *testing.T, mode, dsn string) (code int, stderr string, took time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDSNEnv+"="+dsn)
	var errBuf, outBuf sentrytest.SyncBuffer
	cmd.Stderr, cmd.Stdout = &errBuf, &outBuf
	start := time.Now()
	err := cmd.Run()
	took = time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("running child: %v", err)
	}
	return code, errBuf.String(), took
}

// TestExit checks that a fatal or panic entry's event is on the receiver
// when the process is gone (no waiting: the child flushed before dying),
// that the line still reached the console and the exit handlers still ran,
// and that the exit code is logrus's.
func TestExit(t *testing.T) {
	tests := []struct {
		name      string
		mode      string
		wantCode  int
		wantLevel string // the event's "log" context level
		wantOut   []string
	}{
		{
			name: "Fatal exits 1 after the event is sent", mode: "fatal", wantCode: 1, wantLevel: "fatal",
			wantOut: []string{
				`level=info msg="starting job" step=1`,
				`level=fatal msg="cannot continue" error="disk gone" job=7`,
				"exit handler ran",
			},
		},
		{
			name: "Panic panics (exit 2) after the event is sent", mode: "panic", wantCode: 2, wantLevel: "panic",
			wantOut: []string{
				`level=info msg="starting job" step=1`,
				`level=panic msg="cannot continue" error="disk gone" job=7`,
				"panic: ",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv := sentrytest.NewReceiver(t)
			code, stderr, _ := runChildProcess(t, tt.mode, rcv.DSN())
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			// The console output is intact and in order: the hook did not
			// end the process before logrus wrote the line.
			rest := stderr
			for _, want := range tt.wantOut {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("stderr lacks %q (in order); stderr:\n%s", want, stderr)
				}
				rest = rest[i+len(want):]
			}
			// No WaitEvents: the child is gone, so the event must have
			// arrived before it exited.
			evs := rcv.Events()
			if len(evs) != 1 {
				t.Fatalf("%d events when the child had exited, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Level != "fatal" || ev.Message != "cannot continue" || ev.Logger != "logrus" {
				t.Errorf("event level %q message %q logger %q, want fatal, cannot continue, logrus", ev.Level, ev.Message, ev.Logger)
			}
			if got := ev.Contexts["log"]["level"]; got != tt.wantLevel {
				t.Errorf("log context level %v, want %q", got, tt.wantLevel)
			}
			if len(ev.Exception) != 1 || ev.Exception[0].Value != "disk gone" {
				t.Errorf("exception %+v, want disk gone", ev.Exception)
			}
			if got := sentrytest.Attrs(ev)["job"]; got != int64(7) {
				t.Errorf("attributes.job = %#v, want 7", got)
			}
			if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "starting job" {
				t.Errorf("breadcrumbs %q, want [starting job]", got)
			}
		})
	}
}

// TestExitSlowSentry checks that a hanging Sentry delays a Fatal exit by the
// flush timeout only: once in the hook, once more in the optional exit
// handler of the package doc.
func TestExitSlowSentry(t *testing.T) {
	t.Parallel()
	rcv := sentrytest.NewReceiver(t)
	rcv.SetDelay(time.Hour)
	code, stderr, _ := runChildProcess(t, "slow", rcv.DSN())
	exited := time.Now()
	if code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	var at int64
	for l := range strings.Lines(stderr) {
		if _, err := fmt.Sscanf(l, "fatal-at %d", &at); err == nil {
			break
		}
	}
	if at == 0 {
		t.Fatalf("child output lacks its fatal-at time:\n%s", stderr)
	}
	// From the Fatal call to the exit, seen by the parent (the child's
	// start-up, slow under -race on a busy machine, is not counted): two
	// flushes of 300 ms, not the hour of the hanging receiver.
	took := exited.Sub(time.Unix(0, at))
	if took > 1600*time.Millisecond || took < 600*time.Millisecond {
		t.Errorf("the fatal entry took %v to exit with Sentry hanging, want 0.6 s to 1.6 s (two 300 ms flushes)", took)
	}
	if !strings.Contains(stderr, `level=fatal msg="cannot continue"`) {
		t.Errorf("stderr lacks the fatal line:\n%s", stderr)
	}
	// The exit handler's flush is bounded too, by the same timeout.
	if !strings.Contains(stderr, "exit handler: flush = "+logsentry.ErrFlushTimeout.Error()) {
		t.Errorf("stderr lacks the exit handler's timed-out flush:\n%s", stderr)
	}
	// The envelope left before the child died; the receiver records on
	// arrival.
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Level != "fatal" || ev.Message != "cannot continue" {
		t.Errorf("event %q %q", ev.Level, ev.Message)
	}
	t.Logf("exit %v after the Fatal call", took)
}

// TestFatalInProcess checks, without a child process, that the fatal event
// is on the receiver when logrus calls ExitFunc, and that Panic's event is
// there when the panic is recovered.
func TestFatalInProcess(t *testing.T) {
	t.Run("Fatal", func(t *testing.T) {
		t.Parallel()
		f := setup(t, logrussentry.WithLogLevel(logrus.InfoLevel))
		exited := -1
		f.logger.ExitFunc = func(code int) {
			exited = code
			if evs := f.rcv.Events(); len(evs) != 1 || evs[0].Level != "fatal" {
				t.Errorf("at ExitFunc the receiver has %d events %v, want the fatal one", len(evs), sentrytest.Messages(evs))
			}
			if logs := f.rcv.Logs(); len(logs) != 1 || logs[0].Level != "fatal" {
				t.Errorf("at ExitFunc the receiver has logs %+v, want one fatal log", logs)
			}
		}
		f.logger.Fatal("fatal in process")
		if exited != 1 {
			t.Errorf("ExitFunc got %d, want 1", exited)
		}
		if !strings.Contains(f.out.String(), `level=fatal msg="fatal in process"`) {
			t.Errorf("console lacks the fatal line: %q", f.out.String())
		}
	})
	t.Run("Panic", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		func() {
			defer func() {
				p := recover()
				if e, ok := p.(*logrus.Entry); !ok || e.Message != "panic in process" {
					t.Errorf("recovered %#v, want the *logrus.Entry", p)
				}
				if evs := f.rcv.Events(); len(evs) != 1 || evs[0].Level != "fatal" {
					t.Errorf("at recover the receiver has %d events %v, want the panic one", len(evs), sentrytest.Messages(evs))
				}
			}()
			f.logger.Panic("panic in process")
		}()
		if !strings.Contains(f.out.String(), `level=panic msg="panic in process"`) {
			t.Errorf("console lacks the panic line: %q", f.out.String())
		}
	})
}
