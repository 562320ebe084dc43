//go:build unix

package slogsentry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// Each benchmark runs the slog path (impl=slogsentry) beside its floor
// (impl=floor): the cheapest way to get the same result with slog or
// sentry-go alone. Compare them with
//
//	benchstat -col /impl bench/slog.txt
//
// The client sends to a transport that only counts (benchTransport), so
// nothing touches the network; see bench/README.md.

// benchTransport counts what the client hands over; newBenchHub gives a
// hub and context on a client sending to one (see internal/sentrytest).
type benchTransport = sentrytest.CountingTransport

func newBenchHub(b testing.TB) (context.Context, *sentry.Hub, *benchTransport) {
	return sentrytest.NewCountingHub(b)
}

// The five attributes of every benchmark record.
const (
	benchUserID  = 42
	benchPath    = "/api/v1/orders"
	benchLatency = 12500 * time.Microsecond
	benchOK      = true
	benchRegion  = "eu-west-1"
)

// errConnRefused is the root of BenchmarkEvent's errors: a sentinel.
var errConnRefused = errors.New("connection refused")

// newErrBench returns the error of a BenchmarkEvent record: a sentinel
// wrapped where it failed, as most Go code returns it. Each record has
// its own, as each failure does: the bridge reports an error value once per
// request (see logsentry.WithoutDedupe), the floor every time.
func newErrBench() error { return fmt.Errorf("load order 1234: %w", errConnRefused) }

func BenchmarkDisabled(b *testing.B) {
	run := func(b *testing.B, logger *slog.Logger) {
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.Debug("msg", "user_id", benchUserID, "path", benchPath,
				"latency", benchLatency, "ok", benchOK, "region", benchRegion)
		}
		cpu.Report(b)
	}
	b.Run("impl=floor", func(b *testing.B) {
		run(b, slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})))
	})
	b.Run("impl=slogsentry", func(b *testing.B) {
		run(b, slog.New(slogsentry.NewHandler()))
	})
}

func BenchmarkBreadcrumb(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, _ := newBenchHub(b)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			addFloorBreadcrumb(hub)
		}
		cpu.Report(b)
	})
	b.Run("impl=slogsentry", func(b *testing.B) {
		ctx, _, _ := newBenchHub(b)
		logger := slog.New(slogsentry.NewHandler())
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logInfo(ctx, logger)
		}
		cpu.Report(b)
	})
}

// addFloorBreadcrumb is the floor of the breadcrumb benchmarks: the
// breadcrumb of their record, added by hand.
func addFloorBreadcrumb(hub *sentry.Hub) {
	hub.AddBreadcrumb(&sentry.Breadcrumb{
		Type:     "default",
		Category: "slog",
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

// logInfo is the record of the breadcrumb benchmarks.
func logInfo(ctx context.Context, logger *slog.Logger) {
	logger.InfoContext(ctx, "msg", "user_id", benchUserID, "path", benchPath,
		"latency", benchLatency, "ok", benchOK, "region", benchRegion)
}

// BenchmarkBreadcrumbParallel is BenchmarkBreadcrumb on every core at
// once, each goroutine with its own hub, as breadcrumbs.Middleware gives
// each request: nothing in the SDK is shared, so any cost of sharing
// between cores (a lock, a counter) is the bridge's.
func BenchmarkBreadcrumbParallel(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, _ := newBenchHub(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			hub := hub.Clone()
			for pb.Next() {
				addFloorBreadcrumb(hub)
			}
		})
	})
	b.Run("impl=slogsentry", func(b *testing.B) {
		_, hub, _ := newBenchHub(b)
		logger := slog.New(slogsentry.NewHandler())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := sentry.SetHubOnContext(context.Background(), hub.Clone())
			for pb.Next() {
				logInfo(ctx, logger)
			}
		})
	})
}

func BenchmarkEvent(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, tr := newBenchHub(b)
		b.ReportAllocs()
		n := 0
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			n++
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
		checkSent(b, tr, n)
	})
	b.Run("impl=slogsentry", func(b *testing.B) {
		ctx, _, tr := newBenchHub(b)
		// Events only, and every one sent: the floor adds no breadcrumb
		// and has no rate limit.
		logger := slog.New(slogsentry.NewHandler(
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
			logsentry.WithEventRate(0, 0),
		))
		b.ReportAllocs()
		n := 0
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			n++
			logger.ErrorContext(ctx, "msg", "err", newErrBench(), "path", benchPath,
				"latency", benchLatency, "ok", benchOK, "region", benchRegion)
		}
		cpu.Report(b)
		checkSent(b, tr, n)
	})
}

func BenchmarkLog(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := sentry.NewLogger(ctx)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.Info().WithCtx(ctx).
				Int("user_id", benchUserID).
				String("path", benchPath).
				String("latency", benchLatency.String()).
				Bool("ok", benchOK).
				String("region", benchRegion).
				Emit("msg")
			logs.Logged()
		}
		cpu.Report(b)
		logs.Check(b)
	})
	// The same payload as the bridge's: its five attributes plus the three
	// it always adds (sentry.origin, logger.name, log.level). The SDK's cost
	// grows with each attribute (it formats every one to size the log).
	b.Run("impl=floor-same-attrs", func(b *testing.B) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := sentry.NewLogger(ctx)
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.Info().WithCtx(ctx).
				String("sentry.origin", "auto.log.slog").
				String("logger.name", "slog").
				String("log.level", "INFO").
				Int("user_id", benchUserID).
				String("path", benchPath).
				String("latency", benchLatency.String()).
				Bool("ok", benchOK).
				String("region", benchRegion).
				Emit("msg")
			logs.Logged()
		}
		cpu.Report(b)
		logs.Check(b)
	})
	b.Run("impl=slogsentry", func(b *testing.B) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		logger := slog.New(slogsentry.NewHandler(
			slogsentry.WithLogLevel(slog.LevelInfo),
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		))
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			logger.InfoContext(ctx, "msg", "user_id", benchUserID, "path", benchPath,
				"latency", benchLatency, "ok", benchOK, "region", benchRegion)
			logs.Logged()
		}
		cpu.Report(b)
		logs.Check(b)
	})
}

// BenchmarkSlogFrontEnd is the part of every enabled slog call that no
// handler can avoid: the Logger builds a slog.Record (with runtime.Callers
// for its PC) and hands it to a handler that here does nothing. It is the
// share of the slog path's cost that the sentry-go floors do not pay.
func BenchmarkSlogFrontEnd(b *testing.B) {
	ctx, _, _ := newBenchHub(b)
	logger := slog.New(nopHandler{})
	b.ReportAllocs()
	cpu := sentrytest.StartCPU()
	for b.Loop() {
		logger.InfoContext(ctx, "msg", "user_id", benchUserID, "path", benchPath,
			"latency", benchLatency, "ok", benchOK, "region", benchRegion)
	}
	cpu.Report(b)
}

// nopHandler is enabled for every level and drops every record.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// checkSent fails b unless each of the n iterations sent an event: a
// benchmark of dropped events would measure nothing.
func checkSent(b *testing.B, tr *benchTransport, n int) {
	b.Helper()
	if got := tr.Events.Load(); got != int64(n) {
		b.Fatalf("%d events reached the transport, want %d", got, n)
	}
}
