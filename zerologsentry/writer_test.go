package zerologsentry_test

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

// TestRecordConversion writes raw zerolog lines to the Writer and checks
// the events a real client sent to the receiver.
func TestRecordConversion(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 100) + `"leaf"` + strings.Repeat(`}`, 100)
	tests := []struct {
		name  string
		line  string // "message" is added: the test's name
		check func(t *testing.T, ev sentrytest.Event)
	}{
		{"numbers", `"one":1,"neg":-1,"half":1.5,"huge":1e400,"maxu":18446744073709551615,"over":9223372036854775808`,
			func(t *testing.T, ev sentrytest.Event) {
				a := attrs(ev)
				want := map[string]string{"one": "1", "neg": "-1", "half": "1.5", "maxu": "18446744073709551615", "over": "9223372036854775808"}
				for k, w := range want {
					if n, ok := a[k].(json.Number); !ok || string(n) != w {
						t.Errorf("%s = %#v, want the number %s", k, a[k], w)
					}
				}
				if a["huge"] != "1e400" {
					t.Errorf("huge = %#v, want the string 1e400", a["huge"])
				}
			}},
		{"escapes", `"s":"line1\nline2 \"q\" \\ \/ \t"`, func(t *testing.T, ev sentrytest.Event) {
			if got := attrs(ev)["s"]; got != "line1\nline2 \"q\" \\ / \t" {
				t.Errorf("s = %q", got)
			}
		}},
		{"unicode", `"e":"caf\u00e9","smile":"\ud83d\ude00","raw":"été"`, func(t *testing.T, ev sentrytest.Event) {
			a := attrs(ev)
			if a["e"] != "café" || a["smile"] != "😀" || a["raw"] != "été" {
				t.Errorf("attributes = %q", a)
			}
		}},
		{"invalid UTF-8", "\"b\":\"ok \xff end\"", func(t *testing.T, ev sentrytest.Event) {
			if got := attrs(ev)["b"]; got != "ok \uFFFD end" {
				t.Errorf("b = %q", got)
			}
		}},
		{"nesting", `"http":{"method":"GET","resp":{"status":500,"ok":false}},"ids":[1,"two",null,{"k":"v"}]`,
			func(t *testing.T, ev sentrytest.Event) {
				a := attrs(ev)
				if v, _ := sentrytest.Lookup(a, "http", "method"); v != "GET" {
					t.Errorf("http.method = %#v", v)
				}
				if v, _ := sentrytest.Lookup(a, "http", "resp", "status"); fmt.Sprint(v) != "500" {
					t.Errorf("http.resp.status = %#v", v)
				}
				if v, _ := sentrytest.Lookup(a, "http", "resp", "ok"); v != false {
					t.Errorf("http.resp.ok = %#v", v)
				}
				ids, _ := a["ids"].([]any)
				if len(ids) != 4 || fmt.Sprint(ids[0]) != "1" || ids[1] != "two" || ids[2] != nil || fmt.Sprint(ids[3]) != "map[k:v]" {
					t.Errorf("ids = %#v", a["ids"])
				}
			}},
		{"empty object", `"meta":{}`, func(t *testing.T, ev sentrytest.Event) {
			if m, ok := attrs(ev)["meta"].(map[string]any); !ok || len(m) != 0 {
				t.Errorf("meta = %#v, want {}", attrs(ev)["meta"])
			}
		}},
		{"deep nesting", `"d":` + deep, func(t *testing.T, ev sentrytest.Event) {
			if _, ok := attrs(ev)["d"]; !ok {
				t.Errorf("d missing: %v", attrs(ev))
			}
		}},
		{"time and level fields", `"level":"error","time":"2024-01-02T03:04:05.5Z"`, func(t *testing.T, ev sentrytest.Event) {
			if want := time.Date(2024, 1, 2, 3, 4, 5, 5e8, time.UTC); !ev.Timestamp.Equal(want) {
				t.Errorf("timestamp = %v, want %v", ev.Timestamp, want)
			}
			if ev.Contexts["log"]["level"] != "error" {
				t.Errorf("log context = %v", ev.Contexts["log"])
			}
			if _, ok := attrs(ev)["time"]; ok {
				t.Errorf("time left among the attributes: %v", attrs(ev))
			}
		}},
		{"logger and caller fields", `"logger":"billing","caller":"/src/app/main.go:12"`, func(t *testing.T, ev sentrytest.Event) {
			if ev.Logger != "billing" {
				t.Errorf("logger = %q", ev.Logger)
			}
			if attrs(ev)["caller"] != "/src/app/main.go:12" {
				t.Errorf("caller = %#v", attrs(ev)["caller"])
			}
		}},
		{"error field", `"error":"open x: denied"`, func(t *testing.T, ev sentrytest.Event) {
			if len(ev.Exception) != 1 || ev.Exception[0].Type != "zerologsentry.LoggedError" || ev.Exception[0].Value != "open x: denied" {
				t.Errorf("exception = %+v", ev.Exception)
			}
			if _, ok := attrs(ev)["error"]; ok {
				t.Errorf("error left among the attributes")
			}
		}},
	}
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	for _, tt := range tests {
		line := `{` + tt.line + `,"message":` + jsonString(tt.name) + "}\n"
		if n, err := w.WriteLevel(zerolog.ErrorLevel, []byte(line)); n != len(line) || err != nil {
			t.Fatalf("WriteLevel = %d, %v", n, err)
		}
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, len(tests), waitFor)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := sentrytest.EventByMessage(t, evs, tt.name)
			if ev.Level != "error" || ev.Logger == "" {
				t.Errorf("level %q logger %q", ev.Level, ev.Logger)
			}
			tt.check(t, ev)
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestNotJSON checks that a line that is not a JSON object still reaches
// Sentry, as text.
func TestNotJSON(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	for _, line := range []string{"plain text line\n", `{"message":"cut`, "\xa1cbor\x00"} {
		_, _ = w.WriteLevel(zerolog.ErrorLevel, []byte(line))
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	sentrytest.EventByMessage(t, evs, "plain text line")
	sentrytest.EventByMessage(t, evs, `{"message":"cut`)
	sentrytest.EventByMessage(t, evs, "\uFFFDcbor\x00")
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		level zerolog.Level
		want  logsentry.Severity
	}{
		{zerolog.Level(-5), logsentry.SeverityTrace},
		{zerolog.TraceLevel, logsentry.SeverityTrace},
		{zerolog.DebugLevel, logsentry.SeverityDebug},
		{zerolog.InfoLevel, logsentry.SeverityInfo},
		{zerolog.WarnLevel, logsentry.SeverityWarn},
		{zerolog.ErrorLevel, logsentry.SeverityError},
		{zerolog.FatalLevel, logsentry.SeverityFatal},
		{zerolog.PanicLevel, logsentry.SeverityFatal + 1},
		{zerolog.NoLevel, logsentry.SeverityInfo},
		{zerolog.Disabled, logsentry.SeverityOff},
		{zerolog.Level(20), logsentry.SeverityInfo},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			if got := zerologsentry.Severity(tt.level); got != tt.want {
				t.Errorf("Severity(%d) = %v, want %v", tt.level, got, tt.want)
			}
		})
	}
}

// TestLevels logs at every zerolog level with every level an event and
// checks the Sentry level and severity of each.
func TestLevels(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(
		logsentry.WithHub(hub),
		logsentry.WithFlushTimeout(0), // no flush per fatal line; one at the end
		zerologsentry.WithEventLevel(zerolog.TraceLevel),
		zerologsentry.WithBreadcrumbLevel(zerolog.Disabled),
	)
	logger := newLogger(w, io.Discard)
	tests := []struct {
		name        string
		log         func(msg string)
		sentryLevel string
		severity    string
	}{
		{"trace", func(m string) { logger.Trace().Msg(m) }, "debug", "1"},
		{"debug", func(m string) { logger.Debug().Msg(m) }, "debug", "5"},
		{"info", func(m string) { logger.Info().Msg(m) }, "info", "9"},
		{"warn", func(m string) { logger.Warn().Msg(m) }, "warning", "13"},
		{"error", func(m string) { logger.Error().Msg(m) }, "error", "17"},
		{"fatal", func(m string) { logger.WithLevel(zerolog.FatalLevel).Msg(m) }, "fatal", "21"},
		{"panic", func(m string) { logger.WithLevel(zerolog.PanicLevel).Msg(m) }, "fatal", "22"},
		{"nolevel", func(m string) { logger.Log().Msg(m) }, "info", "9"},
		{"print", func(m string) { logger.Print(m) }, "debug", "5"},
		{"disabled", func(m string) { _, _ = w.WriteLevel(zerolog.Disabled, []byte(`{"message":"disabled"}`)) }, "", ""},
	}
	for _, tt := range tests {
		tt.log(tt.name)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, len(tests)-1, waitFor)
	time.Sleep(50 * time.Millisecond) // let a stray "disabled" event show up
	evs = append(evs, rcv.Events()[len(evs):]...)
	if len(evs) != len(tests)-1 {
		t.Errorf("%d events, want %d: %q", len(evs), len(tests)-1, sentrytest.Messages(evs))
	}
	for _, tt := range tests {
		if tt.sentryLevel == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			ev := sentrytest.EventByMessage(t, evs, tt.name)
			if ev.Level != tt.sentryLevel || fmt.Sprint(ev.Contexts["log"]["severity"]) != tt.severity {
				t.Errorf("level %q severity %v, want %q %s", ev.Level, ev.Contexts["log"]["severity"], tt.sentryLevel, tt.severity)
			}
			if ev.Logger != "zerolog" {
				t.Errorf("logger = %q, want zerolog", ev.Logger)
			}
		})
	}
}

// TestThresholds checks the three level options, each in zerolog's terms.
func TestThresholds(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(
		logsentry.WithHub(hub),
		zerologsentry.WithEventLevel(zerolog.WarnLevel),
		zerologsentry.WithBreadcrumbLevel(zerolog.DebugLevel),
		zerologsentry.WithLogLevel(zerolog.InfoLevel),
	)
	logger := newLogger(w, io.Discard)
	logger.Trace().Msg("trace: nowhere")
	logger.Debug().Msg("debug: breadcrumb")
	logger.Info().Int("n", 7).Float64("f", 2.5).Bool("b", true).Str("s", "x").Msg("info: breadcrumb and log")
	logger.Warn().Msg("warn: event")
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "warn: event" || ev.Level != "warning" {
		t.Errorf("event %q at %q", ev.Message, ev.Level)
	}
	if got := strings.Join(sentrytest.BreadcrumbMessages(ev), "|"); got != "debug: breadcrumb|info: breadcrumb and log" {
		t.Errorf("breadcrumbs = %s", got)
	}
	logs := rcv.WaitLogs(t, 2, waitFor)
	l := sentrytest.LogByBody(t, logs, "info: breadcrumb and log")
	if l.Level != "info" || l.Severity != 9 {
		t.Errorf("log level %q severity %d", l.Level, l.Severity)
	}
	if n, ok := l.Attributes["n"].Int(); !ok || n != 7 {
		t.Errorf("n = %+v", l.Attributes["n"])
	}
	if f, ok := l.Attributes["f"].Float(); !ok || f != 2.5 {
		t.Errorf("f = %+v", l.Attributes["f"])
	}
	if b, ok := l.Attributes["b"].Bool(); !ok || !b {
		t.Errorf("b = %+v", l.Attributes["b"])
	}
	if l.Attributes["s"].String() != "x" || l.Attributes["logger.name"].String() != "zerolog" ||
		l.Attributes["sentry.origin"].String() != "auto.log.zerolog" {
		t.Errorf("attributes = %+v", l.Attributes)
	}
	if _, ok := l.Attributes[zerologsentry.CorrelationFieldName]; ok {
		t.Errorf("the correlation field reached Sentry: %+v", l.Attributes)
	}
	sentrytest.LogByBody(t, logs, "warn: event")
	for _, l := range logs {
		if strings.HasPrefix(l.Body, "debug") || strings.HasPrefix(l.Body, "trace") {
			t.Errorf("log below the log level: %q", l.Body)
		}
	}
}

// TestWrite checks the io.Writer path, which reads the level from the line.
func TestWrite(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	for _, line := range []string{
		`{"level":"debug","message":"below"}`,
		`{"level":"info","message":"crumb"}`,
		`{"message":"no level: info"}`,
		`{"level":"error","message":"boom"}`,
	} {
		if n, err := w.Write([]byte(line + "\n")); n != len(line)+1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "boom" || ev.Level != "error" {
		t.Errorf("event %q at %q", ev.Message, ev.Level)
	}
	if got := strings.Join(sentrytest.BreadcrumbMessages(ev), "|"); got != "crumb|no level: info" {
		t.Errorf("breadcrumbs = %s", got)
	}
}

// TestBelowThresholdAllocs checks that a line below every threshold costs
// no allocation, through WriteLevel, Write and the whole logger with hook.
func TestBelowThresholdAllocs(t *testing.T) {
	w := zerologsentry.NewWriter(logsentry.WithHub(nopHub(t)))
	line := []byte(`{"level":"debug","user":{"id":7},"tags":["a"],"message":"below every threshold"}` + "\n")
	logger := newLogger(w, io.Discard)
	tests := []struct {
		name string
		f    func()
	}{
		{"WriteLevel", func() { _, _ = w.WriteLevel(zerolog.DebugLevel, line) }},
		{"Write", func() { _, _ = w.Write(line) }},
		{"logger with hook", func() { logger.Debug().Str("k", "v").Int("n", 1).Msg("below") }},
		{"Tee", func() { _, _ = w.Tee(io.Discard).WriteLevel(zerolog.DebugLevel, line) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "Tee" {
				tee := w.Tee(io.Discard)
				tt.f = func() { _, _ = tee.WriteLevel(zerolog.DebugLevel, line) }
			}
			if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
				t.Errorf("%v allocations per line, want 0", n)
			}
		})
	}
}

// TestClose checks that Close flushes, returns nil when Sentry is
// disabled, and is bounded by the flush timeout when Sentry hangs.
func TestClose(t *testing.T) {
	t.Run("flushes", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		w := zerologsentry.NewWriter(logsentry.WithHub(hub))
		_, _ = w.WriteLevel(zerolog.ErrorLevel, []byte(`{"message":"before close"}`))
		if err := w.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		if evs := rcv.Events(); len(evs) != 1 {
			t.Errorf("%d events on the receiver after Close, want 1", len(evs))
		}
		if err := w.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		w := zerologsentry.NewWriter(logsentry.WithHub(sentry.NewHub(nil, sentry.NewScope())))
		_, _ = w.WriteLevel(zerolog.ErrorLevel, []byte(`{"message":"nowhere"}`))
		if err := w.Close(); err != nil {
			t.Errorf("Close with Sentry disabled = %v, want nil", err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		rcv.SetDelay(10 * time.Second)
		w := zerologsentry.NewWriter(logsentry.WithHub(hub), logsentry.WithFlushTimeout(100*time.Millisecond))
		_, _ = w.WriteLevel(zerolog.ErrorLevel, []byte(`{"message":"stuck"}`))
		start := time.Now()
		err := w.Close()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Close took %v with a 100ms flush timeout", d)
		}
		if err != logsentry.ErrFlushTimeout {
			t.Errorf("Close = %v, want ErrFlushTimeout", err)
		}
	})
}

// TestRedaction checks that secrets in zerolog fields and messages never
// reach Sentry: values under sensitive keys, nested ones included, and
// secret-shaped text, in events, breadcrumbs and logs.
func TestRedaction(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub), zerologsentry.WithLogLevel(zerolog.InfoLevel))
	logger := newLogger(w, io.Discard)
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	logger.Info().Str("password", "hunter2").Dict("auth", zerolog.Dict().Str("token", "t0k3n")).Msg("login")
	logger.Error().Str("api_key", "k-123").Str("note", "Authorization: Bearer "+jwt).
		Msg("call failed with Bearer " + jwt)
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	raw := string(ev.Raw)
	for _, secret := range []string{"hunter2", "t0k3n", "k-123", jwt} {
		if strings.Contains(raw, secret) {
			t.Errorf("secret %q in the event: %s", secret, raw)
		}
	}
	if attrs(ev)["api_key"] != "[Filtered]" || len(ev.Breadcrumbs) != 1 || ev.Breadcrumbs[0].Data["password"] != "[Filtered]" {
		t.Errorf("attributes %v, breadcrumbs %+v", attrs(ev), ev.Breadcrumbs)
	}
	for _, l := range rcv.WaitLogs(t, 2, waitFor) {
		for k, a := range l.Attributes {
			for _, secret := range []string{"hunter2", "t0k3n", "k-123", jwt} {
				if strings.Contains(fmt.Sprint(a.Value), secret) || strings.Contains(l.Body, secret) {
					t.Errorf("secret %q in log %q attribute %s", secret, l.Body, k)
				}
			}
		}
	}
}
