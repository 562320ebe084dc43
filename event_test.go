package logsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

// capture emits each record (with the given options, at event level) on a
// fresh receiver and returns the event of each, in order. Messages must be
// distinct.
func capture(t *testing.T, opts sentry.ClientOptions, bopts []logsentry.Option, recs ...logsentry.Record) []sentrytest.Event {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, opts)
	b := logsentry.New(append([]logsentry.Option{logsentry.WithHub(hub), noRate}, bopts...)...)
	for _, r := range recs {
		b.Emit(context.Background(), r)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, len(recs), waitFor)
	if len(evs) != len(recs) {
		t.Fatalf("got %d events, want %d", len(evs), len(recs))
	}
	out := make([]sentrytest.Event, len(recs))
	for i, r := range recs {
		msg := r.Message
		if msg == "" && r.Err != nil {
			msg = r.Err.Error()
		}
		out[i] = sentrytest.EventByMessage(t, evs, msg)
	}
	return out
}

func TestEventLevel(t *testing.T) {
	tests := []struct {
		sev  logsentry.Severity
		want string
	}{
		{logsentry.SeverityTrace, "debug"},
		{logsentry.SeverityDebug, "debug"},
		{logsentry.SeverityInfo, "info"},
		{logsentry.SeverityInfo + 3, "info"},
		{logsentry.SeverityWarn, "warning"},
		{logsentry.SeverityError, "error"},
		{logsentry.SeverityError + 2, "error"},
		{logsentry.SeverityFatal, "fatal"},
		{logsentry.SeverityMax, "fatal"},
		{99, "fatal"},
	}
	var recs []logsentry.Record
	for _, tt := range tests {
		recs = append(recs, logsentry.Record{Severity: tt.sev, Message: fmt.Sprint("sev ", int(tt.sev))})
	}
	evs := capture(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithEventSeverity(logsentry.SeverityTrace)}, recs...)
	for i, tt := range tests {
		t.Run(tt.sev.String(), func(t *testing.T) {
			if evs[i].Level != tt.want {
				t.Errorf("level = %q, want %q", evs[i].Level, tt.want)
			}
			sev := evs[i].Context("log")["severity"]
			if fmt.Sprint(sev) != fmt.Sprint(int(min(tt.sev, logsentry.SeverityMax))) {
				t.Errorf("log.severity = %v, want %d", sev, int(min(tt.sev, logsentry.SeverityMax)))
			}
		})
	}
}

func TestEventFields(t *testing.T) {
	at := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.FixedZone("X", 3600))
	evs := capture(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithLoggerName("mylib")},
		logsentry.Record{Time: at, Severity: logsentry.SeverityError, Level: "ERROR", Message: "timed", Logger: "rec-logger"},
		logsentry.Record{Severity: logsentry.SeverityError + 1, Message: "untimed"},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "field logger", Logger: "rec-logger",
			Attrs: []slog.Attr{slog.String("logger", "field-logger")}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "group logger",
			Attrs: []slog.Attr{slog.Group("g", slog.String("logger", "not-me"))}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "non-string logger",
			Attrs: []slog.Attr{slog.Int("logger", 7)}},
		logsentry.Record{Severity: logsentry.SeverityError, Err: fmt.Errorf("wrapped: %w", errors.New("inner"))},
	)
	t.Run("timestamp", func(t *testing.T) {
		if !evs[0].Timestamp.Equal(at) {
			t.Errorf("timestamp = %v, want the record's %v", evs[0].Timestamp, at)
		}
		if time.Since(evs[1].Timestamp) > time.Minute {
			t.Errorf("zero record time: timestamp = %v, want about now", evs[1].Timestamp)
		}
	})
	t.Run("log context", func(t *testing.T) {
		if got := jsonOf(t, evs[0].Context("log")); got != `{"level":"ERROR","severity":17}` {
			t.Errorf("log context = %s", got)
		}
		if got := jsonOf(t, evs[1].Context("log")); got != `{"severity":18,"time_unknown":true}` {
			t.Errorf("log context = %s", got)
		}
	})
	t.Run("logger", func(t *testing.T) {
		for i, want := range []string{"rec-logger", "mylib", "field-logger", "mylib", "mylib"} {
			if evs[i].Logger != want {
				t.Errorf("%s: logger = %q, want %q", evs[i].Message, evs[i].Logger, want)
			}
		}
		if _, ok := evs[2].Context("attributes")["logger"]; ok {
			t.Errorf("the logger field stays among the attributes: %v", evs[2].Context("attributes"))
		}
		if got := jsonOf(t, evs[3].Context("attributes")); got != `{"g":{"logger":"not-me"}}` {
			t.Errorf("grouped logger field: attributes = %s", got)
		}
		if got := jsonOf(t, evs[4].Context("attributes")); got != `{"logger":7}` {
			t.Errorf("non-string logger field: attributes = %s", got)
		}
	})
	t.Run("empty message takes the error text", func(t *testing.T) {
		e := evs[5]
		if e.Message != "wrapped: inner" || len(e.Exception) != 2 {
			t.Errorf("message = %q, %d exceptions", e.Message, len(e.Exception))
		}
		if jsonOf(t, e.Fingerprint) != `["*errors.errorString","inner"]` {
			t.Errorf("fingerprint = %q", e.Fingerprint)
		}
	})
	t.Run("default logger name", func(t *testing.T) {
		evs := capture(t, sentry.ClientOptions{}, nil, logsentry.Record{Severity: logsentry.SeverityError, Message: "m"})
		if evs[0].Logger != "logsentry" {
			t.Errorf("logger = %q, want logsentry", evs[0].Logger)
		}
	})
}

func TestTags(t *testing.T) {
	long := strings.Repeat("a", 199) + "é" + strings.Repeat("b", 50) // é straddles byte 200
	evs := capture(t, sentry.ClientOptions{}, []logsentry.Option{
		logsentry.WithTagKeys("region", "http.method"),
		logsentry.WithTagKeys("status", "long", "nil", "flag", "user.id", "missing", "http", "list", "obj"),
	}, logsentry.Record{Severity: logsentry.SeverityError, Message: "tagged", Attrs: []slog.Attr{
		slog.Any("list", []string{"a&b", "<x>"}),
		slog.Any("obj", map[string]any{"x": 1, "y": "z"}),
		slog.String("region", "eu-west-1"),
		slog.String("method", "top-level method is not http.method"),
		slog.Group("http", slog.String("method", "GET"), slog.Int("status", 500)),
		slog.Int("status", 503),
		slog.String("long", long),
		slog.Any("nil", nil),
		slog.Bool("flag", true),
		slog.String("other", "not a tag"),
	}})
	tags := evs[0].Tags
	want := map[string]string{
		"region":      "eu-west-1",
		"http.method": "GET",
		"status":      "503",
		"nil":         "null",
		"flag":        "true",
		"list":        `["a&b","<x>"]`, // JSON, not Go's fmt syntax, nor HTML-escaped
		"obj":         `{"x":1,"y":"z"}`,
	}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("tag %q = %q, want %q", k, tags[k], v)
		}
	}
	for _, k := range []string{"method", "other", "missing", "http", "http.status", "user.id"} {
		if v, ok := tags[k]; ok {
			t.Errorf("tag %q = %q, not in the allowlist or not a field", k, v)
		}
	}
	if got := tags["long"]; len(got) > 200 || !utf8.ValidString(got) || !strings.HasPrefix(long, got) || len(got) < 199 {
		t.Errorf("long tag = %d bytes, valid UTF-8 %v: %q", len(got), utf8.ValidString(got), got)
	}
	// Tags stay in the attributes too.
	attrs := evs[0].Context("attributes")
	if attrs["region"] != "eu-west-1" || attrs["long"] != long {
		t.Errorf("attributes = %v", attrs)
	}
}

func TestFingerprint(t *testing.T) {
	type rootErr struct{ error }
	root := &rootErr{errors.New("disk full")}
	var rec recorder
	tests := []struct {
		name string
		opts []logsentry.Option
		rec  logsentry.Record
		want string
	}{
		{"message only", nil,
			logsentry.Record{Message: "plain"}, `["plain"]`},
		{"message and innermost error type", nil,
			logsentry.Record{Message: "save failed", Err: fmt.Errorf("save: %w", fmt.Errorf("write: %w", root))},
			`["save failed","*logsentry_test.rootErr","disk full"]`},
		{"error field", nil,
			logsentry.Record{Message: "field err", Attrs: []slog.Attr{slog.Any("err", fmt.Errorf("x: %w", root))}},
			`["field err","*logsentry_test.rootErr","disk full"]`},
		{"joined error stops at the join", nil,
			logsentry.Record{Message: "joined", Err: fmt.Errorf("w: %w", errors.Join(root, errors.New("b")))},
			`["joined","*errors.joinError","disk full\nb"]`},
		{"WithFingerprint", []logsentry.Option{logsentry.WithFingerprint(func(r logsentry.Record) []string {
			return []string{"custom", r.Message}
		})}, logsentry.Record{Message: "with option"}, `["custom","with option"]`},
		{"WithFingerprint parts are redacted and valid UTF-8", []logsentry.Option{logsentry.WithFingerprint(func(r logsentry.Record) []string {
			return []string{"tenant", "Authorization: Bearer xY7kQ2mN9pL4vB8c", "bad\xffbyte"}
		})}, logsentry.Record{Message: "secret fingerprint"}, "[\"tenant\",\"Authorization: Bearer [Filtered]\",\"bad\uFFFDbyte\"]"},
		{"WithFingerprint returning nil keeps the default", []logsentry.Option{logsentry.WithFingerprint(func(logsentry.Record) []string {
			return nil
		})}, logsentry.Record{Message: "nil option"}, `["nil option"]`},
		{"record field string beats the option", []logsentry.Option{logsentry.WithFingerprint(func(logsentry.Record) []string {
			return []string{"option"}
		})}, logsentry.Record{Message: "field string", Attrs: []slog.Attr{slog.String("fingerprint", "fp-1")}}, `["fp-1"]`},
		{"record field []string", nil,
			logsentry.Record{Message: "field slice", Attrs: []slog.Attr{slog.Any("fingerprint", []string{"a", "b"})}}, `["a","b"]`},
		{"record field of another type is a plain field", nil,
			logsentry.Record{Message: "field int", Attrs: []slog.Attr{slog.Int("fingerprint", 3)}}, `["field int"]`},
		{"panicking fingerprint function", []logsentry.Option{logsentry.WithErrorHandler(rec.handle),
			logsentry.WithFingerprint(func(logsentry.Record) []string { panic("fp boom") })},
			logsentry.Record{Message: "fp panics"}, `["fp panics"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rec.Severity = logsentry.SeverityError
			evs := capture(t, sentry.ClientOptions{}, tt.opts, tt.rec)
			if got := jsonOf(t, evs[0].Fingerprint); got != tt.want {
				t.Errorf("fingerprint = %s, want %s", got, tt.want)
			}
		})
	}
	if !rec.contains("fingerprint function panicked: fp boom") {
		t.Errorf("error handler told %v", rec.all())
	}
}

func TestUser(t *testing.T) {
	user := slog.Group("user", slog.String("id", "u-1"), slog.String("email", "a@example.com"),
		slog.String("username", "alice"), slog.String("ip_address", "10.1.2.3"), slog.String("name", "Alice A"),
		slog.String("plan", "pro"), slog.Int("age", 41), slog.Group("nested", slog.String("x", "y")))
	full := `{"id":"u-1","email":"a@example.com","username":"alice","ip_address":"10.1.2.3","name":"Alice A","data":{"age":"41","plan":"pro"}}`
	gated := `{"id":"u-1","email":"","username":"","ip_address":"","name":"Alice A","data":{"age":"41","plan":"pro"}}`
	tests := []struct {
		name string
		opts sentry.ClientOptions
		want string
	}{
		{"default: no PII", sentry.ClientOptions{}, gated},
		//lint:ignore SA1019 the deprecated option is still honoured when DataCollection is unset
		{"SendDefaultPII", sentry.ClientOptions{SendDefaultPII: true}, full},
		{"DataCollection UserInfo on", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)}}, full},
		//lint:ignore SA1019 DataCollection must win over the deprecated option
		{"DataCollection UserInfo off beats SendDefaultPII", sentry.ClientOptions{SendDefaultPII: true,
			DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(false)}}, gated},
		{"DataCollection with UserInfo unset defaults to on", sentry.ClientOptions{DataCollection: &sentry.DataCollection{}}, full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := capture(t, tt.opts, nil, logsentry.Record{Severity: logsentry.SeverityError, Message: "who", Attrs: []slog.Attr{
				user, slog.String("other", "x"),
			}})
			if got := jsonOf(t, evs[0].User); got != tt.want {
				t.Errorf("user = %s\nwant   %s", got, tt.want)
			}
			if got := jsonOf(t, evs[0].Context("attributes")); got != `{"other":"x"}` {
				t.Errorf("attributes = %s, want the user group taken out", got)
			}
		})
	}
	t.Run("struct field names and personal data", func(t *testing.T) {
		// Go field names match the user's fields whatever their case and
		// separators; other data naming an e-mail or IP address goes out
		// only with user information allowed.
		type account struct {
			ID           string
			IPAddress    string
			EmailAddress string
			ClientIP     string
			WorkEmail    string
			Plan         string
		}
		u := account{ID: "u-3", IPAddress: "10.1.2.3", EmailAddress: "b@example.com", ClientIP: "10.9.9.9", WorkEmail: "w@example.com", Plan: "pro"}
		for _, pii := range []bool{false, true} {
			evs := capture(t, sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(pii)}}, nil,
				logsentry.Record{Severity: logsentry.SeverityError, Message: "struct user", Attrs: []slog.Attr{slog.Any("user", u)}})
			want := `{"id":"u-3","email":"","username":"","ip_address":"","name":"","data":{"Plan":"pro"}}`
			if pii {
				want = `{"id":"u-3","email":"b@example.com","username":"","ip_address":"10.1.2.3","name":"","data":{"ClientIP":"10.9.9.9","Plan":"pro","WorkEmail":"w@example.com"}}`
			}
			if got := jsonOf(t, evs[0].User); got != want {
				t.Errorf("UserInfo=%v: user = %s\nwant   %s", pii, got, want)
			}
		}
	})
	t.Run("user group inside a group is a plain field", func(t *testing.T) {
		evs := capture(t, sentry.ClientOptions{}, nil, logsentry.Record{Severity: logsentry.SeverityError, Message: "nested user",
			Attrs: []slog.Attr{slog.Group("req", slog.Group("user", slog.String("id", "u-2")))}})
		if evs[0].User.ID != "" {
			t.Errorf("user = %+v", evs[0].User)
		}
		if got := jsonOf(t, evs[0].Context("attributes")); got != `{"req":{"user":{"id":"u-2"}}}` {
			t.Errorf("attributes = %s", got)
		}
	})
	t.Run("scope user kept when the record has none", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		hub.Scope().SetUser(sentry.User{ID: "scope-user"})
		logsentry.New(logsentry.WithHub(hub)).Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "m"})
		sentrytest.Flush(t, hub)
		if ev := rcv.WaitEvents(t, 1, waitFor)[0]; ev.User.ID != "scope-user" {
			t.Errorf("user = %+v", ev.User)
		}
	})
}

func TestTrace(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	root := sentry.StartSpan(sentrytest.HubContext(hub), "task", sentry.WithTransactionName("job"))
	child := sentry.StartSpan(root.Context(), "db.query")
	// The scope's span is now the child; a record logged with the root's
	// context links to the root.
	b.Emit(root.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "in root"})
	b.Emit(child.Context(), logsentry.Record{Severity: logsentry.SeverityError, Message: "in child"})
	child.Finish()
	root.Finish()
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	for _, tt := range []struct {
		msg  string
		span *sentry.Span
	}{{"in root", root}, {"in child", child}} {
		tc := sentrytest.EventByMessage(t, evs, tt.msg).Context("trace")
		if tc["trace_id"] != tt.span.TraceID.String() || tc["span_id"] != tt.span.SpanID.String() {
			t.Errorf("%s: trace context = %v, want trace %s span %s", tt.msg, tc, tt.span.TraceID, tt.span.SpanID)
		}
	}
	if tc := sentrytest.EventByMessage(t, evs, "in child").Context("trace"); tc["parent_span_id"] != root.SpanID.String() || tc["op"] != "db.query" {
		t.Errorf("child trace context = %v", tc)
	}
}

// TestRedactionHookPoints: messages, fields, error texts, breadcrumbs and
// logs all pass through the redactor. These checks need the real redactor
// (internal/redact), not the temporary no-op one.
func TestRedactionHookPoints(t *testing.T) {
	const secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithLogSeverity(logsentry.SeverityInfo))
	attrs := []slog.Attr{slog.String("password", "hunter2"), slog.String("note", "token "+secret),
		// Keys built from input: a secret in a key is redacted as text.
		slog.Int("password=hunter2", 1), slog.Group("g", slog.Int("Bearer "+secret, 2))}
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "crumb with Bearer " + secret, Attrs: attrs})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "login with Bearer " + secret, Attrs: attrs,
		Err: errors.New("auth failed for jwt " + secret)})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 1, waitFor)
	logs := rcv.WaitLogs(t, 2, waitFor)
	for i, e := range evs {
		if strings.Contains(string(e.Raw), secret) || strings.Contains(string(e.Raw), "hunter2") {
			t.Errorf("event %d carries a secret: %s", i, e.Raw)
		}
		if !strings.Contains(string(e.Raw), "[Filtered]") {
			t.Errorf("event %d has no [Filtered]", i)
		}
	}
	for _, l := range logs {
		if s := jsonOf(t, l); strings.Contains(s, secret) || strings.Contains(s, "hunter2") {
			t.Errorf("log carries a secret: %s", s)
		}
	}
}

func TestReplaceAttr(t *testing.T) {
	var rec recorder
	var seen []string
	evs := capture(t, sentry.ClientOptions{}, []logsentry.Option{
		logsentry.WithErrorHandler(rec.handle),
		logsentry.WithReplaceAttr(func(groups []string, a slog.Attr) slog.Attr {
			seen = append(seen, strings.Join(append(append([]string{}, groups...), a.Key), "."))
			switch a.Key {
			case "drop":
				return slog.Attr{}
			case "rename":
				return slog.String("renamed", a.Value.String())
			case "lv":
				if a.Value.Kind() == slog.KindLogValuer {
					t.Errorf("ReplaceAttr got an unresolved LogValuer")
				}
			case "boom":
				panic("replace boom")
			}
			return a
		}),
	}, logsentry.Record{Severity: logsentry.SeverityError, Message: "replaced", Attrs: []slog.Attr{
		slog.Int("keep", 1), slog.Int("drop", 2), slog.String("rename", "x"),
		slog.Group("g", slog.Int("drop", 3), slog.Int("inner", 4)),
		slog.Any("lv", slogValuer{}), slog.Int("boom", 5),
	}})
	want := `{"boom":"!PANIC converting func([]string, slog.Attr) slog.Attr: replace boom","g":{"inner":4},"keep":1,"lv":"resolved","renamed":"x"}`
	if got := jsonOf(t, evs[0].Context("attributes")); got != want {
		t.Errorf("attributes = %s\nwant         %s", got, want)
	}
	if got := strings.Join(seen, ","); got != "keep,drop,rename,g.drop,g.inner,lv,boom" {
		t.Errorf("ReplaceAttr saw %s", got)
	}
	if !rec.contains("replace boom") {
		t.Errorf("error handler told %v", rec.all())
	}
}

type slogValuer struct{}

func (slogValuer) LogValue() slog.Value { return slog.StringValue("resolved") }

// TestReplaceAttrError: the replace function sees the error that becomes
// the exception, as slog's own handlers show it every attr, and what it
// returns decides: the exception kept, changed, or gone (its text is then
// no longer sent unscrubbed).
func TestReplaceAttrError(t *testing.T) {
	secret := errors.New("customer 4111-1111 ssn 123-45-6789")
	scrub := func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case "err":
			return slog.String("err", "[scrubbed]")
		case "drop":
			return slog.Attr{}
		case "swap":
			return slog.Any("swap", &lvError{"E_NEW", "swapped"})
		}
		return a
	}
	evs := capture(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithReplaceAttr(scrub)},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "scrubbed", Attrs: []slog.Attr{slog.Any("err", secret), slog.Int("k", 1)}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "dropped", Attrs: []slog.Attr{slog.Any("drop", secret)}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "swapped", Attrs: []slog.Attr{slog.Any("swap", secret)}},
	)
	for _, ev := range evs {
		if raw := jsonOf(t, ev); strings.Contains(raw, "123-45") {
			t.Errorf("%q: the error's text went out: %s", ev.Message, raw)
		}
	}
	if n := len(evs[0].Exception); n != 0 {
		t.Errorf("scrubbed: %d exceptions, want none", n)
	}
	if got := jsonOf(t, evs[0].Context("attributes")); got != `{"err":"[scrubbed]","k":1}` {
		t.Errorf("scrubbed: attributes = %s", got)
	}
	if n := len(evs[1].Exception); n != 0 || evs[1].Context("attributes") != nil {
		t.Errorf("dropped: %d exceptions, attributes %v; want neither", n, evs[1].Context("attributes"))
	}
	if ex := evs[2].Exception; len(ex) != 1 || ex[0].Value != "code=E_NEW msg=swapped" || ex[0].Type != "*logsentry_test.lvError" {
		t.Errorf("swapped: exceptions %+v, want the replacement error", ex)
	}
}

// lvError is an error whose LogValue shows it as a group, as slog's docs
// suggest for a type with structure (or something to hide).
type lvError struct{ code, msg string }

func (e *lvError) Error() string { return e.code + ": " + e.msg }
func (e *lvError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("code", e.code), slog.String("msg", e.msg))
}

// TestLogValuerError: an error that is also a LogValuer is the exception,
// at the top level, wrapped, or in a group, and its LogValue is its field.
func TestLogValuerError(t *testing.T) {
	evs := capture(t, sentry.ClientOptions{}, nil,
		logsentry.Record{Severity: logsentry.SeverityError, Message: "top", Attrs: []slog.Attr{slog.Any("err", &lvError{"E_DB", "db timeout"})}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "in group", Attrs: []slog.Attr{slog.Group("req", slog.Any("cause", &lvError{"E_PERM", "denied"}))}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "wrapped", Attrs: []slog.Attr{slog.Any("err", fmt.Errorf("load: %w", &lvError{"E_IO", "eof"}))}},
	)
	tests := []struct{ typ, value, fingerprint, attrs string }{
		// The exceptions show what LogValue shows, in the texts that
		// wrap it too.
		{"*logsentry_test.lvError", "code=E_DB msg=db timeout", `["top","*logsentry_test.lvError","code=E_DB msg=db timeout"]`, `{"err":{"code":"E_DB","msg":"db timeout"}}`},
		{"*logsentry_test.lvError", "code=E_PERM msg=denied", `["in group","*logsentry_test.lvError","code=E_PERM msg=denied"]`, `{"req":{"cause":{"code":"E_PERM","msg":"denied"}}}`},
		{"*fmt.wrapError", "load: code=E_IO msg=eof", `["wrapped","*logsentry_test.lvError","code=E_IO msg=eof"]`, `null`},
	}
	for i, tt := range tests {
		ev := evs[i]
		ex := ev.Exception
		if len(ex) == 0 || ex[len(ex)-1].Type != tt.typ || ex[len(ex)-1].Value != tt.value {
			t.Errorf("%q: exceptions %+v, want %s %q last", ev.Message, ex, tt.typ, tt.value)
		}
		if got := jsonOf(t, ev.Fingerprint); got != tt.fingerprint {
			t.Errorf("%q: fingerprint %s, want %s", ev.Message, got, tt.fingerprint)
		}
		if got := jsonOf(t, ev.Context("attributes")); got != tt.attrs {
			t.Errorf("%q: attributes %s, want %s", ev.Message, got, tt.attrs)
		}
	}
}

// authError hides its token from logs with LogValue; its Error text has it.
type authError struct{ user, token string }

func (e *authError) Error() string { return "auth failed for " + e.user + " with " + e.token }
func (e *authError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", e.user), slog.String("reason", "bad token"))
}

// TestLogValuerErrorHides: what an error's LogValue hides never leaves the
// process: not in the exceptions (its own, or a wrapper's text), the
// title, the fingerprint, breadcrumbs or logs; under a sensitive key the
// error is no exception at all, its field filtered.
func TestLogValuerErrorHides(t *testing.T) {
	const token = "opaque-fsd8f7sd6f"
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithLogSeverity(logsentry.SeverityError))
	ctx := context.Background()
	for _, a := range []slog.Attr{
		slog.Any("err", &authError{"bob", token}),
		slog.Any("err", fmt.Errorf("login: %w", &authError{"bob", token})),
		slog.Any("credentials", &authError{"bob", token}),
		slog.Any("token", &authError{"bob", token}),
	} {
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "login failed " + a.Key, Attrs: []slog.Attr{a}})
	}
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Err: &authError{"ann", token}}) // no message: the error's text
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 5, waitFor)
	for _, ev := range evs {
		if strings.Contains(string(ev.Raw), token) {
			t.Errorf("%q: the hidden token went out: %s", ev.Message, ev.Raw)
		}
	}
	for _, l := range rcv.WaitLogs(t, 5, waitFor) {
		if strings.Contains(fmt.Sprint(l.Attributes), token) || strings.Contains(l.Body, token) {
			t.Errorf("log %q: the hidden token went out", l.Body)
		}
	}
	for _, key := range []string{"credentials", "token"} {
		if ev := sentrytest.EventByMessage(t, evs, "login failed "+key); len(ev.Exception) != 0 {
			t.Errorf("%s: exceptions %+v, want none under a sensitive key", key, ev.Exception)
		}
	}
	if ev := sentrytest.EventByMessage(t, evs, "login failed err"); len(ev.Exception) != 1 || ev.Exception[0].Value != "user=bob reason=bad token" {
		t.Errorf("exceptions %+v, want the LogValue's text", ev.Exception)
	}
}

// idErr's text is short and common; its LogValue hides it.
type idErr struct{ id string }

func (e *idErr) Error() string        { return e.id }
func (e *idErr) LogValue() slog.Value { return slog.StringValue("user=[hidden]") }

// pwErr's LogValue shows a secret: it is redacted like any other text.
type pwErr struct{}

func (pwErr) Error() string { return "login failed" }
func (pwErr) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", "bob"), slog.String("password", "hunter2"))
}

// custErr's Error text names a customer and holds a secret; LogValue hides
// both.
type custErr struct{}

func (custErr) Error() string        { return "card holder John Smith, api_key=abc123def" }
func (custErr) LogValue() slog.Value { return slog.StringValue("card declined") }

// TestLogValuerErrorTexts: the replacement of a LogValuer error's text is
// redacted, made before redaction changes the text it replaces, made in
// the errors that wrap it (also past the depth bound), and nowhere else.
func TestLogValuerErrorTexts(t *testing.T) {
	values := func(ev sentrytest.Event) string {
		var v []string
		for _, e := range ev.Exception {
			v = append(v, e.Value)
		}
		return strings.Join(v, " | ")
	}
	evs := capture(t, sentry.ClientOptions{}, nil,
		logsentry.Record{Severity: logsentry.SeverityError, Message: "redacted", Err: pwErr{}},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "wrapped", Err: fmt.Errorf("pay: %w", custErr{})},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "unrelated", Err: fmt.Errorf("batch 420 item 42: %w", &idErr{"42"})},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "sibling", Err: errors.Join(&idErr{"a"}, errors.New("bad data"))},
	)
	want := []string{
		"user=bob password=[Filtered]",
		"card declined | pay: card declined",
		"user=[hidden] | batch 420 item 42: user=[hidden]",
		"bad data | user=[hidden] | user=[hidden]\nbad data",
	}
	for i, ev := range evs {
		if got := values(ev); got != want[i] {
			t.Errorf("%q: exceptions %q, want %q", ev.Message, got, want[i])
		}
	}
	// Past the depth bound: the LogValuer is skipped, its text still
	// replaced in the errors above it.
	deep := capture(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithMaxErrorDepth(2)},
		logsentry.Record{Severity: logsentry.SeverityError, Message: "deep",
			Err: fmt.Errorf("a: %w", fmt.Errorf("b: %w", fmt.Errorf("c: %w", &wrapLV{errors.New("root")})))})
	if got := values(deep[0]); strings.Contains(got, "John Smith") {
		t.Errorf("deep: exceptions %q: the hidden text went out", got)
	}
}

// wrapLV is a LogValuer error that wraps another and names a customer.
type wrapLV struct{ error }

func (e *wrapLV) Error() string        { return "customer John Smith: " + e.error.Error() }
func (e *wrapLV) Unwrap() error        { return e.error }
func (e *wrapLV) LogValue() slog.Value { return slog.StringValue("customer [hidden]") }

// TestKeyRedaction: a secret in a field key is redacted as in a value,
// before the key's cut (256 bytes), so a secret across the cut does not go
// out in part; a numeric key (or map key) taken for a card number keeps
// its last 4 digits, so ids (IMEIs pass a card number's check) do not
// collapse into one [Filtered] key.
func TestKeyRedaction(t *testing.T) {
	const token = "abcdefghijklmnopqrstuvwxyzABCDEFGH1234" // a Bearer token
	const pw = "supersecretpassword"
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithLogSeverity(logsentry.SeverityInfo))
	k1 := strings.Repeat("x", 256-len(" Bearer ")-len(token)+1) + " Bearer " + token
	k2 := strings.Repeat("y", 256-len("postgres://app:"+pw)-1) + " postgres://app:" + pw + "@db.internal:5432/app"
	attrs := []slog.Attr{slog.Int(k1, 1), slog.Int(k2, 2), slog.Group("battery",
		slog.Int("356938035643809", 81), slog.Int("490154203237518", 12), slog.Int("353879234252633", 55)),
		slog.Int("4111 1111 1111 1111", 1), slog.Any("cards", map[string]int{"4111111111111111": 1, "5555555555554444": 2})}
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "crumb", Attrs: attrs})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "long keys", Attrs: attrs})
	sentrytest.Flush(t, hub)
	ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "long keys")
	logs := jsonOf(t, rcv.WaitLogs(t, 2, waitFor))
	for _, leak := range []string{token[:30], pw, "4111 1111", "411111111111", "555555555555"} {
		if strings.Contains(string(ev.Raw), leak) || strings.Contains(logs, leak) {
			t.Errorf("%q of a secret in a key went out", leak)
		}
	}
	// Ids that pass a card number's check keep their last 4 digits, and
	// stay apart.
	if m, _ := ev.Contexts["attributes"]["battery"].(map[string]any); len(m) != 3 || fmt.Sprint(m["[Filtered]3809"]) != "81" {
		t.Errorf("attributes.battery = %v, want the 3 ids", m)
	}
	if m, _ := ev.Contexts["attributes"]["cards"].(map[string]any); len(m) != 2 || fmt.Sprint(m["[Filtered]4444"]) != "2" {
		t.Errorf("attributes.cards = %v, want 2 masked keys", m)
	}
	if _, ok := ev.Contexts["attributes"]["[Filtered]1111"]; !ok {
		t.Errorf("attributes = %v, want the card number key masked", ev.Contexts["attributes"])
	}
	if got := ev.Breadcrumbs[0].Data["battery.[Filtered]7518"]; fmt.Sprint(got) != "12" {
		t.Errorf("breadcrumb battery.490154203237518 = %v, want 12", got)
	}
}
