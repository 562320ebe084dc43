//go:build unix

package zapsentry_test

import (
	"context"
	"errors"
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

// Each benchmark runs the Core beside its floor: the same work written by
// hand with zap or sentry-go. Events and logs go to a counting transport, so
// the numbers are the cost in the logging goroutine, without the network.

func benchHub(b *testing.B) *sentry.Hub {
	_, hub, _ := sentrytest.NewCountingHub(b)
	return hub
}

func discardJSON(l zapcore.Level) *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), l))
}

// BenchmarkBelowThreshold: a Debug entry that no output takes.
func BenchmarkBelowThreshold(b *testing.B) {
	b.Run("zapsentry", func(b *testing.B) {
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b))))
		b.ReportAllocs()
		for b.Loop() {
			logger.Debug("cache miss", zap.String("item", "sku-9"), zap.Int("qty", 3))
		}
	})
	b.Run("zap JSON to io.Discard", func(b *testing.B) {
		logger := discardJSON(zapcore.InfoLevel)
		b.ReportAllocs()
		for b.Loop() {
			logger.Debug("cache miss", zap.String("item", "sku-9"), zap.Int("qty", 3))
		}
	})
}

// BenchmarkBreadcrumb: an Info entry that becomes a breadcrumb.
func BenchmarkBreadcrumb(b *testing.B) {
	b.Run("zapsentry", func(b *testing.B) {
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b))))
		b.ReportAllocs()
		for b.Loop() {
			logger.Info("cart loaded", zap.String("item", "sku-9"), zap.Int("qty", 3))
		}
	})
	b.Run("hub.AddBreadcrumb", func(b *testing.B) {
		hub := benchHub(b)
		b.ReportAllocs()
		for b.Loop() {
			hub.AddBreadcrumb(&sentry.Breadcrumb{
				Type: "default", Category: "zap", Message: "cart loaded", Level: sentry.LevelInfo,
				Data: map[string]any{"item": "sku-9", "qty": 3}, Timestamp: time.Now(),
			}, nil)
		}
	})
	b.Run("zap JSON to io.Discard", func(b *testing.B) {
		logger := discardJSON(zapcore.InfoLevel)
		b.ReportAllocs()
		for b.Loop() {
			logger.Info("cart loaded", zap.String("item", "sku-9"), zap.Int("qty", 3))
		}
	})
}

// BenchmarkEvent: an Error entry with an error that becomes an event, beside
// its floor (impl=floor): what a user writes by hand with sentry-go for the
// same report, as in the other adapters' benchmarks: a scope with the same
// contexts ("attributes" and "log") and level, and CaptureException, which
// converts the error and takes the stack trace. Breadcrumbs are off and there
// is no rate limit, as the floor has neither. impl=prebuilt-event hands the
// SDK an event already filled in (no scope, no error conversion): a lower
// bound for reference, not a way to report an error.
func BenchmarkEvent(b *testing.B) {
	err := errors.New("card declined")
	run := func(b *testing.B, opts []zap.Option) {
		_, hub, tr := sentrytest.NewCountingHub(b)
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(hub), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff), noRateLimit), opts...)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.Error("payment failed", zap.Error(err), zap.String("order", "o-1"))
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
				s.SetContext("attributes", sentry.Context{"order": "o-1"})
				s.SetContext("log", sentry.Context{"severity": 17, "level": "ERROR"})
				s.SetLevel(sentry.LevelError)
				hub.CaptureException(err)
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
				Level: sentry.LevelError, Message: "payment failed", Logger: "zap", Timestamp: time.Now(),
				Contexts: map[string]sentry.Context{"attributes": {"order": "o-1"}},
				Exception: []sentry.Exception{{
					Type: "*errors.errorString", Value: err.Error(), Stacktrace: sentry.NewStacktrace(),
				}},
				Fingerprint: []string{"payment failed", "*errors.errorString"},
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

// BenchmarkLog: an Info entry that becomes a Sentry structured log only.
func BenchmarkLog(b *testing.B) {
	b.Run("zapsentry", func(b *testing.B) {
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(benchHub(b)),
			zapsentry.WithEventLevel(zapsentry.LevelOff), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff),
			zapsentry.WithLogLevel(zapcore.InfoLevel)))
		b.ReportAllocs()
		for b.Loop() {
			logger.Info("cart loaded", zap.String("item", "sku-9"), zap.Int("qty", 3))
		}
	})
	b.Run("sentry.NewLogger", func(b *testing.B) {
		logger := sentry.NewLogger(sentry.SetHubOnContext(context.Background(), benchHub(b)))
		b.ReportAllocs()
		for b.Loop() {
			logger.Info().String("item", "sku-9").Int("qty", 3).Emit("cart loaded")
		}
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

// noRateLimit lets every iteration of an event benchmark make an event.
var noRateLimit = logsentry.WithEventRate(0, 0)
