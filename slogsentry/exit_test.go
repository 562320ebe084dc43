package slogsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// The exit tests run the test binary again as a child that logs at
// LevelFatal and then exits, as a program's "fatal" helper does; TestMain
// sends it to childMain.
const (
	childEnv      = "SLOGSENTRY_TEST_CHILD"
	childDSNEnv   = "SLOGSENTRY_TEST_DSN"
	childFlushEnv = "SLOGSENTRY_TEST_FLUSH"
)

func childMain(string) {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: os.Getenv(childDSNEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	opts := []logsentry.Option{logsentry.WithHub(sentry.NewHub(client, sentry.NewScope()))}
	if d, err := time.ParseDuration(os.Getenv(childFlushEnv)); err == nil {
		opts = append(opts, logsentry.WithFlushTimeout(d))
	}
	log := slog.New(slogsentry.NewHandler(opts...))
	log.Info("starting")
	log.Log(context.Background(), slogsentry.LevelFatal, "cannot continue", "err", errors.New("disk gone"))
	fmt.Fprintln(os.Stderr, "child: Handle returned")
	os.Exit(1) // no flush: the handler must have delivered already
}

// TestFatalExitsAfterDelivery checks, in a process that really exits right
// after logging at LevelFatal, that the event is on the wire by then; and
// that a hanging Sentry delays the exit by the flush timeout only.
func TestFatalExitsAfterDelivery(t *testing.T) {
	for _, hanging := range []bool{false, true} {
		t.Run(fmt.Sprintf("hanging=%v", hanging), func(t *testing.T) {
			rcv := sentrytest.NewReceiver(t)
			env := append(os.Environ(), childEnv+"=fatal", childDSNEnv+"="+rcv.DSN())
			if hanging {
				rcv.SetDelay(time.Hour)
				env = append(env, childFlushEnv+"=300ms")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "Handle returned") {
				t.Fatalf("child exited with %v, want code 1 after Handle returned; output:\n%s", err, out)
			}
			if hanging {
				// A flush that waited on the receiver would take the SDK's
				// 30 s HTTP timeout, or the hour.
				if took > 10*time.Second {
					t.Errorf("exit took %v with a 300ms flush timeout", took)
				}
				t.Logf("exit after %v with Sentry hanging and a 300ms flush timeout", took)
				return
			}
			evs := rcv.Events() // the child is gone: what it sent has arrived
			if len(evs) != 1 || evs[0].Message != "cannot continue" || evs[0].Level != "fatal" {
				t.Fatalf("events after the child exited: %+v", evs)
			}
			if len(evs[0].Exception) == 0 || evs[0].Exception[0].Value != "disk gone" {
				t.Errorf("exception %+v", evs[0].Exception)
			}
			if got := sentrytest.BreadcrumbMessages(evs[0]); len(got) != 1 || got[0] != "starting" {
				t.Errorf("breadcrumbs %q", got)
			}
		})
	}
}
