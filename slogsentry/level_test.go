package slogsentry_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"testing"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// levels are the slog levels every level table covers, named as slog names
// them.
var levels = []slog.Level{
	slog.LevelDebug - 4,
	slog.LevelDebug,
	slog.LevelInfo,
	slog.LevelInfo + 2,
	slog.LevelWarn,
	slog.LevelError,
	slog.LevelError + 2,
	slogsentry.LevelFatal,
	slog.LevelError + 8,
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  logsentry.Severity
		name  string // Severity.String
	}{
		{slog.Level(math.MinInt), logsentry.SeverityTrace, "TRACE"},
		{slog.LevelDebug - 8, logsentry.SeverityTrace, "TRACE"},
		{slog.LevelDebug - 4, logsentry.SeverityTrace, "TRACE"},
		{slog.LevelDebug - 1, logsentry.SeverityTrace + 3, "TRACE+3"},
		{slog.LevelDebug, logsentry.SeverityDebug, "DEBUG"},
		{slog.LevelInfo, logsentry.SeverityInfo, "INFO"},
		{slog.LevelInfo + 2, logsentry.SeverityInfo + 2, "INFO+2"},
		{slog.LevelWarn, logsentry.SeverityWarn, "WARN"},
		{slog.LevelError, logsentry.SeverityError, "ERROR"},
		{slog.LevelError + 2, logsentry.SeverityError + 2, "ERROR+2"},
		{slogsentry.LevelFatal, logsentry.SeverityFatal, "FATAL"},
		{slogsentry.LevelFatal + 3, logsentry.SeverityMax, "FATAL+3"},
		{slog.LevelError + 8, logsentry.SeverityMax, "FATAL+3"},
		{slog.Level(math.MaxInt - 1), logsentry.SeverityMax, "FATAL+3"},
		{slogsentry.LevelOff, logsentry.SeverityOff, "OFF"},
	}
	for _, tt := range tests {
		name := tt.level.String()
		switch tt.level {
		case slog.Level(math.MinInt):
			name = "MinInt"
		case slog.Level(math.MaxInt - 1):
			name = "MaxInt-1"
		}
		t.Run(name, func(t *testing.T) {
			got := slogsentry.Severity(tt.level)
			if got != tt.want {
				t.Errorf("Severity(%v) = %d, want %d", tt.level, got, tt.want)
			}
			if got.String() != tt.name {
				t.Errorf("Severity(%v).String() = %q, want %q", tt.level, got, tt.name)
			}
		})
	}
}

func TestSentryLevel(t *testing.T) {
	want := map[slog.Level]sentry.Level{
		slog.LevelDebug - 4:       sentry.LevelDebug,
		slog.LevelDebug:           sentry.LevelDebug,
		slog.LevelInfo:            sentry.LevelInfo,
		slog.LevelInfo + 2:        sentry.LevelInfo,
		slog.LevelWarn:            sentry.LevelWarning,
		slog.LevelError:           sentry.LevelError,
		slog.LevelError + 2:       sentry.LevelError,
		slogsentry.LevelFatal:     sentry.LevelFatal,
		slog.LevelError + 8:       sentry.LevelFatal,
		slog.LevelWarn + 3:        sentry.LevelWarning,
		slogsentry.LevelFatal - 1: sentry.LevelError,
	}
	for l, w := range want {
		if got := slogsentry.Severity(l).SentryLevel(); got != w {
			t.Errorf("Severity(%v).SentryLevel() = %q, want %q", l, got, w)
		}
	}
}

// sinks is the set of outputs a record reached.
type sinks struct{ event, breadcrumb, log bool }

func (s sinks) String() string {
	return fmt.Sprintf("event=%t breadcrumb=%t log=%t", s.event, s.breadcrumb, s.log)
}

// wire is what each output of a record looks like at each level.
var wire = map[slog.Level]struct {
	sentryLevel, crumbType, logLevel string
	logSeverity                      int
}{
	slog.LevelDebug - 4:   {"debug", "debug", "trace", 1},
	slog.LevelDebug:       {"debug", "debug", "debug", 5},
	slog.LevelInfo:        {"info", "default", "info", 9},
	slog.LevelInfo + 2:    {"info", "default", "info", 9},
	slog.LevelWarn:        {"warning", "default", "warn", 13},
	slog.LevelError:       {"error", "error", "error", 17},
	slog.LevelError + 2:   {"error", "error", "error", 17},
	slogsentry.LevelFatal: {"fatal", "error", "fatal", 21},
	slog.LevelError + 8:   {"fatal", "error", "fatal", 21},
}

// TestThresholds logs one record at each level through handlers with
// different thresholds and checks, on the receiver, which outputs it
// reached and at which Sentry level.
func TestThresholds(t *testing.T) {
	var (
		E = sinks{event: true}
		B = sinks{breadcrumb: true}
		L = sinks{log: true}
		N = sinks{}
	)
	or := func(s ...sinks) sinks {
		var out sinks
		for _, x := range s {
			out.event = out.event || x.event
			out.breadcrumb = out.breadcrumb || x.breadcrumb
			out.log = out.log || x.log
		}
		return out
	}
	EB := or(E, B)
	EBL := or(E, B, L)
	BL := or(B, L)

	tests := []struct {
		name string
		opts []logsentry.Option
		want []sinks // by index in levels
	}{
		{
			name: "defaults",
			want: []sinks{N, N, B, B, B, EB, EB, EB, EB},
		},
		{
			name: "custom",
			opts: []logsentry.Option{
				slogsentry.WithEventLevel(slog.LevelWarn),
				slogsentry.WithBreadcrumbLevel(slog.LevelDebug),
				slogsentry.WithLogLevel(slog.LevelInfo + 2),
			},
			want: []sinks{N, B, B, BL, EBL, EBL, EBL, EBL, EBL},
		},
		{
			name: "custom levels as thresholds",
			opts: []logsentry.Option{
				slogsentry.WithEventLevel(slog.LevelError + 2),
				slogsentry.WithBreadcrumbLevel(slog.LevelInfo + 2),
				slogsentry.WithLogLevel(slog.LevelDebug - 4),
			},
			want: []sinks{L, L, L, BL, BL, BL, EBL, EBL, EBL},
		},
		{
			name: "events off",
			opts: []logsentry.Option{
				slogsentry.WithEventLevel(slogsentry.LevelOff),
				slogsentry.WithLogLevel(slog.LevelError),
			},
			want: []sinks{N, N, B, B, B, BL, BL, BL, BL},
		},
		{
			name: "breadcrumbs off",
			opts: []logsentry.Option{
				slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
				slogsentry.WithLogLevel(slog.LevelWarn),
			},
			want: []sinks{N, N, N, N, L, or(E, L), or(E, L), or(E, L), or(E, L)},
		},
		{
			name: "logs off",
			opts: []logsentry.Option{
				slogsentry.WithEventLevel(slog.LevelDebug - 4),
				slogsentry.WithBreadcrumbLevel(slog.LevelDebug - 4),
				slogsentry.WithLogLevel(slogsentry.LevelOff),
			},
			want: []sinks{EB, EB, EB, EB, EB, EB, EB, EB, EB},
		},
		{
			name: "all off",
			opts: []logsentry.Option{
				slogsentry.WithEventLevel(slogsentry.LevelOff),
				slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
				slogsentry.WithLogLevel(slogsentry.LevelOff),
			},
			want: []sinks{N, N, N, N, N, N, N, N, N},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			h := slogsentry.NewHandler(tt.opts...)
			probes := make(map[slog.Level]string, len(levels))
			for _, l := range levels {
				// One hub per level: its breadcrumbs are seen only by
				// its own probe event.
				lh := hub.Clone()
				ctx := sentrytest.HubContext(lh)
				msg := "record at " + l.String()
				slog.New(h).Log(ctx, l, msg, "level_name", l.String())
				probes[l] = "probe after " + l.String()
				lh.CaptureMessage(probes[l])
			}
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, len(levels), waitFor)
			logs := rcv.Logs()
			for i, l := range levels {
				msg := "record at " + l.String()
				var got sinks
				var ev *sentrytest.Event
				for j := range evs {
					if evs[j].Message == msg {
						if got.event {
							t.Errorf("%v: two events", l)
						}
						got.event, ev = true, &evs[j]
					}
				}
				probe := sentrytest.EventByMessage(t, evs, probes[l])
				var crumb *sentrytest.Breadcrumb
				for j := range probe.Breadcrumbs {
					if probe.Breadcrumbs[j].Message == msg {
						got.breadcrumb, crumb = true, &probe.Breadcrumbs[j]
					}
				}
				if n := len(probe.Breadcrumbs); n > 1 {
					t.Errorf("%v: probe has %d breadcrumbs: %v", l, n, sentrytest.BreadcrumbMessages(probe))
				}
				var lg *sentrytest.Log
				for j := range logs {
					if logs[j].Body == msg {
						if got.log {
							t.Errorf("%v: two logs", l)
						}
						got.log, lg = true, &logs[j]
					}
				}
				if got != tt.want[i] {
					t.Errorf("%v: %v, want %v", l, got, tt.want[i])
				}
				if !tt.want[i].event && !tt.want[i].breadcrumb && !tt.want[i].log {
					if h.Enabled(context.Background(), l) {
						t.Errorf("%v: Enabled = true, but no output takes it", l)
					}
				} else if !h.Enabled(context.Background(), l) {
					t.Errorf("%v: Enabled = false, but %v", l, tt.want[i])
				}
				w := wire[l]
				if ev != nil {
					if ev.Level != w.sentryLevel {
						t.Errorf("%v: event level %q, want %q", l, ev.Level, w.sentryLevel)
					}
					if got := ev.Contexts["log"]["level"]; got != l.String() {
						t.Errorf("%v: log context level %v, want %q", l, got, l.String())
					}
				}
				if crumb != nil && (crumb.Level != w.sentryLevel || crumb.Type != w.crumbType) {
					t.Errorf("%v: breadcrumb level %q type %q, want %q %q", l, crumb.Level, crumb.Type, w.sentryLevel, w.crumbType)
				}
				if lg != nil {
					if lg.Level != w.logLevel || lg.Severity != w.logSeverity {
						t.Errorf("%v: log level %q severity %d, want %q %d", l, lg.Level, lg.Severity, w.logLevel, w.logSeverity)
					}
					if a := lg.Attributes["log.level"]; a.String() != l.String() {
						t.Errorf("%v: log.level attribute %v, want %q", l, a.Value, l.String())
					}
				}
			}
		})
	}
}

// TestEnabled checks that Enabled is false exactly below every threshold.
func TestEnabled(t *testing.T) {
	tests := []struct {
		name   string
		opts   []logsentry.Option
		lowest slog.Level // lowest enabled level; LevelOff for none
	}{
		{"defaults", nil, slog.LevelInfo},
		{"event lowest", []logsentry.Option{
			slogsentry.WithEventLevel(slog.LevelDebug),
		}, slog.LevelDebug},
		{"log lowest", []logsentry.Option{
			slogsentry.WithLogLevel(slog.LevelDebug - 4),
		}, slog.LevelDebug - 4},
		{"only events at warn", []logsentry.Option{
			slogsentry.WithEventLevel(slog.LevelWarn),
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		}, slog.LevelWarn},
		{"custom level", []logsentry.Option{
			slogsentry.WithBreadcrumbLevel(slog.LevelInfo + 2),
		}, slog.LevelInfo + 2},
		{"only fatal", []logsentry.Option{
			slogsentry.WithEventLevel(slogsentry.LevelFatal),
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		}, slogsentry.LevelFatal},
		{"all off", []logsentry.Option{
			slogsentry.WithEventLevel(slogsentry.LevelOff),
			slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
			slogsentry.WithLogLevel(slogsentry.LevelOff),
		}, slogsentry.LevelOff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := slogsentry.NewHandler(tt.opts...)
			for _, l := range levels {
				want := l >= tt.lowest && tt.lowest != slogsentry.LevelOff
				if got := h.Enabled(context.Background(), l); got != want {
					t.Errorf("Enabled(%v) = %t, want %t", l, got, want)
				}
				// WithAttrs and WithGroup children share the thresholds.
				c := h.WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("g")
				if got := c.Enabled(context.Background(), l); got != want {
					t.Errorf("child Enabled(%v) = %t, want %t", l, got, want)
				}
			}
			// Levels below Debug-4 all map to trace: only a level of a lower
			// severity is disabled.
			if below := tt.lowest - 1; slogsentry.Severity(below) < slogsentry.Severity(tt.lowest) {
				if h.Enabled(context.Background(), below) {
					t.Errorf("Enabled(%v) = true just below the lowest threshold", below)
				}
			}
		})
	}
}

// TestOffSwitchesOff checks that an output set to LevelOff takes no record,
// not even one logged at LevelOff itself or at the highest levels.
func TestOffSwitchesOff(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	h := slogsentry.NewHandler(
		logsentry.WithHub(hub),
		slogsentry.WithEventLevel(slogsentry.LevelOff),
		slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		slogsentry.WithLogLevel(slogsentry.LevelOff),
	)
	for _, l := range []slog.Level{slog.LevelError + 8, slog.Level(math.MaxInt - 1), slogsentry.LevelOff} {
		if h.Enabled(context.Background(), l) {
			t.Errorf("Enabled(%d) = true with every output off", l)
		}
		slog.New(h).Log(context.Background(), l, "should go nowhere")
	}
	hub.CaptureMessage("probe")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 1, waitFor)
	if len(evs) != 1 || len(evs[0].Breadcrumbs) != 0 || len(rcv.Logs()) != 0 {
		t.Errorf("events %q, probe breadcrumbs %q, %d logs: want only the probe", sentrytest.Messages(evs), sentrytest.BreadcrumbMessages(evs[0]), len(rcv.Logs()))
	}
}
