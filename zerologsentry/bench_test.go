package zerologsentry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

// Each benchmark runs the zerolog path (impl=zerologsentry) beside its
// floor (impl=floor): the cheapest way to get the same result with zerolog
// or sentry-go alone. Compare them with
//
//	benchstat -col /impl zerolog.txt
//
// The zerolog path is the documented wiring, zerolog.New(w.Tee(io.Discard)).
// Hook(w), logging with .Ctx(ctx): zerolog encodes the line, the hook runs,
// the line goes to io.Discard, and the Writer parses it back.
// The client sends to a transport that only counts, so nothing touches the
// network.

// benchTransport counts what the client hands over; newBenchHub gives a
// hub and context on a client sending to one (see internal/sentrytest).
type benchTransport = sentrytest.CountingTransport

func newBenchHub(b testing.TB) (context.Context, *sentry.Hub, *benchTransport) {
	return sentrytest.NewCountingHub(b)
}

// The five fields of every benchmark line.
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

func benchLine(e *zerolog.Event, ctx context.Context) *zerolog.Event {
	return e.Ctx(ctx).Int("user_id", benchUserID).Str("path", benchPath).
		Dur("latency", benchLatency).Bool("ok", benchOK).Str("region", benchRegion)
}

// benchLogger is the documented wiring of w beside an io.Discard output.
func benchLogger(w *zerologsentry.Writer) zerolog.Logger {
	return zerolog.New(w.Tee(io.Discard)).Hook(w)
}

func checkSent(b *testing.B, tr *benchTransport, n int) {
	b.Helper()
	if got := tr.Events.Load(); got != int64(n) {
		b.Fatalf("%d events sent, want %d", got, n)
	}
}

// BenchmarkDisabled: a debug line, below every threshold, next to the same
// line from a plain zerolog logger writing to io.Discard.
func BenchmarkDisabled(b *testing.B) {
	run := func(b *testing.B, logger zerolog.Logger) {
		ctx, _, _ := newBenchHub(b)
		b.ReportAllocs()
		for b.Loop() {
			benchLine(logger.Debug(), ctx).Msg("msg")
		}
	}
	b.Run("impl=floor", func(b *testing.B) {
		run(b, zerolog.New(io.Discard))
	})
	b.Run("impl=zerologsentry", func(b *testing.B) {
		run(b, benchLogger(zerologsentry.NewWriter()))
	})
}

// BenchmarkBreadcrumb: an info line that becomes a breadcrumb, next to
// hub.AddBreadcrumb with the same data (which writes no line at all; see
// BenchmarkZerologFrontEnd for zerolog's own share).
func BenchmarkBreadcrumb(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		_, hub, _ := newBenchHub(b)
		b.ReportAllocs()
		for b.Loop() {
			hub.AddBreadcrumb(&sentry.Breadcrumb{
				Type:     "default",
				Category: "zerolog",
				Message:  "msg",
				Level:    sentry.LevelInfo,
				Data: map[string]any{
					"user_id": benchUserID,
					"path":    benchPath,
					"latency": float64(benchLatency) / float64(time.Millisecond),
					"ok":      benchOK,
					"region":  benchRegion,
				},
				Timestamp: time.Now(),
			}, nil)
		}
	})
	b.Run("impl=zerologsentry", func(b *testing.B) {
		ctx, _, _ := newBenchHub(b)
		logger := benchLogger(zerologsentry.NewWriter()).With().Timestamp().Logger()
		b.ReportAllocs()
		for b.Loop() {
			benchLine(logger.Info(), ctx).Msg("msg")
		}
	})
}

// BenchmarkEvent: an error line that becomes an event, next to
// hub.CaptureException with the same data in a scope.
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
					"latency": float64(benchLatency) / float64(time.Millisecond),
					"ok":      benchOK,
					"region":  benchRegion,
				})
				s.SetLevel(sentry.LevelError)
				hub.CaptureException(newErrBench())
			})
		}
		checkSent(b, tr, n)
	})
	b.Run("impl=zerologsentry", func(b *testing.B) {
		ctx, _, tr := newBenchHub(b)
		// Events only, and every one sent: the floor adds no breadcrumb
		// and has no rate limit.
		w := zerologsentry.NewWriter(
			zerologsentry.WithBreadcrumbLevel(zerolog.Disabled),
			logsentry.WithEventRate(0, 0),
		)
		logger := benchLogger(w).With().Timestamp().Logger()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			benchLine(logger.Error(), ctx).Err(newErrBench()).Msg("msg")
		}
		checkSent(b, tr, n)
	})
}

// BenchmarkLog: an info line that becomes a Sentry log, next to
// sentry.NewLogger with the same attributes.
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
				e = e.String("sentry.origin", "auto.log.zerolog").String("logger.name", "zerolog").String("log.level", "info")
			}
			e.Int("user_id", benchUserID).
				String("path", benchPath).
				Float64("latency", float64(benchLatency)/float64(time.Millisecond)).
				Bool("ok", benchOK).
				String("region", benchRegion).
				Emit("msg")
			logs.Logged()
		}
		logs.Check(b)
	}
	b.Run("impl=floor", func(b *testing.B) { floor(b, false) })
	b.Run("impl=floor-same-attrs", func(b *testing.B) { floor(b, true) })
	b.Run("impl=zerologsentry", func(b *testing.B) {
		ctx, hub, tr := newBenchHub(b)
		logs := sentrytest.NewLogDrain(hub, tr)
		w := zerologsentry.NewWriter(
			zerologsentry.WithLogLevel(zerolog.InfoLevel),
			zerologsentry.WithBreadcrumbLevel(zerolog.Disabled),
		)
		logger := benchLogger(w).With().Timestamp().Logger()
		b.ReportAllocs()
		for b.Loop() {
			benchLine(logger.Info(), ctx).Msg("msg")
			logs.Logged()
		}
		logs.Check(b)
	})
}

// BenchmarkZerologFrontEnd is the part of every enabled line that no
// zerolog writer can avoid: zerolog encodes it (with a timestamp) and
// writes it to io.Discard. The floors above do not pay it.
func BenchmarkZerologFrontEnd(b *testing.B) {
	ctx, _, _ := newBenchHub(b)
	logger := zerolog.New(io.Discard).With().Timestamp().Logger()
	b.ReportAllocs()
	for b.Loop() {
		benchLine(logger.Info(), ctx).Msg("msg")
	}
}
