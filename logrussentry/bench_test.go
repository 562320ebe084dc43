package logrussentry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

// Each benchmark runs the logrus path (impl=logrussentry) beside its floor
// (impl=floor): the cheapest way to get the same result with logrus or
// sentry-go alone. Compare them with
//
//	benchstat -col /impl bench/logrus.txt
//
// Except in BenchmarkBelowThreshold, the loggers format nothing
// (nopFormatter, to io.Discard), so impl=logrussentry measures logrus's own
// dispatch (entry copy, fields map) plus the hook; impl=logrus is that
// dispatch alone, without the hook. The client sends to a transport that
// only counts (benchTransport), so nothing touches the network.

// benchTransport counts what the client hands over; newBenchHub gives a
// hub and context on a client sending to one (see internal/sentrytest).
type benchTransport = sentrytest.CountingTransport

func newBenchHub(b testing.TB) (context.Context, *sentry.Hub, *benchTransport) {
	return sentrytest.NewCountingHub(b)
}

// newBenchLogger returns a logger at TraceLevel that formats nothing, with
// hooks added.
func newBenchLogger(hooks ...logrus.Hook) *logrus.Logger {
	logger := logrus.New()
	logger.Out = io.Discard
	logger.Formatter = nopFormatter{}
	logger.Level = logrus.TraceLevel
	for _, h := range hooks {
		logger.AddHook(h)
	}
	return logger
}

// The five fields of every benchmark record.
const (
	benchUserID  = 42
	benchPath    = "/api/v1/orders"
	benchLatency = 12500 * time.Microsecond
	benchOK      = true
	benchRegion  = "eu-west-1"
)

func benchFields() logrus.Fields {
	return logrus.Fields{
		"user_id": benchUserID,
		"path":    benchPath,
		"latency": benchLatency,
		"ok":      benchOK,
		"region":  benchRegion,
	}
}

// errConnRefused is the root of BenchmarkEvent's errors: a sentinel.
var errConnRefused = errors.New("connection refused")

// newErrBench returns the error of a BenchmarkEvent record: a sentinel
// wrapped where it failed, as most Go code returns it. Each record has
// its own, as each failure does: the bridge reports an error value once per
// request (see logsentry.WithoutDedupe), the floor every time.
func newErrBench() error { return fmt.Errorf("load order 1234: %w", errConnRefused) }

// BenchmarkBelowThreshold logs a debug entry the logger writes (JSON, to
// io.Discard) but the hook's thresholds exclude: adding the hook must cost
// nothing, as logrus does not even call it.
func BenchmarkBelowThreshold(b *testing.B) {
	run := func(b *testing.B, hooks ...logrus.Hook) {
		logger := logrus.New()
		logger.Out = io.Discard
		logger.Formatter = &logrus.JSONFormatter{}
		logger.Level = logrus.DebugLevel
		for _, h := range hooks {
			logger.AddHook(h)
		}
		b.ReportAllocs()
		for b.Loop() {
			logger.WithFields(benchFields()).Debug("msg")
		}
	}
	b.Run("impl=floor", func(b *testing.B) { run(b) })
	b.Run("impl=logrussentry", func(b *testing.B) {
		_, hub, tr := newBenchHub(b)
		run(b, logrussentry.NewHook(logsentry.WithHub(hub)))
		if tr.Events.Load() != 0 {
			b.Fatal("an event was sent below the thresholds")
		}
	})
}

func BenchmarkBreadcrumb(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, _ := newBenchHub(b)
		b.ReportAllocs()
		for b.Loop() {
			hub.AddBreadcrumb(&sentry.Breadcrumb{
				Type:     "default",
				Category: "logrus",
				Message:  "msg",
				Level:    sentry.LevelInfo,
				Data: map[string]any{
					"user_id": benchUserID,
					"path":    benchPath,
					"latency": benchLatency.String(),
					"ok":      benchOK,
					"region":  benchRegion,
				},
				Timestamp: time.Now(),
			}, nil)
		}
	})
	b.Run("impl=logrus", func(b *testing.B) {
		ctx, _, _ := newBenchHub(b)
		logger := newBenchLogger()
		b.ReportAllocs()
		for b.Loop() {
			logger.WithContext(ctx).WithFields(benchFields()).Info("msg")
		}
	})
	b.Run("impl=logrussentry", func(b *testing.B) {
		ctx, hub, _ := newBenchHub(b)
		logger := newBenchLogger(logrussentry.NewHook())
		b.ReportAllocs()
		for b.Loop() {
			logger.WithContext(ctx).WithFields(benchFields()).Info("msg")
		}
		if hub.Scope() == nil {
			b.Fatal("no scope")
		}
	})
}

func BenchmarkEvent(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, tr := newBenchHub(b)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			hub.WithScope(func(s *sentry.Scope) {
				s.SetContext("attributes", sentry.Context{
					"user_id": benchUserID,
					"path":    benchPath,
					"latency": benchLatency.String(),
					"ok":      benchOK,
					"region":  benchRegion,
				})
				s.SetLevel(sentry.LevelError)
				hub.CaptureException(newErrBench())
			})
		}
		checkSent(b, tr, n)
	})
	b.Run("impl=logrus", func(b *testing.B) {
		ctx, _, _ := newBenchHub(b)
		logger := newBenchLogger()
		b.ReportAllocs()
		for b.Loop() {
			logger.WithContext(ctx).WithError(newErrBench()).WithFields(benchFields()).Error("msg")
		}
	})
	b.Run("impl=logrussentry", func(b *testing.B) {
		ctx, _, tr := newBenchHub(b)
		// Events only, as the floor adds no breadcrumb; no rate limit, or
		// this would measure refused events after the first ten.
		logger := newBenchLogger(logrussentry.NewHook(
			logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
			logsentry.WithEventRate(0, 0),
		))
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			logger.WithContext(ctx).WithError(newErrBench()).WithFields(benchFields()).Error("msg")
		}
		checkSent(b, tr, n)
	})
}

func BenchmarkLog(b *testing.B) {
	// impl=floor-same-attrs also sends the three attributes the bridge
	// always adds: sentry.origin, logger.name and log.level.
	floor := func(b *testing.B, extra bool) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := sentry.NewLogger(ctx)
		b.ReportAllocs()
		for b.Loop() {
			e := logger.Info().WithCtx(ctx)
			if extra {
				e = e.String("sentry.origin", "auto.log.logrus").String("logger.name", "logrus").String("log.level", "info")
			}
			e.Int("user_id", benchUserID).
				String("path", benchPath).
				String("latency", benchLatency.String()).
				Bool("ok", benchOK).
				String("region", benchRegion).
				Emit("msg")
			logs.Logged()
		}
		logs.Check(b)
	}
	b.Run("impl=floor", func(b *testing.B) { floor(b, false) })
	b.Run("impl=floor-same-attrs", func(b *testing.B) { floor(b, true) })
	b.Run("impl=logrus", func(b *testing.B) {
		ctx, _, _ := newBenchHub(b)
		logger := newBenchLogger()
		b.ReportAllocs()
		for b.Loop() {
			logger.WithContext(ctx).WithFields(benchFields()).Info("msg")
		}
	})
	b.Run("impl=logrussentry", func(b *testing.B) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := newBenchLogger(logrussentry.NewHook(
			logrussentry.WithLogLevel(logrus.InfoLevel),
			logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
		))
		b.ReportAllocs()
		for b.Loop() {
			logger.WithContext(ctx).WithFields(benchFields()).Info("msg")
			logs.Logged()
		}
		logs.Check(b)
	})
}

// checkSent fails b unless every iteration's event reached the transport: a
// benchmark of dropped events would measure something else.
func checkSent(b *testing.B, tr *benchTransport, n int) {
	b.Helper()
	if got := tr.Events.Load(); got != int64(n) {
		b.Fatalf("%d events reached the transport in %d iterations", got, n)
	}
}
