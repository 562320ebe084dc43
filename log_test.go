package logsentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/getsentry/sentry-go/attribute"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

// logsOnly is a bridge configuration that sends every record to Sentry
// Logs and nothing else.
func logsOnly(hub *sentry.Hub, opts ...logsentry.Option) *logsentry.Bridge {
	return logsentry.New(append([]logsentry.Option{logsentry.WithHub(hub),
		logsentry.WithEventSeverity(off), logsentry.WithBreadcrumbSeverity(off),
		logsentry.WithLogSeverity(logsentry.SeverityTrace)}, opts...)...)
}

func TestLogAttributes(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsOnly(hub)
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Level: "INFO", Message: "typed", Attrs: []slog.Attr{
		slog.String("s", "str"),
		slog.Int64("i", math.MinInt64),
		slog.Uint64("u", math.MaxUint64),
		slog.Float64("f", 0.25),
		slog.Float64("nan", math.NaN()),
		slog.Bool("b", true),
		slog.Any("nil", nil),
		slog.Duration("d", time.Second),
		slog.Any("m", map[string]any{"k": []int{1, 2}, "o": map[string]any{"z": 1.5, "e": map[string]any{}}}),
		slog.Any("list", []string{"x", "y"}),
		slog.Any("bools", []bool{true, false}),
		slog.Any("floats", []any{1, 2.5, uint64(1 << 53)}),
		slog.Any("bigfloats", []any{1 << 60, 2.5}),
		slog.Any("bigu", []any{uint64(math.MaxUint64), uint64(1)}),
		slog.Any("mixed", []any{1, "a"}),
		slog.Any("objects", []any{map[string]any{"a": 1}}),
		slog.Any("empty", []int{}),
		slog.Any("struct", struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		}{7, "n"}),
		slog.Group("http", slog.String("method", "GET"), slog.Group("resp", slog.Int("status", 200))),
	}})
	sentrytest.Flush(t, hub)
	l := sentrytest.LogByBody(t, rcv.WaitLogs(t, 1, waitFor), "typed")
	a := l.Attributes
	want := map[string]struct {
		typ   string
		value string // JSON
	}{
		"s":                {"string", `"str"`},
		"i":                {"integer", `-9223372036854775808`},
		"u":                {"integer", `18446744073709551615`},
		"f":                {"double", `0.25`},
		"nan":              {"string", `"NaN"`},
		"b":                {"boolean", `true`},
		"nil":              {"string", `"null"`},
		"d":                {"string", `"1s"`},
		"m.k":              {"array", `[1,2]`},
		"m.o.z":            {"double", `1.5`},
		"m.o.e":            {"string", `"{}"`},
		"list":             {"array", `["x","y"]`},
		"bools":            {"array", `[true,false]`},
		"floats":           {"array", `[1,2.5,9007199254740992]`},
		"bigfloats":        {"string", `"[1152921504606846976,2.5]"`},
		"bigu":             {"string", `"[18446744073709551615,1]"`},
		"mixed":            {"string", `"[1,\"a\"]"`},
		"objects":          {"string", `"[{\"a\":1}]"`},
		"empty":            {"array", `[]`},
		"struct.id":        {"integer", `7`},
		"struct.name":      {"string", `"n"`},
		"http.method":      {"string", `"GET"`},
		"http.resp.status": {"integer", `200`},
		"sentry.origin":    {"string", `"auto.log.logsentry"`},
		"logger.name":      {"string", `"logsentry"`},
		"log.level":        {"string", `"INFO"`},
	}
	for k, w := range want {
		got, ok := a[k]
		if !ok {
			t.Errorf("attribute %q missing", k)
			continue
		}
		if got.Type != w.typ || jsonOf(t, got.Value) != w.value {
			t.Errorf("attribute %q = %s %s, want %s %s", k, got.Type, jsonOf(t, got.Value), w.typ, w.value)
		}
	}
	if u, ok := a["u"].Value.(json.Number); !ok || u.String() != "18446744073709551615" {
		t.Errorf("uint64 attribute = %#v", a["u"].Value)
	}
	for _, k := range []string{"exception.type", "exception.message", "user.id", "http", "m", "m.o", "struct"} {
		if _, ok := a[k]; ok {
			t.Errorf("unexpected attribute %q", k)
		}
	}
}

func TestLogSeverities(t *testing.T) {
	tests := []struct {
		sev      logsentry.Severity
		level    string
		severity int
	}{
		{logsentry.SeverityTrace, "trace", 1},
		{logsentry.SeverityTrace + 3, "trace", 1},
		{logsentry.SeverityDebug, "debug", 5},
		{logsentry.SeverityInfo, "info", 9},
		{logsentry.SeverityInfo + 3, "info", 9},
		{logsentry.SeverityWarn, "warn", 13},
		{logsentry.SeverityError, "error", 17},
		{logsentry.SeverityFatal, "fatal", 21}, // LFatal: logged, no exit
		{logsentry.SeverityMax, "fatal", 21},
		{0, "trace", 1},
	}
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsOnly(hub, logsentry.WithLogSeverity(0))
	for _, tt := range tests {
		b.Emit(context.Background(), logsentry.Record{Severity: tt.sev, Message: fmt.Sprint("sev ", int(tt.sev))})
	}
	sentrytest.Flush(t, hub)
	logs := rcv.WaitLogs(t, len(tests), waitFor)
	for _, tt := range tests {
		t.Run(tt.sev.String(), func(t *testing.T) {
			l := sentrytest.LogByBody(t, logs, fmt.Sprint("sev ", int(tt.sev)))
			if l.Level != tt.level || l.Severity != tt.severity {
				t.Errorf("level %q severity %d, want %q %d", l.Level, l.Severity, tt.level, tt.severity)
			}
		})
	}
}

func TestLogFields(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsOnly(hub, logsentry.WithLoggerName("billing"))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "with error",
		Err: fmt.Errorf("charge: %w", &baseErr{402}), Attrs: []slog.Attr{slog.Group("user", slog.String("id", "u-9"), slog.String("email", "e@x"))}})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "", Logger: "rec"})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityWarn, Err: errors.New("only an error")})
	logsentry.New(logsentry.WithHub(hub), logsentry.WithLogSeverity(logsentry.SeverityInfo), logsentry.WithOrigin("auto.log.custom")).
		Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "custom origin"})
	sentrytest.Flush(t, hub)
	logs := rcv.WaitLogs(t, 4, waitFor)

	l := sentrytest.LogByBody(t, logs, "with error")
	a := l.Attributes
	for k, v := range map[string]string{
		"exception.type":    "*fmt.wrapError",
		"exception.message": "charge: base 402",
		"user.id":           "u-9",
		"sentry.origin":     "auto.log.billing",
		"logger.name":       "billing",
	} {
		if a[k].Type != "string" || a[k].String() != v {
			t.Errorf("%s = %#v, want %q", k, a[k], v)
		}
	}
	if _, ok := a["user.email"]; ok {
		t.Errorf("user.email sent without PII consent")
	}
	l = sentrytest.LogByBody(t, logs, "(empty message)")
	if l.Attributes["logger.name"].String() != "rec" {
		t.Errorf("logger.name = %#v", l.Attributes["logger.name"])
	}
	sentrytest.LogByBody(t, logs, "only an error")
	l = sentrytest.LogByBody(t, logs, "custom origin")
	if l.Attributes["sentry.origin"].String() != "auto.log.custom" {
		t.Errorf("sentry.origin = %#v", l.Attributes["sentry.origin"])
	}
}

// TestLogHubs: the cached sentry.Logger of each hub uses that hub's scope,
// also when several hubs share one client.
func TestLogHubs(t *testing.T) {
	rcv, hub1 := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	hub2 := sentry.NewHub(hub1.Client(), sentry.NewScope())
	hub3 := sentry.NewHub(hub1.Client(), sentry.NewScope())
	hub1.Scope().SetAttributes(attribute.String("tenant", "one"))
	hub2.Scope().SetAttributes(attribute.String("tenant", "two"))
	hub3.Scope().SetAttributes(attribute.String("tenant", "three"))
	b1 := logsOnly(hub1)
	b2 := logsOnly(hub2)
	sentrytest.BindCurrent(t, hub1.Client())
	sentry.CurrentHub().Scope().SetAttributes(attribute.String("tenant", "current"))
	noHub := logsOnly(nil)

	sends := []struct {
		b    *logsentry.Bridge
		ctx  context.Context
		body string
		want string
	}{
		{b1, context.Background(), "b1", "one"},
		{b2, context.Background(), "b2", "two"},
		{b1, sentrytest.HubContext(hub3), "b1 ctx hub3", "three"},
		{b1, sentrytest.HubContext(hub2), "b1 ctx hub2", "two"},
		{b1, context.Background(), "b1 again", "one"},
		{b2, sentrytest.HubContext(hub3), "b2 ctx hub3", "three"},
		{noHub, context.Background(), "current", "current"},
		{noHub, sentrytest.HubContext(hub2), "current ctx hub2", "two"},
	}
	for _, s := range sends {
		s.b.Emit(s.ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: s.body})
	}
	sentrytest.Flush(t, hub1)
	logs := rcv.WaitLogs(t, len(sends), waitFor)
	for _, s := range sends {
		t.Run(s.body, func(t *testing.T) {
			if got := sentrytest.LogByBody(t, logs, s.body).Attributes["tenant"].String(); got != s.want {
				t.Errorf("tenant = %q, want %q", got, s.want)
			}
		})
	}
}

// TestLogTrace: a log carries the trace of its record's context.
func TestLogTrace(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	b := logsOnly(hub)
	span := sentry.StartSpan(sentrytest.HubContext(hub), "op", sentry.WithTransactionName("tx"))
	b.Emit(span.Context(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "traced"})
	span.Finish()
	sentrytest.Flush(t, hub)
	l := sentrytest.LogByBody(t, rcv.WaitLogs(t, 1, waitFor), "traced")
	if l.TraceID != span.TraceID.String() || l.SpanID != span.SpanID.String() {
		t.Errorf("log trace %s span %s, want %s %s", l.TraceID, l.SpanID, span.TraceID, span.SpanID)
	}
}

// TestLogAttributeBounds: a log's fields keep at most about 64 KB of JSON;
// the rest are counted in a "[truncated]" attribute.
func TestLogAttributeBounds(t *testing.T) {
	t.Run("error", testLogErrorBounds)
	l := bigLog(t, logsentry.SeverityInfo, "big", slog.Int("n", 7))
	if n := l.Attributes["n"]; n.Type != "integer" || jsonOf(t, n.Value) != "7" {
		t.Errorf("n = %s %s, want integer 7", n.Type, jsonOf(t, n.Value))
	}
	if s, _ := l.Attributes["body00"].Value.(string); s != strings.Repeat("x", 16<<10) {
		t.Errorf("body00 has %d bytes, want the whole first field", len(s))
	}
	// 3 fields of 16 KB fit, the 4th is cut, the other 16 are counted.
	if got := l.Attributes["[truncated]"].Value; got != "16 more fields" {
		t.Errorf("[truncated] = %v, want 16 more fields", got)
	}
}

// bigLog sends a Sentry log with first and twenty 16 KB fields (body00 to
// body19), returns it as received, and fails t unless its fields (the
// SDK's sentry.* aside) keep to about 64 KB of JSON.
func bigLog(t *testing.T, sev logsentry.Severity, msg string, first slog.Attr) sentrytest.Log {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	attrs := []slog.Attr{first}
	for i := range 20 {
		attrs = append(attrs, slog.String(fmt.Sprintf("body%02d", i), strings.Repeat("x", 16<<10)))
	}
	logsOnly(hub).Emit(context.Background(), logsentry.Record{Severity: sev, Message: msg, Attrs: attrs})
	sentrytest.Flush(t, hub)
	l := sentrytest.LogByBody(t, rcv.WaitLogs(t, 1, waitFor), msg)
	size := 0
	for k, a := range l.Attributes {
		if !strings.HasPrefix(k, "sentry.") {
			size += len(k) + len(jsonOf(t, a.Value))
		}
	}
	if size > 64<<10+200 {
		t.Errorf("log attributes of %d bytes, want about 64 KB", size)
	}
	return l
}

// testLogErrorBounds: the error's text takes at most half of the 64 KB, and
// counts against it: 16 KB of '<' is 96 KB of JSON.
func testLogErrorBounds(t *testing.T) {
	l := bigLog(t, logsentry.SeverityError, "big error", slog.Any("err", errors.New(strings.Repeat("<", 16<<10))))
	msg := jsonOf(t, l.Attributes["exception.message"].Value)
	if len(msg) > 32<<10+64 || !strings.HasPrefix(msg, `"\u003c\u003c`) {
		t.Errorf("exception.message of %d bytes of JSON (%.20s…), want a cut at most 32 KB", len(msg), msg)
	}
	if l.Attributes["exception.type"].Value != "*errors.errorString" {
		t.Errorf("exception.type = %v", l.Attributes["exception.type"].Value)
	}
}

// TestLogAfterClientSwap: a bridge whose first Sentry log races with its
// hub's client being unbound still sends every later log once the client
// is bound again. The logger cache once built its logger from the hub and
// could read no client there, caching a logger that drops everything.
func TestLogAfterClientSwap(t *testing.T) {
	var mu sync.Mutex
	later := 0
	a, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: "http://k@127.0.0.1:1/1", Transport: &sentrytest.CountingTransport{},
		BeforeSendLog: func(l *sentry.Log) *sentry.Log {
			if l.Body == "later" {
				mu.Lock()
				later++
				mu.Unlock()
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const n = 500
	for range n {
		hub := sentry.NewHub(a, sentry.NewScope())
		b := logsOnly(hub)
		var wg sync.WaitGroup
		wg.Go(func() {
			runtime.Gosched()
			hub.BindClient(nil)
		})
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "first"})
		wg.Wait()
		hub.BindClient(a)
		for range 5 {
			b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "later"})
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if later != 5*n {
		t.Errorf("%d of %d logs reached the client after it was bound again", later, 5*n)
	}
}

// TestLogReservedKeys: a field named like an attribute the bridge or
// Sentry sets on a log (a group logger{name}, a flat "sentry.release")
// would overwrite it, as the SDK lets a log's attributes win: it goes out
// under "field." and both are kept.
func TestLogReservedKeys(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{Release: "v1.2.3"})
	b := logsOnly(hub, logsentry.WithLoggerName("billing"))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Level: "ERROR", Message: "reserved",
		Err: errors.New("boom"), Attrs: []slog.Attr{
			slog.Group("logger", slog.String("name", "mine")),
			slog.String("log.level", "custom"),
			slog.Group("exception", slog.String("type", "T"), slog.String("message", "m")),
			slog.String("sentry.origin", "manual"),
			slog.String("sentry.release", "other"),
			slog.Group("sentry", slog.Int("sdk", 1)),
			slog.String("sentryish", "kept"),
			slog.String("sentry.x", "short"),
			slog.String("logger", ""), // empty: a field, not the logger name
			slog.String("log.levels", "kept"),
		}})
	sentrytest.Flush(t, hub)
	a := sentrytest.LogByBody(t, rcv.WaitLogs(t, 1, waitFor), "reserved").Attributes
	for k, v := range map[string]string{
		"logger.name":             "billing",
		"field.logger.name":       "mine",
		"log.level":               "ERROR",
		"field.log.level":         "custom",
		"exception.type":          "*errors.errorString",
		"exception.message":       "boom",
		"field.exception.type":    "T",
		"field.exception.message": "m",
		"sentry.origin":           "auto.log.billing",
		"field.sentry.origin":     "manual",
		"sentry.release":          "v1.2.3",
		"field.sentry.release":    "other",
		"sentryish":               "kept",
		"field.sentry.x":          "short",
		"log.levels":              "kept",
	} {
		if got, ok := a[k]; !ok || got.String() != v {
			t.Errorf("%s = %#v, want %q", k, got, v)
		}
	}
	if got := a["field.sentry.sdk"]; got.Type != "integer" || jsonOf(t, got.Value) != "1" {
		t.Errorf("field.sentry.sdk = %#v, want the integer 1", got)
	}
}

// TestUserFieldsKept: a field named like the record user's attributes
// ("user.id", an OTel key) goes under field. when the record has a user,
// in Sentry logs and breadcrumbs: neither overwrites the other. Without a
// record user it stays user.id.
func TestUserFieldsKept(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithLogSeverity(logsentry.SeverityInfo))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "with user", Attrs: []slog.Attr{
		slog.Group("user", slog.String("id", "u-42")), slog.String("user.id", "not-the-user"),
	}})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "field only", Attrs: []slog.Attr{
		slog.String("user.id", "u-7"),
	}})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "probe"})
	sentrytest.Flush(t, hub)
	logs := rcv.WaitLogs(t, 3, waitFor)
	a := sentrytest.LogByBody(t, logs, "with user").Attributes
	if a["user.id"].String() != "u-42" || a["field.user.id"].String() != "not-the-user" {
		t.Errorf("log: user.id %#v, field.user.id %#v; want u-42 and not-the-user", a["user.id"], a["field.user.id"])
	}
	if got := sentrytest.LogByBody(t, logs, "field only").Attributes["user.id"]; got.String() != "u-7" {
		t.Errorf("log without a record user: user.id %#v, want u-7", got)
	}
	crumbs := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "probe").Breadcrumbs
	if len(crumbs) != 2 {
		t.Fatalf("%d breadcrumbs, want 2", len(crumbs))
	}
	if d := crumbs[0].Data; d["user.id"] != "u-42" || d["field.user.id"] != "not-the-user" {
		t.Errorf("breadcrumb data %v, want user.id u-42 and field.user.id not-the-user", d)
	}
	if d := crumbs[1].Data; d["user.id"] != "u-7" {
		t.Errorf("breadcrumb data %v, want user.id u-7", d)
	}
}
