package slogsentry_test

import (
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("LogValue exploded") }

const oneMB = 1 << 20

// TestHostileValues logs values that break naive converters. Each record
// must still reach every output, with a placeholder where the value cannot
// be sent, and Handle must neither panic nor fail.
func TestHostileValues(t *testing.T) {
	cyclicMap := sentrytest.CyclicMap("loop")
	cyclicNode := sentrytest.CyclicNode("loop")
	big := strings.Repeat("x", oneMB)

	tests := []struct {
		name  string
		msg   string // the record's message; name if empty
		args  []any
		check func(t *testing.T, ev sentrytest.Event)
	}{
		{
			name: "panicking String",
			args: []any{"v", sentrytest.PanicStringer{}, "ok", 1},
			check: func(t *testing.T, ev sentrytest.Event) {
				wantPlaceholder(t, sentrytest.Attrs(ev)["v"], "String exploded")
				if sentrytest.Attrs(ev)["ok"] != int64(1) {
					t.Errorf("the next field was lost: %v", sentrytest.Attrs(ev))
				}
			},
		},
		{
			name: "panicking Error",
			args: []any{"err", sentrytest.PanicError{}, "other", sentrytest.PanicError{}},
			check: func(t *testing.T, ev sentrytest.Event) {
				if len(ev.Exception) != 1 || !strings.Contains(ev.Exception[0].Value, "PANIC") ||
					ev.Exception[0].Type != "sentrytest.PanicError" {
					t.Errorf("exception = %+v", ev.Exception)
				}
				wantPlaceholder(t, sentrytest.Attrs(ev)["other"], "Error exploded")
			},
		},
		{
			name: "panicking Error without message",
			msg:  "",
			args: []any{"err", sentrytest.PanicError{}},
			check: func(t *testing.T, ev sentrytest.Event) {
				if !strings.Contains(ev.Message, "PANIC") {
					t.Errorf("message = %q, want a placeholder", ev.Message)
				}
			},
		},
		{
			name: "panicking LogValue",
			args: []any{"v", panicValuer{}},
			check: func(t *testing.T, ev sentrytest.Event) {
				wantPlaceholder(t, sentrytest.Attrs(ev)["v"], "LogValue exploded")
				// slog's Resolve turns the panic into an error value: it
				// must not pass for the record's error.
				if len(ev.Exception) != 0 {
					t.Errorf("the panic became the exception: %+v", ev.Exception)
				}
			},
		},
		{
			name: "panicking MarshalJSON",
			args: []any{"v", sentrytest.PanicJSON{}},
			check: func(t *testing.T, ev sentrytest.Event) {
				wantPlaceholder(t, sentrytest.Attrs(ev)["v"], "MarshalJSON exploded")
			},
		},
		{
			name: "typed nil error",
			args: []any{"err", sentrytest.TypedNilError(), "other", sentrytest.TypedNilError()},
			check: func(t *testing.T, ev sentrytest.Event) {
				if len(ev.Exception) != 1 || ev.Exception[0].Type != "*sentrytest.NilError" || ev.Exception[0].Value != "<nil>" {
					t.Errorf("exception = %+v", ev.Exception)
				}
				if v := sentrytest.Attrs(ev)["other"]; v != "<nil>" {
					t.Errorf("other = %#v", v)
				}
			},
		},
		{
			name: "typed nil Stringer",
			args: []any{"v", (*sentrytest.NilStringer)(nil), "s", slog.AnyValue((*sentrytest.NilStringer)(nil))},
			check: func(t *testing.T, ev sentrytest.Event) {
				a := sentrytest.Attrs(ev)
				if v, ok := a["v"]; !ok || v != nil {
					t.Errorf("v = %#v, want null", v)
				}
			},
		},
		{
			name: "cyclic map",
			args: []any{"m", cyclicMap},
			check: func(t *testing.T, ev sentrytest.Event) {
				m, ok := sentrytest.Attrs(ev)["m"].(map[string]any)
				if !ok || m["name"] != "loop" {
					t.Errorf("m = %v", sentrytest.Attrs(ev)["m"])
				}
				if !strings.Contains(string(ev.Raw), "[max depth]") {
					t.Errorf("cycle not cut: %s", ev.Raw)
				}
			},
		},
		{
			name: "cyclic struct pointer",
			args: []any{"n", cyclicNode},
			check: func(t *testing.T, ev sentrytest.Event) {
				m, ok := sentrytest.Attrs(ev)["n"].(map[string]any)
				if !ok || m["Name"] != "loop" {
					t.Errorf("n = %v", sentrytest.Attrs(ev)["n"])
				}
				if !strings.Contains(string(ev.Raw), "[max depth]") {
					t.Errorf("cycle not cut: %s", ev.Raw)
				}
			},
		},
		{
			name: "NaN and Inf",
			args: []any{
				"nan", math.NaN(), "inf", math.Inf(1), "ninf", math.Inf(-1),
				"f32", float32(math.Inf(1)),
				"in_map", map[string]float64{"x": math.NaN()},
				"in_slice", []float64{math.Inf(-1)},
				"in_struct", struct{ F float64 }{math.NaN()},
				"fine", 1.5,
			},
			check: func(t *testing.T, ev sentrytest.Event) {
				a := sentrytest.Attrs(ev)
				for k, want := range map[string]any{
					"nan": "NaN", "inf": "+Inf", "ninf": "-Inf", "f32": "+Inf",
					"in_map": map[string]any{"x": "NaN"}, "in_slice": []any{"-Inf"},
					"in_struct": map[string]any{"F": "NaN"}, "fine": 1.5,
				} {
					if !equal(a[k], want) {
						t.Errorf("%s = %#v, want %#v", k, a[k], want)
					}
				}
			},
		},
		{
			name: "invalid UTF-8",
			msg:  "bad \xff message",
			args: []any{"k\xfe", "v\xfd", slog.Group("g\xfc", "in", "x\xc3")},
			check: func(t *testing.T, ev sentrytest.Event) {
				if ev.Message != "bad \uFFFD message" {
					t.Errorf("message = %q", ev.Message)
				}
				a := sentrytest.Attrs(ev)
				if a["k\uFFFD"] != "v\uFFFD" {
					t.Errorf("attributes = %q", a)
				}
				if v, _ := sentrytest.Lookup(a, "g\uFFFD", "in"); v != "x\uFFFD" {
					t.Errorf("attributes = %q", a)
				}
			},
		},
		{
			name: "1 MB value",
			args: []any{"big", big},
			check: func(t *testing.T, ev sentrytest.Event) {
				v, _ := sentrytest.Attrs(ev)["big"].(string)
				if !strings.HasPrefix(v, "xxxxxxxx") || len(v) >= 64<<10 {
					t.Errorf("big is %d bytes, want a truncated string", len(v))
				}
			},
		},
		{
			name: "1 MB message",
			msg:  big,
			check: func(t *testing.T, ev sentrytest.Event) {
				if !strings.HasPrefix(ev.Message, "xxxxxxxx") || len(ev.Message) >= 64<<10 {
					t.Errorf("message is %d bytes, want a truncated string", len(ev.Message))
				}
			},
		},
		{
			name: "1 MB key",
			args: []any{big, "v"},
			check: func(t *testing.T, ev sentrytest.Event) {
				if len(ev.Raw) >= 512<<10 {
					t.Errorf("event is %d bytes", len(ev.Raw))
				}
			},
		},
		{
			name: "funcs channels and nils",
			args: []any{
				"fn", func() {}, "ch", make(chan int), "nilmap", map[string]int(nil),
				"nilslice", []int(nil), "nilany", nil, "nilptr", (*int)(nil),
				"complex", complex(1, 2),
			},
			check: func(t *testing.T, ev sentrytest.Event) {
				a := sentrytest.Attrs(ev)
				if a["fn"] != "<func()>" || a["ch"] != "<chan int>" {
					t.Errorf("attributes = %v", a)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			h := slogsentry.NewHandler(
				logsentry.WithHub(hub),
				slogsentry.WithLogLevel(slog.LevelInfo),
			)
			msg := tt.msg
			if msg == "" && tt.name != "panicking Error without message" {
				msg = tt.name
			}
			for _, l := range []slog.Level{slog.LevelInfo, slog.LevelError} {
				r := slog.NewRecord(time.Now(), l, msg, 0)
				r.Add(tt.args...)
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("Handle panicked: %v", p)
						}
					}()
					if err := h.Handle(sentrytest.HubContext(hub), r); err != nil {
						t.Errorf("Handle = %v", err)
					}
				}()
			}
			hub.CaptureMessage("probe")
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, 2, waitFor)
			rcv.WaitLogs(t, 2, waitFor)
			if len(evs) != 2 {
				t.Fatalf("got %d events, want the record's and the probe", len(evs))
			}
			ev, probe := evs[0], evs[1]
			if probe.Message != "probe" {
				ev, probe = probe, ev
			}
			if ev.Level != "error" {
				t.Errorf("event level %q", ev.Level)
			}
			if len(probe.Breadcrumbs) != 2 {
				t.Errorf("probe has breadcrumbs %q, want the info and the error record", sentrytest.BreadcrumbMessages(probe))
			}
			if ls := rcv.Logs(); len(ls) != 2 {
				t.Errorf("got %d logs, want 2", len(ls))
			}
			tt.check(t, ev)
		})
	}
}

// wantPlaceholder fails t unless v is a string naming the panic.
func wantPlaceholder(t *testing.T, v any, panicText string) {
	t.Helper()
	s, ok := v.(string)
	if !ok || !strings.Contains(s, "PANIC") || !strings.Contains(s, panicText) {
		t.Errorf("value = %#v, want a placeholder naming %q", v, panicText)
	}
}

// equal compares plain values, float64 with ==.
func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equal(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// TestErrorHandlerToldOfPanics checks that WithErrorHandler hears about
// every panicking method the bridge absorbed, as its doc promises.
func TestErrorHandlerToldOfPanics(t *testing.T) {
	tests := []struct {
		name string
		args []any
		text string
	}{
		{"String", []any{"v", sentrytest.PanicStringer{}}, "String exploded"},
		{"MarshalJSON", []any{"v", sentrytest.PanicJSON{}}, "MarshalJSON exploded"},
		{"Error of a field", []any{"err", errors.New("fine"), "v", sentrytest.PanicError{}}, "Error exploded"},
		{"Error of the exception", []any{"err", sentrytest.PanicError{}}, "Error exploded"},
		{"LogValue", []any{"v", panicValuer{}}, "LogValue exploded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			var mu sync.Mutex
			var reported []string
			h := slogsentry.NewHandler(logsentry.WithHub(hub), logsentry.WithErrorHandler(func(err error) {
				mu.Lock()
				defer mu.Unlock()
				reported = append(reported, err.Error())
			}))
			slog.New(h).Error("record", tt.args...)
			sentrytest.Flush(t, hub)
			rcv.WaitEvents(t, 1, waitFor)
			mu.Lock()
			defer mu.Unlock()
			for _, r := range reported {
				if strings.Contains(r, tt.text) {
					return
				}
			}
			t.Errorf("error handler got %q, want a report of %q", reported, tt.text)
		})
	}
}
