package logrussentry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/logrussentry"
)

// printTransport is a sentry.Transport that prints what it would send, so
// the examples run without a Sentry account.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions)        {}
func (printTransport) Flush(time.Duration) bool              { return true }
func (printTransport) FlushWithContext(context.Context) bool { return true }
func (printTransport) Close()                                {}

func (printTransport) SendEvent(ev *sentry.Event) {
	if ev.Type == "log" {
		for _, l := range ev.Logs {
			fmt.Printf("sentry log   %s %q\n", l.Level, l.Body)
		}
		return
	}
	fmt.Printf("sentry event %s %q logger=%s\n", ev.Level, ev.Message, ev.Logger)
	for _, ex := range ev.Exception {
		fmt.Printf("  exception  %s: %s\n", ex.Type, ex.Value)
	}
	if a := ev.Contexts["attributes"]; len(a) > 0 {
		fmt.Printf("  attributes %v\n", map[string]any(a))
	}
	for _, b := range ev.Breadcrumbs {
		keys := make([]string, 0, len(b.Data))
		for k := range b.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Printf("  breadcrumb %s %q %v\n", b.Level, b.Message, keys)
	}
}

// exampleHub returns a hub whose client prints instead of sending. A real
// program calls sentry.Init and needs no hub of its own.
func exampleHub() *sentry.Hub {
	client, err := sentry.NewClient(sentry.ClientOptions{Transport: printTransport{}})
	if err != nil {
		panic(err)
	}
	return sentry.NewHub(client, sentry.NewScope())
}

// exampleLogger returns a logger writing plain text to stdout.
func exampleLogger() *logrus.Logger {
	logger := logrus.New()
	logger.Out = os.Stdout
	logger.Formatter = &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true}
	return logger
}

// Error entries become Sentry events carrying the earlier entries as
// breadcrumbs. The hook fires before logrus writes the line.
func Example() {
	hub := exampleHub()
	defer hub.Client().Close()

	logger := exampleLogger()
	logger.AddHook(logrussentry.NewHook(logsentry.WithHub(hub)))

	logger.WithField("order", 1234).Info("charging card")
	logger.WithFields(logrus.Fields{"order": 1234, "http": map[string]any{"status": 502}}).
		WithError(fmt.Errorf("charge: %w", errors.New("gateway timeout"))).
		Error("payment failed")

	// Output:
	// level=info msg="charging card" order=1234
	// sentry event error "payment failed" logger=logrus
	//   exception  *errors.errorString: gateway timeout
	//   exception  *fmt.wrapError: charge: gateway timeout
	//   attributes map[http:map[status:502] order:1234]
	//   breadcrumb info "charging card" [order]
	// level=error msg="payment failed" error="charge: gateway timeout" http="map[status:502]" order=1234
}

// Each request logs with a context carrying its own trail, so its
// breadcrumbs never show up on another request's events.
func Example_context() {
	hub := exampleHub()
	defer hub.Client().Close()

	logger := exampleLogger()
	logger.Out = io.Discard // console output off for this example
	logger.AddHook(logrussentry.NewHook(logsentry.WithHub(hub)))

	base := sentry.SetHubOnContext(context.Background(), hub)
	reqA := logger.WithContext(breadcrumbs.WithTrail(base))
	reqB := logger.WithContext(breadcrumbs.WithTrail(base))

	reqA.Info("A: loaded cart")
	reqB.Info("B: loaded profile")
	reqA.Info("A: reserved stock")
	reqB.Error("B: profile incomplete")
	reqA.Error("A: payment declined")

	// Output:
	// sentry event error "B: profile incomplete" logger=logrus
	//   breadcrumb info "B: loaded profile" []
	// sentry event error "A: payment declined" logger=logrus
	//   breadcrumb info "A: loaded cart" []
	//   breadcrumb info "A: reserved stock" []
}

// A Fatal entry's event is sent and flushed before logrus writes the line
// and exits. Here ExitFunc stands in for os.Exit.
func Example_fatal() {
	hub := exampleHub()
	defer hub.Client().Close()

	logger := exampleLogger()
	logger.ExitFunc = func(code int) { fmt.Println("exit", code) }
	logger.AddHook(logrussentry.NewHook(
		logsentry.WithHub(hub),
		logrussentry.WithLogLevel(logrus.WarnLevel),
		logsentry.WithFlushTimeout(time.Second),
	))

	logger.WithField("job", "nightly").Fatal("cannot open database")

	// Output:
	// sentry event fatal "cannot open database" logger=logrus
	//   attributes map[job:nightly]
	// sentry log   fatal "cannot open database"
	// level=fatal msg="cannot open database" job=nightly
	// exit 1
}

// Severity places logrus levels on the bridge's scale; thresholds compare
// on it, "this level and more severe".
func ExampleSeverity() {
	for _, l := range logrus.AllLevels {
		s := logrussentry.Severity(l)
		fmt.Printf("%-7s %2d %-7s %s\n", l, int(s), s, s.SentryLevel())
	}
	// Output:
	// panic   22 FATAL+1 fatal
	// fatal   21 FATAL   fatal
	// error   17 ERROR   error
	// warning 13 WARN    warning
	// info     9 INFO    info
	// debug    5 DEBUG   debug
	// trace    1 TRACE   debug
}

// Levels lists what the hook asks logrus for; logrus never calls it for
// the other levels.
func ExampleHook_Levels() {
	hook := logrussentry.NewHook(
		logrussentry.WithEventLevel(logrus.WarnLevel),
		logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
	)
	fmt.Println(hook.Levels())
	// Output:
	// [panic fatal error warning]
}

// NewHook takes one threshold per output, in logrus levels. Here warnings
// and above also become Sentry Logs, which the client sends in batches.
func ExampleNewHook() {
	hub := exampleHub()
	defer hub.Client().Close()

	logger := exampleLogger()
	logger.Out = io.Discard // console output off for this example
	logger.SetLevel(logrus.DebugLevel)
	hook := logrussentry.NewHook(
		logsentry.WithHub(hub),
		logrussentry.WithEventLevel(logrus.ErrorLevel),     // issues (default)
		logrussentry.WithBreadcrumbLevel(logrus.InfoLevel), // breadcrumbs (default)
		logrussentry.WithLogLevel(logrus.WarnLevel),        // Sentry Logs (default: off)
	)
	logger.AddHook(hook)

	logger.Debug("cache warm")           // below every threshold
	logger.Info("request started")       // a breadcrumb
	logger.Warn("slow upstream")         // a breadcrumb and a Sentry log
	logger.Error("upstream failed")      // an event, then a breadcrumb and a Sentry log
	_ = hook.Flush(context.Background()) // sends the batched logs

	// Output:
	// sentry event error "upstream failed" logger=logrus
	//   breadcrumb info "request started" []
	//   breadcrumb warning "slow upstream" []
	// sentry log   warn "slow upstream"
	// sentry log   error "upstream failed"
}
