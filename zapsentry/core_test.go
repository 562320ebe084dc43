package zapsentry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zapsentry"
)

// TestTeeParity tees zap's own observer with the Core and checks that every
// entry the observer saw became a Sentry log with the same message, level,
// logger name and fields.
func TestTeeParity(t *testing.T) {
	rcv := newReceiverHub(t)
	obs, seen := observer.New(zapcore.DebugLevel)
	core := zapsentry.NewCore(logsentry.WithHub(rcv.hub),
		zapsentry.WithEventLevel(zapsentry.LevelOff),
		zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff),
		zapsentry.WithLogLevel(zapcore.DebugLevel))
	logger := zap.New(zapcore.NewTee(obs, core)).Named("shop")

	req := logger.With(zap.String("request_id", "r-1"))
	req.Debug("cache miss", zap.String("item", "sku-9"))
	req.Info("cart loaded", zap.Int("items", 3), zap.Bool("member", true))
	req.Warn("slow query", zap.Float64("ms", 812.5))
	req.Error("payment failed", zap.Error(errors.New("card declined")), zap.Uint64("cents", 1299))
	req.DPanic("inventory negative", zap.Int64("stock", -1)) // production: no panic

	rcv.hub.Flush(waitFor)
	logs := rcv.WaitLogs(t, seen.Len(), waitFor)
	if len(logs) != seen.Len() {
		t.Fatalf("got %d logs, observer saw %d entries", len(logs), seen.Len())
	}
	for _, want := range seen.AllUntimed() {
		t.Run(want.Message, func(t *testing.T) {
			i := slices.IndexFunc(logs, func(l sentrytestLog) bool { return l.Body == want.Message })
			if i < 0 {
				t.Fatalf("no log %q among %d", want.Message, len(logs))
			}
			got := logs[i]
			if g, w := got.Attributes["log.level"].String(), want.Level.CapitalString(); g != w {
				t.Errorf("log.level = %q, want %q", g, w)
			}
			// sentry-go sets only the six named severities on a log.
			if g, w := got.Severity, int(zapsentry.Severity(want.Level)-1)/4*4+1; g != w {
				t.Errorf("severity_number = %d, want %d", g, w)
			}
			if g := got.Attributes["logger.name"].String(); g != "shop" {
				t.Errorf("logger.name = %q, want shop", g)
			}
			for k, v := range want.ContextMap() {
				if k == "error" { // promoted to the exception
					if g := got.Attributes["exception.message"].String(); g != v {
						t.Errorf("exception.message = %q, want %q", g, v)
					}
					continue
				}
				a, ok := got.Attributes[k]
				if !ok {
					t.Errorf("field %q missing; attributes %v", k, got.Attributes)
					continue
				}
				if g, w := a.String(), fmt.Sprint(v); g != w {
					t.Errorf("field %q = %s, want %s", k, g, w)
				}
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		level zapcore.Level
		want  logsentry.Severity
		name  string
		sl    sentry.Level
	}{
		{zapcore.Level(-128), 1, "TRACE", sentry.LevelDebug},
		{zapcore.DebugLevel - 1, 1, "TRACE", sentry.LevelDebug},
		{zapcore.DebugLevel, 5, "DEBUG", sentry.LevelDebug},
		{zapcore.InfoLevel, 9, "INFO", sentry.LevelInfo},
		{zapcore.WarnLevel, 13, "WARN", sentry.LevelWarning},
		{zapcore.ErrorLevel, 17, "ERROR", sentry.LevelError},
		{zapcore.DPanicLevel, 18, "ERROR+1", sentry.LevelError},
		{zapcore.PanicLevel, 21, "FATAL", sentry.LevelFatal},
		{zapcore.FatalLevel, 23, "FATAL+2", sentry.LevelFatal},
		{zapcore.InvalidLevel, 24, "FATAL+3", sentry.LevelFatal},
		{zapcore.Level(127), 24, "FATAL+3", sentry.LevelFatal},
	} {
		t.Run(tc.level.String(), func(t *testing.T) {
			s := zapsentry.Severity(tc.level)
			if s != tc.want || s.String() != tc.name || s.SentryLevel() != tc.sl {
				t.Errorf("Severity(%v) = %d %s %s, want %d %s %s", tc.level, s, s, s.SentryLevel(), tc.want, tc.name, tc.sl)
			}
		})
	}
}

// TestLevelsOnTheWire sends one event per level, Panic recovered and Fatal
// with a hook that does not exit, and checks the Sentry level and the level
// name and severity kept in the "log" context.
func TestLevelsOnTheWire(t *testing.T) {
	rcv, hub, logger := setup(t, zapsentry.WithEventLevel(zapcore.DebugLevel), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff))
	logger = logger.WithOptions(zap.WithFatalHook(noExit{}))
	tests := []struct {
		level    zapcore.Level
		sentry   string
		severity int
	}{
		{zapcore.DebugLevel, "debug", 5},
		{zapcore.InfoLevel, "info", 9},
		{zapcore.WarnLevel, "warning", 13},
		{zapcore.ErrorLevel, "error", 17},
		{zapcore.DPanicLevel, "error", 18},
		{zapcore.PanicLevel, "fatal", 21},
		{zapcore.FatalLevel, "fatal", 23},
	}
	for _, tc := range tests {
		func() {
			defer func() { _ = recover() }()
			logger.Log(tc.level, "at "+tc.level.String())
		}()
	}
	evs := events(t, rcv, hub, len(tests))
	for _, tc := range tests {
		t.Run(tc.level.String(), func(t *testing.T) {
			i := slices.IndexFunc(evs, func(e sentrytestEvent) bool { return e.Message == "at "+tc.level.String() })
			if i < 0 {
				t.Fatalf("no event for %v", tc.level)
			}
			ev := evs[i]
			lc := ev.Contexts["log"]
			if ev.Level != tc.sentry || lc["level"] != tc.level.CapitalString() || fmt.Sprint(lc["severity"]) != fmt.Sprint(tc.severity) {
				t.Errorf("level %q, log context %v; want %q, %s, %d", ev.Level, lc, tc.sentry, tc.level.CapitalString(), tc.severity)
			}
			if ev.Logger != "zap" {
				t.Errorf("logger = %q, want zap", ev.Logger)
			}
		})
	}
}

// noExit is a fatal hook that returns (zap replaces zapcore.WriteThenNoop).
type noExit struct{}

func (noExit) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {}

func TestThresholds(t *testing.T) {
	all := []zapcore.Level{zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel,
		zapcore.DPanicLevel, zapcore.PanicLevel, zapcore.FatalLevel}
	for _, tc := range []struct {
		name   string
		opts   []logsentry.Option
		lowest zapcore.Level
	}{
		{"defaults", nil, zapcore.InfoLevel},
		{"breadcrumbs off", []logsentry.Option{zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)}, zapcore.ErrorLevel},
		{"debug logs", []logsentry.Option{zapsentry.WithLogLevel(zapcore.DebugLevel)}, zapcore.DebugLevel},
		{"events from warn", []logsentry.Option{zapsentry.WithEventLevel(zapcore.WarnLevel), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)}, zapcore.WarnLevel},
		{"only fatal", []logsentry.Option{zapsentry.WithEventLevel(zapcore.FatalLevel), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)}, zapcore.FatalLevel},
		{"all off", []logsentry.Option{zapsentry.WithEventLevel(zapsentry.LevelOff), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)}, zapcore.InvalidLevel},
		{"above fatal is off", []logsentry.Option{zapsentry.WithEventLevel(zapcore.Level(100)), zapsentry.WithBreadcrumbLevel(zapcore.Level(7))}, zapcore.InvalidLevel},
		{"custom below debug", []logsentry.Option{zapsentry.WithBreadcrumbLevel(zapcore.Level(-5))}, zapcore.DebugLevel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := zapsentry.NewCore(tc.opts...)
			if got := zapcore.LevelOf(c); got != tc.lowest {
				t.Errorf("LevelOf = %v, want %v", got, tc.lowest)
			}
			for _, l := range all {
				if got, want := c.Enabled(l), tc.lowest != zapcore.InvalidLevel && l >= tc.lowest; got != want {
					t.Errorf("Enabled(%v) = %v, want %v", l, got, want)
				}
				ce := c.Check(zapcore.Entry{Level: l}, nil)
				if (ce != nil) != c.Enabled(l) {
					t.Errorf("Check(%v) = %v, Enabled %v", l, ce, c.Enabled(l))
				}
			}
		})
	}
}

// TestThresholdsOnTheWire checks what each output gets with the options.
func TestThresholdsOnTheWire(t *testing.T) {
	rcv, hub, logger := setup(t, zapsentry.WithEventLevel(zapcore.WarnLevel), zapsentry.WithBreadcrumbLevel(zapcore.DebugLevel))
	logger.Debug("d")
	logger.Info("i")
	logger.Warn("w")
	logger.Error("e")
	evs := events(t, rcv, hub, 2)
	if len(evs) != 2 || evs[0].Message != "w" || evs[1].Message != "e" {
		t.Fatalf("events %v, want w and e", evs)
	}
	if got := sentrytest.BreadcrumbMessages(evs[1]); !slices.Equal(got, []string{"d", "i", "w"}) {
		t.Errorf("breadcrumbs of the second event = %q, want d i w", got)
	}
}

// counter is an ObjectMarshaler that counts its conversions.
type counter struct{ n int }

func (c *counter) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	c.n++
	enc.AddString("id", "c-1")
	return nil
}

func TestWith(t *testing.T) {
	t.Run("converted once", func(t *testing.T) {
		rcv, hub, logger := setup(t)
		c := &counter{}
		l := logger.With(zap.Object("obj", c))
		for range 3 {
			l.Error("e")
		}
		evs := events(t, rcv, hub, 3)
		if c.n != 1 {
			t.Errorf("MarshalLogObject called %d times, want 1", c.n)
		}
		for _, ev := range evs {
			if got := attrsJSON(t, ev); got != `{"obj":{"id":"c-1"}}` {
				t.Errorf("attributes %s", got)
			}
		}
	})
	t.Run("receiver unchanged, siblings independent", func(t *testing.T) {
		rcv, hub, logger := setup(t)
		parent := logger.With(zap.String("a", "1"))
		c1 := parent.With(zap.String("b", "2"))
		c2 := parent.With(zap.String("c", "3"))
		parent.Error("parent")
		c1.Error("c1")
		c2.Error("c2")
		logger.Error("root")
		want := map[string]string{
			"parent": `{"a":"1"}`,
			"c1":     `{"a":"1","b":"2"}`,
			"c2":     `{"a":"1","c":"3"}`,
			"root":   `null`,
		}
		for _, ev := range events(t, rcv, hub, 4) {
			if got := attrsJSON(t, ev); got != want[ev.Message] {
				t.Errorf("%s: attributes %s, want %s", ev.Message, got, want[ev.Message])
			}
		}
	})
	t.Run("later changes not seen, no race", func(t *testing.T) {
		rcv, hub, logger := setup(t)
		m := map[string]int{"v": 1}
		s := []string{"x"}
		l := logger.With(zap.Any("m", m), zap.Any("s", s))
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range 1000 {
				m["v"] = i + 2
				s[0] = "y"
			}
		})
		for range 5 {
			l.Error("e")
		}
		wg.Wait()
		for _, ev := range events(t, rcv, hub, 5) {
			if got := attrsJSON(t, ev); got != `{"m":{"v":1},"s":["x"]}` {
				t.Errorf("attributes %s", got)
			}
		}
	})
}

func TestNamed(t *testing.T) {
	rcv, hub, logger := setup(t)
	logger.Info("crumb")
	logger.Error("unnamed")
	logger.Named("api").Error("api")
	logger.Named("api").Named("v1").Info("crumb v1")
	logger.Named("api").Named("v1").Error("api.v1")
	evs := events(t, rcv, hub, 3)
	for _, ev := range evs {
		want := ev.Message
		if want == "unnamed" {
			want = "zap"
		}
		if ev.Logger != want {
			t.Errorf("%s: logger %q, want %q", ev.Message, ev.Logger, want)
		}
	}
	crumbs := evs[2].Breadcrumbs
	cats := map[string]string{}
	for _, b := range crumbs {
		cats[b.Message] = b.Category
	}
	if cats["crumb"] != "zap" || cats["crumb v1"] != "api.v1" || cats["api"] != "api" {
		t.Errorf("breadcrumb categories %v", cats)
	}
}

type user struct {
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

func (u user) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddBool("admin", u.Admin)
	return nil
}

func TestFields(t *testing.T) {
	at := time.Date(2026, 7, 1, 12, 0, 0, 5, time.UTC)
	tests := []struct {
		name   string
		with   []zap.Field
		fields []zap.Field
		want   string
	}{
		{"scalars", nil, []zap.Field{
			zap.String("s", "v"), zap.Int("i", -3), zap.Uint64("u", 1<<63), zap.Bool("b", true),
			zap.Float64("f", 1.5), zap.Float32("f32", 0.25), zap.Duration("d", 1500*time.Millisecond),
			zap.Time("t", at), zap.ByteString("bs", []byte("text")), zap.Binary("bin", []byte{0, 1, 2}),
			zap.Complex128("c", 1+2i), zap.Uintptr("p", 7), zap.Int8("i8", -8),
		}, `{"b":true,"bin":"AAEC","bs":"text","c":"(1+2i)","d":"1.5s","f":1.5,"f32":0.25,"i":-3,"i8":-8,"p":7,"s":"v","t":"2026-07-01T12:00:00.000000005Z","u":9223372036854775808}`},
		{"namespace at the call", nil, []zap.Field{
			zap.String("a", "1"), zap.Namespace("ns"), zap.String("b", "2"), zap.Int("c", 3),
		}, `{"a":"1","ns":{"b":"2","c":3}}`},
		{"namespace in With holds the call's fields", []zap.Field{
			zap.String("top", "t"), zap.Namespace("req"), zap.String("id", "r1"),
		}, []zap.Field{zap.Int("n", 2)}, `{"req":{"id":"r1","n":2},"top":"t"}`},
		{"nested namespaces", []zap.Field{zap.Namespace("a"), zap.Namespace("b"), zap.String("x", "1")},
			[]zap.Field{zap.String("y", "2"), zap.Namespace("c"), zap.String("z", "3")},
			`{"a":{"b":{"c":{"z":"3"},"x":"1","y":"2"}}}`},
		{"empty namespace dropped", nil, []zap.Field{zap.String("a", "1"), zap.Namespace("empty")}, `{"a":"1"}`},
		{"object and dict are groups", nil, []zap.Field{
			zap.Object("account", user{Name: "ann", Admin: true}),
			zap.Dict("http", zap.String("method", "GET"), zap.Dict("resp", zap.Int("status", 502))),
		}, `{"account":{"admin":true,"name":"ann"},"http":{"method":"GET","resp":{"status":502}}}`},
		{"inline", nil, []zap.Field{zap.Inline(user{Name: "bob"})}, `{"admin":false,"name":"bob"}`},
		{"a slice of fields with its own marshaler keeps it", nil, []zap.Field{
			zap.Object("creds", masked{zap.String("pass", "hunter2")}),
		}, `{"creds":{"pass":"***"}}`},
		{"arrays", nil, []zap.Field{
			zap.Strings("ss", []string{"a", "b"}), zap.Ints("is", []int{1, 2}), zap.Bools("bs", nil),
			zap.Objects("us", []user{{Name: "a"}, {Name: "b", Admin: true}}),
			zap.Durations("ds", []time.Duration{time.Second}),
		}, `{"bs":[],"ds":["1s"],"is":[1,2],"ss":["a","b"],"us":[{"admin":false,"name":"a"},{"admin":true,"name":"b"}]}`},
		{"reflected", nil, []zap.Field{
			zap.Any("m", map[string]int{"x": 1}), zap.Reflect("st", user{Name: "c"}), zap.Any("nil", nil),
		}, `{"m":{"x":1},"nil":null,"st":{"admin":false,"name":"c"}}`},
		{"reflected in With", []zap.Field{
			zap.Any("m", map[string]int{"x": 1}), zap.Reflect("st", user{Name: "c"}), zap.Any("nil", nil),
		}, nil, `{"m":{"x":1},"nil":null,"st":{"admin":false,"name":"c"}}`},
		{"stringer", nil, []zap.Field{zap.Stringer("ip", net.IPv4(10, 0, 0, 1))}, `{"ip":"10.0.0.1"}`},
		{"skip", nil, []zap.Field{zap.Skip(), zap.String("a", "1")}, `{"a":"1"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv, hub, logger := setup(t)
			logger.With(tc.with...).Error("e", tc.fields...)
			if got := attrsJSON(t, events(t, rcv, hub, 1)[0]); got != tc.want {
				t.Errorf("attributes\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

func TestErrors(t *testing.T) {
	base := &codeError{503}
	wrapped := fmt.Errorf("fetch quote: %w", base)
	type exc struct{ typ, value string }
	tests := []struct {
		name   string
		fields []zap.Field
		want   []exc // innermost first
		attrs  string
	}{
		{"zap.Error with chain", []zap.Field{zap.Error(wrapped)},
			[]exc{{"*zapsentry_test.codeError", "code 503"}, {"*fmt.wrapError", "fetch quote: code 503"}}, `null`},
		{"zap.NamedError", []zap.Field{zap.NamedError("cause", base)},
			[]exc{{"*zapsentry_test.codeError", "code 503"}}, `null`},
		{"error key preferred", []zap.Field{zap.NamedError("cause", errors.New("other")), zap.Error(base)},
			[]exc{{"*zapsentry_test.codeError", "code 503"}}, `{"cause":"other"}`},
		{"zap.Errors joined", []zap.Field{zap.Errors("errs", []error{base, nil, errors.New("disk full")})},
			[]exc{{"*errors.errorString", "disk full"}, {"*zapsentry_test.codeError", "code 503"}, {"*errors.joinError", "code 503\ndisk full"}}, `null`},
		{"zap.Errors single", []zap.Field{zap.Errors("errs", []error{nil, base})},
			[]exc{{"*zapsentry_test.codeError", "code 503"}}, `null`},
		{"zap.Errors empty", []zap.Field{zap.Errors("errs", []error{nil})}, nil, `{"errs":[]}`},
		{"zap.Any error", []zap.Field{zap.Any("err", base)}, []exc{{"*zapsentry_test.codeError", "code 503"}}, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv, hub, logger := setup(t)
			logger.Error("quote failed", tc.fields...)
			ev := events(t, rcv, hub, 1)[0]
			var got []exc
			for _, e := range ev.Exception {
				got = append(got, exc{e.Type, e.Value})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("exceptions %q, want %q", got, tc.want)
			}
			if a := attrsJSON(t, ev); a != tc.attrs {
				t.Errorf("attributes %s, want %s", a, tc.attrs)
			}
			if tc.name == "zap.Errors joined" && !ev.Exception[2].Mechanism.IsExceptionGroup {
				t.Errorf("joined error is not an exception group: %+v", ev.Exception[2].Mechanism)
			}
		})
	}
	t.Run("pkg/errors stack", func(t *testing.T) {
		rcv, hub, logger := setup(t)
		err := pkgerrors.New("boom") // the stack's top frame
		line := lineOf(t) - 1
		logger.Error("failed", zap.Error(err))
		ev := events(t, rcv, hub, 1)[0]
		top := ev.TopFrame()
		if top.Lineno != line || !strings.HasSuffix(top.AbsPath, "core_test.go") {
			t.Errorf("top frame %s:%d (%s), want core_test.go:%d", top.AbsPath, top.Lineno, top.Function, line)
		}
	})
}

// TestCallSiteStack checks that the event's stack starts at the logging line
// and holds no frame of zap or of this module, with and without caller and
// stack options and a zap.Stack field.
func TestCallSiteStack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []zap.Option
		fields []zap.Field
	}{
		{"no caller", nil, nil},
		{"AddCaller", []zap.Option{zap.AddCaller()}, nil},
		{"AddCaller and AddStacktrace", []zap.Option{zap.AddCaller(), zap.AddStacktrace(zapcore.WarnLevel)}, nil},
		{"zap.Stack field", []zap.Option{zap.AddCaller()}, []zap.Field{zap.Stack("stack")}},
		{"error without stack", []zap.Option{zap.AddCaller()}, []zap.Field{zap.Error(errors.New("plain"))}},
		{"sugared", []zap.Option{zap.AddCaller()}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv, hub, logger := setup(t)
			logger = logger.WithOptions(tc.opts...)
			var line int
			if tc.name == "sugared" {
				line = lineOf(t) + 1
				logger.Sugar().Errorw("boom", "k", "v")
			} else {
				line = lineOf(t) + 1
				logger.Error("boom", tc.fields...)
			}
			frames := stackOf(t, events(t, rcv, hub, 1)[0])
			if len(frames) == 0 {
				t.Fatal("no stack trace")
			}
			top := frames[len(frames)-1]
			if top.Lineno != line || !strings.HasSuffix(top.AbsPath, "core_test.go") {
				t.Errorf("top frame %s:%d (%s), want core_test.go:%d", top.AbsPath, top.Lineno, top.Function, line)
			}
			for _, f := range frames {
				if isLibraryFrame(f) {
					t.Errorf("library frame in stack: %s %s", f.Module, f.Function)
				}
			}
		})
	}
}

// TestContext checks that a context field, at the call or in With, under
// any key, routes the entry to the hub of the context and is not a field.
func TestContext(t *testing.T) {
	rcv := newReceiverHub(t)
	fallback := rcv.hub
	fallback.Scope().SetTag("hub", "fallback")
	reqHub := fallback.Clone()
	reqHub.Scope().SetTag("hub", "request")
	ctx := sentry.SetHubOnContext(context.Background(), reqHub)
	other := sentry.SetHubOnContext(context.Background(), fallback)
	var noContext context.Context // nil

	var printed bytes.Buffer
	jsonCore := zapcore.NewCore(zapcore.NewJSONEncoder(zapcore.EncoderConfig{MessageKey: "msg"}), zapcore.AddSync(&printed), zapcore.DebugLevel)
	logger := zap.New(zapcore.NewTee(jsonCore, zapsentry.NewCore(logsentry.WithHub(fallback))))

	tests := []struct {
		name    string
		log     func(msg string)
		hub     string
		printed string
	}{
		{"Context at the call", func(m string) { logger.Error(m, zapsentry.Context(ctx)) }, "request", `{"msg":"Context at the call"}`},
		{"zap.Any at the call", func(m string) { logger.Error(m, zap.Any("ctx", ctx)) }, "request", ""},
		{"zap.Reflect under any key", func(m string) { logger.Error(m, zap.Reflect("whatever", ctx)) }, "request", ""},
		{"Context in With", func(m string) { logger.With(zapsentry.Context(ctx)).Error(m) }, "request", `{"msg":"Context in With"}`},
		{"zap.Any in With", func(m string) { logger.With(zap.Any("ctx", ctx)).Error(m) }, "request", ""},
		{"call beats With", func(m string) { logger.With(zapsentry.Context(other)).Error(m, zapsentry.Context(ctx)) }, "request", ""},
		{"later beats earlier", func(m string) { logger.Error(m, zapsentry.Context(other), zapsentry.Context(ctx)) }, "request", ""},
		{"Context inside a Dict", func(m string) { logger.Error(m, zap.Dict("req", zapsentry.Context(ctx))) }, "request", ""},
		{"none", func(m string) { logger.Error(m) }, "fallback", ""},
		{"context without hub", func(m string) { logger.Error(m, zapsentry.Context(context.Background())) }, "fallback", ""},
		{"Context(nil)", func(m string) { logger.Error(m, zapsentry.Context(noContext)) }, "fallback", ""},
		{"typed nil context", func(m string) { logger.Error(m, zap.Any("ctx", (*nilContext)(nil))) }, "fallback", ""},
	}
	for _, tc := range tests {
		printed.Reset()
		tc.log(tc.name)
		if tc.printed != "" && strings.TrimSpace(printed.String()) != tc.printed {
			t.Errorf("%s: other core printed %q, want %s", tc.name, printed.String(), tc.printed)
		}
	}
	reqHub.Flush(waitFor)
	evs := rcv.WaitEvents(t, len(tests), waitFor)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := slices.IndexFunc(evs, func(e sentrytestEvent) bool { return e.Message == tc.name })
			if i < 0 {
				t.Fatal("no event")
			}
			if got := evs[i].Tags["hub"]; got != tc.hub {
				t.Errorf("event went to hub %q, want %q", got, tc.hub)
			}
			if a := attrsJSON(t, evs[i]); a != "null" {
				t.Errorf("the context is a field: %s", a)
			}
		})
	}
}

// nilContext is a context whose nil pointer panics when used.
type nilContext struct{ context.Context }

func (c *nilContext) Value(key any) any { return c.Context.Value(key) }

// TestRequestTrails runs two requests concurrently, each with its own trail
// (breadcrumbs.WithTrail), one passing its context at each call and one
// through With, and checks that no breadcrumb leaks into the other's event.
func TestRequestTrails(t *testing.T) {
	rcv, hub, logger := setup(t)
	base := sentry.SetHubOnContext(context.Background(), hub)
	const steps = 50
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, req := range []string{"a", "b"} {
		wg.Go(func() {
			ctx := breadcrumbs.WithTrail(base)
			<-start
			if req == "a" {
				for i := range steps {
					logger.Info(fmt.Sprintf("%s step %d", req, i), zapsentry.Context(ctx))
				}
				logger.Error(req+" failed", zapsentry.Context(ctx))
				return
			}
			l := logger.With(zap.Any("ctx", ctx))
			for i := range steps {
				l.Info(fmt.Sprintf("%s step %d", req, i))
			}
			l.Error(req + " failed")
		})
	}
	close(start)
	wg.Wait()
	logger.Error("outside")
	evs := events(t, rcv, hub, 3)
	for _, ev := range evs {
		crumbs := sentrytest.BreadcrumbMessages(ev)
		if ev.Message == "outside" {
			if len(crumbs) != 0 {
				t.Errorf("outside event has request breadcrumbs: %q", crumbs)
			}
			continue
		}
		req := ev.Message[:1]
		if len(crumbs) != steps {
			t.Errorf("%s: %d breadcrumbs, want %d", ev.Message, len(crumbs), steps)
		}
		for _, c := range crumbs {
			if !strings.HasPrefix(c, req+" ") {
				t.Errorf("%s: leaked breadcrumb %q", ev.Message, c)
			}
		}
	}
}

type panicObject struct{}

func (panicObject) MarshalLogObject(zapcore.ObjectEncoder) error { panic("object boom") }

type panicArray struct{}

func (panicArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	enc.AppendString("partial")
	panic(sentrytest.PanicError{}) // panics in Error, even as the value of a panic
}

func TestHostileValues(t *testing.T) {
	cyclic := sentrytest.CyclicNode("n")
	selfMap := map[string]any{}
	selfMap["self"] = selfMap
	tests := []struct {
		name  string
		field zap.Field
		want  string // in the attributes' JSON or the exception's value
	}{
		{"panicking Stringer", zap.Stringer("s", sentrytest.PanicStringer{}), `"sError":"PANIC=String exploded"`}, // zap's own guard
		{"zap.Any panicking Stringer", zap.Any("s", sentrytest.PanicStringer{}), `"sError":"PANIC=String exploded"`},
		{"panicking MarshalLogObject", zap.Object("o", panicObject{}), `"o":"!PANIC converting zapsentry_test.panicObject: object boom"`},
		{"panicking MarshalLogArray and panic value", zap.Array("a", panicArray{}), `"a":"!PANIC converting zapsentry_test.panicArray: %!v(PANIC=Error method: Error exploded)"`},
		{"panicking Error", zap.Error(sentrytest.PanicError{}), "sentrytest.PanicError: Error exploded"},
		{"typed nil error", zap.Error((*sentrytest.NilError)(nil)), "<nil>"},
		{"cyclic struct", zap.Reflect("cyc", cyclic), `"[max depth]"`},
		{"cyclic map", zap.Any("m", selfMap), `"[max depth]"`},
		{"nil object", zap.Object("nilobj", nil), `"nilobj":null`},
		{"unknown field type", zap.Field{Key: "unknown", Type: zapcore.UnknownType}, `"unknown":"!PANIC converting zap field: unknown field type`},
		{"NaN", zap.Float64("nan", nan()), `"nan":"NaN"`},
		{"invalid UTF-8", zap.String("bad\xff", "\xfe\xff"), "\"bad\uFFFD\":\"\uFFFD"},
		{"channel", zap.Any("ch", make(chan int)), `"ch":"\u003cchan int\u003e"`},
	}
	for _, tc := range tests {
		for _, where := range []string{"call", "With"} {
			t.Run(tc.name+" at "+where, func(t *testing.T) {
				rcv, hub, logger := setup(t)
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("logging panicked: %v", p)
						}
					}()
					if where == "call" {
						logger.Error("hostile", tc.field, zap.String("after", "kept"))
					} else {
						logger.With(tc.field, zap.String("after", "kept")).Error("hostile")
					}
				}()
				ev := events(t, rcv, hub, 1)[0]
				attrs := attrsJSON(t, ev)
				if ev.Message != "hostile" || ev.Contexts["attributes"]["after"] != "kept" {
					t.Errorf("message %q, attributes %s: the entry or the field after the hostile one is lost", ev.Message, attrs)
				}
				got := attrs
				if len(ev.Exception) > 0 {
					got += " " + ev.Exception[len(ev.Exception)-1].Value
				}
				if !strings.Contains(got, tc.want) {
					t.Errorf("got %s, want it to contain %s", got, tc.want)
				}
			})
		}
	}
}

// TestDPanicAndPanicFlush checks that a DPanic entry (no panic in production)
// and a Panic entry (recovered) are on the wire when the call returns,
// without any flush by the test.
func TestDPanicAndPanicFlush(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(*zap.Logger)
	}{
		{"DPanic production", func(l *zap.Logger) { l.DPanic("dpanic") }},
		{"DPanic development", func(l *zap.Logger) { l.WithOptions(zap.Development()).DPanic("dpanic") }},
		{"Panic", func(l *zap.Logger) { l.Panic("panic") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv, _, logger := setup(t)
			func() {
				defer func() { _ = recover() }()
				tc.log(logger)
			}()
			if n := len(rcv.Events()); n != 1 {
				t.Errorf("%d events on the wire when the call returned, want 1", n)
			}
		})
	}
}

// TestDPanicFlushBound: the flush after a DPanic entry is the fatal flush,
// bounded by WithFlushTimeout and skipped with 0: a production DPanic with
// Sentry hanging must not block its caller for the 2s default.
func TestDPanicFlushBound(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		atMost  time.Duration
	}{
		{0, 500 * time.Millisecond},
		{300 * time.Millisecond, 1500 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("WithFlushTimeout=%v", tc.timeout), func(t *testing.T) {
			rcv := newReceiverHub(t)
			rcv.SetDelay(time.Hour)
			logger := zap.New(zapsentry.NewCore(logsentry.WithHub(rcv.hub), logsentry.WithFlushTimeout(tc.timeout)))
			start := time.Now()
			logger.DPanic("inventory negative") // production: no panic
			if took := time.Since(start); took > tc.atMost || took < tc.timeout {
				t.Errorf("DPanic returned after %v, want %v to %v", took, tc.timeout, tc.atMost)
			}
		})
	}
}

// TestDPanicFlushOnlyWhatItSent: a DPanic entry that sent nothing (rate
// limited, filtered, a breadcrumb only) does not wait on a hanging Sentry:
// a production logger goes on after it, and the flush would be for nothing.
func TestDPanicFlushOnlyWhatItSent(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []logsentry.Option
		warm int // DPanic entries before the timed ones
	}{
		{"rate limited", []logsentry.Option{logsentry.WithEventRate(1e-9, 1)}, 1},
		{"filtered", []logsentry.Option{logsentry.WithFilter(func(_ logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
			return s &^ logsentry.SinkEvent
		})}, 0},
		{"breadcrumb only", []logsentry.Option{zapsentry.WithEventLevel(zapcore.PanicLevel)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiverHub(t)
			rcv.SetDelay(time.Hour)
			logger := zap.New(zapsentry.NewCore(append(tc.opts, logsentry.WithHub(rcv.hub),
				logsentry.WithFlushTimeout(200*time.Millisecond))...))
			// An event is stuck in the transport: a flush would wait.
			rcv.hub.CaptureMessage("unrelated")
			for range tc.warm {
				logger.DPanic("inventory negative")
			}
			start := time.Now()
			for range 5 {
				logger.DPanic("inventory negative")
			}
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("5 DPanic entries that sent nothing took %v, want no flush (200ms each)", took)
			}
		})
	}
}

func TestSync(t *testing.T) {
	t.Run("flushes", func(t *testing.T) {
		rcv := newReceiverHub(t)
		core := zapsentry.NewCore(logsentry.WithHub(rcv.hub))
		logger := zap.New(core)
		logger.Error("e")
		if err := logger.Sync(); err != nil {
			t.Fatalf("Sync: %v", err)
		}
		if n := len(rcv.Events()); n != 1 {
			t.Errorf("%d events after Sync, want 1", n)
		}
	})
	t.Run("flushes the hub of a With context", func(t *testing.T) {
		rcv := newReceiverHub(t)
		other := newReceiverHub(t)
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(other.hub)))
		ctx, cancel := context.WithCancel(sentry.SetHubOnContext(context.Background(), rcv.hub))
		l := logger.With(zapsentry.Context(ctx))
		l.Error("e")
		cancel() // a finished request still names its hub
		if err := l.Sync(); err != nil {
			t.Fatalf("Sync: %v", err)
		}
		if n := len(rcv.Events()); n != 1 {
			t.Errorf("%d events after Sync, want 1", n)
		}
	})
	t.Run("bounded by the flush timeout", func(t *testing.T) {
		rcv := newReceiverHub(t)
		rcv.SetDelay(10 * time.Second)
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(rcv.hub), logsentry.WithFlushTimeout(100*time.Millisecond)))
		logger.Error("e")
		start := time.Now()
		err := logger.Sync()
		if !errors.Is(err, logsentry.ErrFlushTimeout) {
			t.Errorf("Sync = %v, want ErrFlushTimeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Sync took %v", d)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		logger := zap.New(zapsentry.NewCore(logsentry.WithHub(sentry.NewHub(nil, sentry.NewScope()))))
		logger.Error("e")
		if err := logger.Sync(); err != nil {
			t.Errorf("Sync = %v, want nil", err)
		}
	})
}

func TestAttachCore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		attach func(*zap.Logger, *sentry.Hub) *zap.Logger
	}{
		{"AttachCore", func(l *zap.Logger, h *sentry.Hub) *zap.Logger {
			return zapsentry.AttachCore(l, logsentry.WithHub(h))
		}},
		{"WrapCore", func(l *zap.Logger, h *sentry.Hub) *zap.Logger {
			return l.WithOptions(zapsentry.WrapCore(logsentry.WithHub(h)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiverHub(t)
			var out bytes.Buffer
			base := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zapcore.EncoderConfig{MessageKey: "msg"}), zapcore.AddSync(&out), zapcore.InfoLevel))
			logger := tc.attach(base, rcv.hub)
			logger.Error("disk full", zap.String("mount", "/data"))
			if got := strings.TrimSpace(out.String()); got != `{"msg":"disk full","mount":"/data"}` {
				t.Errorf("existing core wrote %q", got)
			}
			ev := events(t, rcv.Receiver, rcv.hub, 1)[0]
			if ev.Message != "disk full" || attrsJSON(t, ev) != `{"mount":"/data"}` {
				t.Errorf("event %q %s", ev.Message, attrsJSON(t, ev))
			}
		})
	}
	t.Run("nil logger", func(t *testing.T) {
		rcv := newReceiverHub(t)
		zapsentry.AttachCore(nil, logsentry.WithHub(rcv.hub)).Error("e")
		events(t, rcv.Receiver, rcv.hub, 1)
	})
}

// TestDisabledIsFree checks that an entry below every threshold allocates
// nothing in the Core.
func TestDisabledIsFree(t *testing.T) {
	logger := zap.New(zapsentry.NewCore())
	allocs := testing.AllocsPerRun(1000, func() {
		logger.Debug("not sent")
	})
	if allocs != 0 {
		t.Errorf("disabled entry: %v allocations, want 0", allocs)
	}
	if logger.Core().Enabled(zapcore.DebugLevel) || logger.Check(zapcore.DebugLevel, "x") != nil {
		t.Error("debug enabled by default")
	}
}

// Enabled, one comparison with a precomputed level, agrees with the bridge
// for each of the 256 zap levels, named or not, under every threshold.
func TestEnabledAllLevels(t *testing.T) {
	configs := map[string][]logsentry.Option{
		"default":   nil,
		"all off":   {zapsentry.WithEventLevel(zapsentry.LevelOff), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)},
		"debug log": {zapsentry.WithLogLevel(zapcore.DebugLevel)},
		"custom":    {zapsentry.WithBreadcrumbLevel(zapcore.Level(-5)), zapsentry.WithEventLevel(zapcore.DPanicLevel)},
		"fatal":     {zapsentry.WithEventLevel(zapcore.FatalLevel), zapsentry.WithBreadcrumbLevel(zapsentry.LevelOff)},
	}
	for name, opts := range configs {
		c := zapsentry.NewCore(opts...)
		w := c.With([]zapcore.Field{zap.String("k", "v")})
		for l := -128; l <= 127; l++ {
			lvl := zapcore.Level(l)
			want := c.Bridge().Enabled(zapsentry.Severity(lvl))
			if got := c.Enabled(lvl); got != want {
				t.Errorf("%s: Enabled(%d) = %v, bridge says %v", name, l, got, want)
			}
			if got := w.Enabled(lvl); got != want {
				t.Errorf("%s: With(...).Enabled(%d) = %v, bridge says %v", name, l, got, want)
			}
		}
	}
}

// masked is a user's ObjectMarshaler that is a slice of fields, as zap.Dict's
// is, and masks their values.
type masked []zapcore.Field

func (m masked) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, f := range m {
		enc.AddString(f.Key, "***")
	}
	return nil
}

// richErr is an error that is also an ObjectMarshaler: zap.Any and the
// sugared logger choose its marshaler over its error.
type richErr struct{ code int }

func (e *richErr) Error() string { return fmt.Sprintf("quota exceeded (code %d)", e.code) }
func (e *richErr) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddInt("code", e.code)
	return nil
}

// TestMarshalerErrors: an error that is an ObjectMarshaler is the
// exception however it is passed, its object form kept as the field; an
// error or a context inside zap.Inline(zap.DictObject(...)) is one, as in
// zap.Object; a panicking zap.Inline leaves a placeholder.
func TestMarshalerErrors(t *testing.T) {
	rcv, hub, logger := setup(t)
	ctxHub := newReceiverHub(t)
	logger.Sugar().Errorw("sugared", "err", &richErr{429})
	logger.Error("any", zap.Any("error", &richErr{430}))
	logger.Error("inline dict", zap.Inline(zap.DictObject(zap.Error(errors.New("disk full")), zap.Int("n", 1))))
	logger.Error("inline dict context", zap.Inline(zap.DictObject(zapsentry.Context(sentry.SetHubOnContext(context.Background(), ctxHub.hub)))))
	logger.Error("inline panic", zap.Inline(panicObject{}))
	evs := events(t, rcv, hub, 4)
	for _, tt := range []struct{ msg, typ, value, attrs string }{
		{"sugared", "*zapsentry_test.richErr", "quota exceeded (code 429)", `{"err":{"code":429}}`},
		{"any", "*zapsentry_test.richErr", "quota exceeded (code 430)", `{"error":{"code":430}}`},
		{"inline dict", "*errors.errorString", "disk full", `{"n":1}`},
		{"inline panic", "", "", `{"!PANIC":"!PANIC converting zapsentry_test.panicObject: object boom"}`},
	} {
		ev := sentrytest.EventByMessage(t, evs, tt.msg)
		if tt.typ != "" && (len(ev.Exception) != 1 || ev.Exception[0].Type != tt.typ || ev.Exception[0].Value != tt.value) {
			t.Errorf("%q: exceptions %+v, want %s %q", tt.msg, ev.Exception, tt.typ, tt.value)
		}
		if got := attrsJSON(t, ev); got != tt.attrs {
			t.Errorf("%q: attributes %s, want %s", tt.msg, got, tt.attrs)
		}
	}
	if n := len(events(t, ctxHub.Receiver, ctxHub.hub, 1)); n != 1 {
		t.Errorf("the context inside zap.Inline(zap.DictObject(...)) was not the record's: %d events on its hub", n)
	}
}

// snapCfg is a reflected value whose JSON form (what zap's encoder writes)
// differs from the bridge's conversion: a duration, bytes, an error.
type snapCfg struct {
	Timeout time.Duration `json:"timeout"`
	Raw     []byte        `json:"raw"`
	Details map[string]any
}

// TestWithReadsAsCall: a reflected value given to With reads in Sentry as
// the same value given to the call (it is copied then by the bridge's own
// conversion, not zap's JSON), and later changes to it do not show.
func TestWithReadsAsCall(t *testing.T) {
	rcv, hub, logger := setup(t)
	mk := func() snapCfg {
		return snapCfg{Timeout: 1500 * time.Millisecond, Raw: []byte("hi"), Details: map[string]any{"err": errors.New("disk full")}}
	}
	withCfg := mk()
	withLogger := logger.With(zap.Any("cfg", withCfg))
	withCfg.Details["err"] = "changed after With"
	withLogger.Error("in With")
	logger.Error("in the call", zap.Any("cfg", mk()))
	evs := events(t, rcv, hub, 2)
	with, call := attrsJSON(t, sentrytest.EventByMessage(t, evs, "in With")), attrsJSON(t, sentrytest.EventByMessage(t, evs, "in the call"))
	if with != call {
		t.Errorf("With: %s\ncall: %s\nwant the same", with, call)
	}
}

// TestWithRequest: an *http.Request given to With is the event's request,
// as one given to the call is.
func TestWithRequest(t *testing.T) {
	rcv, hub, logger := setup(t)
	req := httptest.NewRequest(http.MethodPost, "http://svc.example/orders?page=2", nil)
	logger.With(zap.Any("request", req)).Error("with a request")
	ev := events(t, rcv, hub, 1)[0]
	if ev.Request["method"] != http.MethodPost || !strings.Contains(fmt.Sprint(ev.Request["url"]), "/orders") {
		t.Errorf("request = %v, want the one given to With", ev.Request)
	}
}
