//go:build unix

package logsentry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/sentrytest"
)

// Micro-benchmarks of the bridge, below any adapter: Bridge.Emit for each
// output, and the stages every output shares (normalize, the call-site stack,
// the error chain). The slog path and its floors are in
// slogsentry/bench_test.go; how to run and compare them is in
// bench/README.md.

var (
	errBenchRoot = errors.New("connection refused")
	errBench     = fmt.Errorf("load order 1234: %w", errBenchRoot)
)

// benchAttrs are the five attributes of the slog benchmarks.
func benchAttrs() []slog.Attr {
	return []slog.Attr{
		slog.Int("user_id", 42),
		slog.String("path", "/api/v1/orders"),
		slog.Duration("latency", 12500*time.Microsecond),
		slog.Bool("ok", true),
		slog.String("region", "eu-west-1"),
	}
}

// callerPC returns the PC of the call site of its caller's caller, as slog
// records it.
func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(3, pcs[:])
	return pcs[0]
}

// siteEmitter calls Emit as an adapter does: with the PC of a logging call
// that is on the stack during Emit, so the event's stack is the caller's.
// Each siteEmitter must be called from one call site only.
type siteEmitter struct{ pc uintptr }

//go:noinline
func (s *siteEmitter) emit(ctx context.Context, br *Bridge, r Record) {
	if s.pc == 0 {
		s.pc = callerPC()
	}
	r.PC = s.pc
	br.Emit(ctx, r)
}

// siteStack calls callSite as Emit does, with the PC of its own call site.
// Each siteStack must be called from one call site only.
type siteStack struct{ pc uintptr }

//go:noinline
func (s *siteStack) callSite(br *Bridge) *sentry.Stacktrace {
	if s.pc == 0 {
		s.pc = callerPC()
	}
	return br.callSite(s.pc)
}

func BenchmarkEmit(b *testing.B) {
	noRate := WithEventRate(0, 0)
	cases := []struct {
		name string
		opts []Option
		sev  Severity
		err  bool
	}{
		{"sink=none", nil, SeverityDebug, false},
		{"sink=breadcrumb", nil, SeverityInfo, false},
		{"sink=event", []Option{noRate, WithBreadcrumbSeverity(SeverityOff)}, SeverityError, true},
		{"sink=event/message-only", []Option{noRate, WithBreadcrumbSeverity(SeverityOff)}, SeverityError, false},
		{"sink=event/rate-limited", []Option{WithBreadcrumbSeverity(SeverityOff)}, SeverityError, true},
		{"sink=log", []Option{WithBreadcrumbSeverity(SeverityOff), WithLogSeverity(SeverityInfo)}, SeverityInfo, false},
		{"sink=all", []Option{noRate, WithLogSeverity(SeverityInfo)}, SeverityError, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx, hub, tr := sentrytest.NewCountingHub(b)
			br := New(c.opts...)
			var logs *sentrytest.LogDrain // keeps every Sentry log
			if br.Sinks(c.sev)&SinkLog != 0 {
				logs = sentrytest.NewLogDrain(hub, tr)
			}
			attrs := benchAttrs()
			var site siteEmitter
			now := time.Now()
			b.ReportAllocs()
			cpu := sentrytest.StartCPU()
			for b.Loop() {
				if c.err {
					// A new error per record, as per failure: one value
					// is reported once per request (see WithoutDedupe).
					attrs[0] = slog.Any("err", fmt.Errorf("load order 1234: %w", errBenchRoot))
				}
				site.emit(ctx, br, Record{
					Time:     now,
					Severity: c.sev,
					Level:    "INFO",
					Message:  "msg",
					Attrs:    attrs,
				})
				if logs != nil {
					logs.Logged()
				}
			}
			cpu.Report(b)
			if logs != nil {
				logs.Check(b)
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	type order struct {
		ID    int               `json:"id"`
		Items []string          `json:"items"`
		Meta  map[string]string `json:"meta"`
	}
	cases := []struct {
		name  string
		attrs []slog.Attr
	}{
		{"attrs=5", benchAttrs()},
		{"attrs=5+error", append(benchAttrs(), slog.Any("err", errBench))},
		{"attrs=groups", []slog.Attr{
			slog.Group("http", slog.String("method", "GET"), slog.String("path", "/api/v1/orders"),
				slog.Group("response", slog.Int("status", 200), slog.Duration("latency", 12500*time.Microsecond))),
			slog.Group("user", slog.String("id", "u-42"), slog.String("email", "a@example.com")),
			slog.Any("fingerprint", []string{"orders", "load"}),
		}},
		{"attrs=struct", []slog.Attr{
			slog.Any("order", order{ID: 1234, Items: []string{"a", "b", "c"}, Meta: map[string]string{"src": "web"}}),
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			br := New()
			r := Record{Time: time.Now(), Severity: SeverityError, Message: "msg", Attrs: c.attrs}
			b.ReportAllocs()
			cpu := sentrytest.StartCPU()
			for b.Loop() {
				r := r
				br.normalize(&r).release()
			}
			cpu.Report(b)
		})
	}
}

func BenchmarkCallSite(b *testing.B) {
	b.Run("cache=warm", func(b *testing.B) {
		br := New()
		var site siteStack
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			if st := site.callSite(br); st == nil {
				b.Fatal("no stack")
			}
		}
		cpu.Report(b)
	})
	b.Run("impl=sentry.NewStacktrace", func(b *testing.B) {
		b.ReportAllocs()
		cpu := sentrytest.StartCPU()
		for b.Loop() {
			if sentry.NewStacktrace() == nil {
				b.Fatal("no stack")
			}
		}
		cpu.Report(b)
	})
}

func BenchmarkExceptions(b *testing.B) {
	br := New()
	b.ReportAllocs()
	cpu := sentrytest.StartCPU()
	for b.Loop() {
		if len(br.exceptions(errBench, 10)) != 2 {
			b.Fatal("want 2 exceptions")
		}
	}
	cpu.Report(b)
}
