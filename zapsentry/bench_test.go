//go:build unix

package zapsentry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zapsentry"
)

// Each benchmark runs the zap path (impl=zapsentry) beside its floor
// (impl=floor): the cheapest way to get the same result with zap or
// sentry-go alone, in the same run. Compare them with
//
//	benchstat -col /impl bench/adapters.txt
//
// impl=zap is zap's own share of an enabled entry (the same call on a core
// that takes every entry and does nothing with it), which the sentry-go
// floors do not pay.
// Events and logs go to a counting transport, so the numbers are the cost
// in the logging goroutine, without the network. The records carry the
// five fields of the other adapters' benchmarks.

func benchHub(b *testing.B) *sentry.Hub {
	_, hub, _ := sentrytest.NewCountingHub(b)
	return hub
}

func discardJSON(l zapcore.Level) *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), l))
}

// The five fields of every benchmark record.
const (
	benchUserID  = 42
	benchPath    = "/api/v1/orders"
	benchLatency = 12500 * time.Microsecond
	benchOK      = true
	benchRegion  = "eu-west-1"
)

// logBench logs msg at level l with the five fields, as logger.Info does.
func logBench(logger *zap.Logger, l zapcore.Level, msg string) {
	logger.Log(l, msg, zap.Int("user_id", benchUserID), zap.String("path", benchPath),
		zap.Duration("latency", benchLatency), zap.Bool("ok", benchOK), zap.String("region", benchRegion))
}

// runBench runs the zap call at level l in the loop, reporting CPU time.
func runBench(b *testing.B, logger *zap.Logger, l zapcore.Level) {
	b.ReportAllocs()
	cpu := sentrytest.StartCPU()
	for b.Loop() {
		logBench(logger, l, "msg")
	}
	cpu.Report(b)
}

// BenchmarkBelowThreshold: a Debug entry that no output takes, beside the
// same entry on a JSON core at Info.
func BenchmarkBelowThreshold(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		runBench(b, discardJSON(zapcore.InfoLevel), zapcore.DebugLevel)
	})
	b.Run("impl=zapsentry", func(b *testing.B) {
		runBench(b, zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b)))), zapcore.DebugLevel)
	})
}

// BenchmarkBreadcrumb: an Info entry that becomes a breadcrumb, beside
// hub.AddBreadcrumb of the same breadcrumb.
func BenchmarkBreadcrumb(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		hub := benchHub(b)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			hub.AddBreadcrumb(&sentry.Breadcrumb{
				Type:     "default",
				Category: "zap",
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
		cpu.Report(b)
	})
	b.Run("impl=zap", func(b *testing.B) {
		runBench(b, zap.New(nopCore{}), zapcore.InfoLevel)
	})
	b.Run("impl=zapsentry", func(b *testing.B) {
		runBench(b, zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b)))), zapcore.InfoLevel)
	})
}

// errConnRefused is the root of BenchmarkEvent's errors: a sentinel.
var errConnRefused = errors.New("connection refused")

// newErrBench returns the error of a BenchmarkEvent record: a sentinel
// wrapped where it failed, as most Go code returns it. Each record has
// its own, as each failure does: the bridge reports an error value once per
// request (see logsentry.WithoutDedupe), the floor every time.
func newErrBench() error { return fmt.Errorf("load order 1234: %w", errConnRefused) }

// BenchmarkEvent: an Error entry with an error and four fields that becomes
// an event, beside its floor (impl=floor): what a user writes by hand with
// sentry-go for the same report, as in the other adapters' benchmarks: a
// scope with the same "attributes" context and level, and CaptureException,
// which converts the error and takes the stack trace. Breadcrumbs are off
// and there is no rate limit, as the floor has neither. impl=prebuilt-event
// hands the SDK an event already filled in (no scope, no error conversion):
// a lower bound for reference, not a way to report an error.
func BenchmarkEvent(b *testing.B) {
	run := func(b *testing.B, opts []zap.Option) {
		_, hub, tr := sentrytest.NewCountingHub(b)
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(hub), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff), noRateLimit), opts...)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.Error("msg", zap.Error(newErrBench()), zap.String("path", benchPath),
				zap.Duration("latency", benchLatency), zap.Bool("ok", benchOK), zap.String("region", benchRegion))
		}
		cpu.Report(b)
		checkSent(b, tr)
	}
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, tr := sentrytest.NewCountingHub(b)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			hub.WithScope(func(s *sentry.Scope) {
				s.SetContext("attributes", sentry.Context{
					"path":    benchPath,
					"latency": benchLatency.String(),
					"ok":      benchOK,
					"region":  benchRegion,
				})
				s.SetLevel(sentry.LevelError)
				hub.CaptureException(newErrBench())
			})
		}
		cpu.Report(b)
		checkSent(b, tr)
	})
	b.Run("impl=zapsentry", func(b *testing.B) { run(b, nil) })
	b.Run("impl=zapsentry-caller", func(b *testing.B) { run(b, []zap.Option{zap.AddCaller()}) })
	b.Run("impl=prebuilt-event", func(b *testing.B) {
		_, hub, tr := sentrytest.NewCountingHub(b)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			hub.CaptureEvent(&sentry.Event{
				Level: sentry.LevelError, Message: "msg", Logger: "zap", Timestamp: time.Now(),
				Contexts: map[string]sentry.Context{"attributes": {
					"path":    benchPath,
					"latency": benchLatency.String(),
					"ok":      benchOK,
					"region":  benchRegion,
				}},
				Exception: []sentry.Exception{{
					Type: "*fmt.wrapError", Value: "load order 1234: connection refused", Stacktrace: sentry.NewStacktrace(),
				}},
				Fingerprint: []string{"msg", "*errors.errorString"},
			})
		}
		cpu.Report(b)
		checkSent(b, tr)
	})
}

// checkSent fails b unless each iteration sent an event: a benchmark of
// dropped events would measure nothing.
func checkSent(b *testing.B, tr *sentrytest.CountingTransport) {
	b.Helper()
	if got := tr.Events.Load(); got != int64(b.N) {
		b.Fatalf("%d events reached the transport, want %d", got, b.N)
	}
}

// BenchmarkLog: an Info entry that becomes a Sentry structured log only,
// beside sentry.NewLogger emitting the same five attributes
// (impl=floor) and the same eight the bridge sends, with sentry.origin,
// logger.name and log.level (impl=floor-same-attrs).
func BenchmarkLog(b *testing.B) {
	floor := func(b *testing.B, extra bool) {
		ctx, hub, tr := sentrytest.NewCountingHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := sentry.NewLogger(ctx)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			e := logger.Info().WithCtx(ctx)
			if extra {
				e = e.String("sentry.origin", "auto.log.zap").String("logger.name", "zap").String("log.level", "INFO")
			}
			e.Int("user_id", benchUserID).
				String("path", benchPath).
				String("latency", benchLatency.String()).
				Bool("ok", benchOK).
				String("region", benchRegion).
				Emit("msg")
			logs.Logged()
		}
		cpu.Report(b)
		logs.Check(b)
	}
	b.Run("impl=floor", func(b *testing.B) { floor(b, false) })
	b.Run("impl=floor-same-attrs", func(b *testing.B) { floor(b, true) })
	b.Run("impl=zapsentry", func(b *testing.B) {
		_, hub, tr := sentrytest.NewCountingHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(hub),
			zapsentry.WithEventLevel(zapsentry.LevelOff), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff),
			zapsentry.WithLogLevel(zapcore.InfoLevel)))
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logBench(logger, zapcore.InfoLevel, "msg")
			logs.Logged()
		}
		cpu.Report(b)
		logs.Check(b)
	})
}

// BenchmarkWith: deriving a request logger with a context and two fields.
func BenchmarkWith(b *testing.B) {
	ctx := context.Background()
	b.Run("zapsentry", func(b *testing.B) {
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b))))
		b.ReportAllocs()
		for b.Loop() {
			_ = logger.With(zapsentry.Context(ctx), zap.String("request_id", "r-1"), zap.Int("user", 7))
		}
	})
	b.Run("zap JSON to io.Discard", func(b *testing.B) {
		logger := discardJSON(zapcore.InfoLevel)
		b.ReportAllocs()
		for b.Loop() {
			_ = logger.With(zapsentry.Context(ctx), zap.String("request_id", "r-1"), zap.Int("user", 7))
		}
	})
}

// nopCore takes every entry and drops it.
type nopCore struct{}

func (nopCore) Enabled(zapcore.Level) bool                 { return true }
func (c nopCore) With([]zapcore.Field) zapcore.Core        { return c }
func (nopCore) Write(zapcore.Entry, []zapcore.Field) error { return nil }
func (nopCore) Sync() error                                { return nil }
func (c nopCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}

// noRateLimit lets every iteration of an event benchmark make an event.
var noRateLimit = logsentry.WithEventRate(0, 0)
