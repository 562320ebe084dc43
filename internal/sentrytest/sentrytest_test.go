package sentrytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, LeakOptions...) }

type quotaError struct{ code int }

func (e *quotaError) Error() string { return fmt.Sprintf("quota exceeded (code %d)", e.code) }

func TestExceptionChain(t *testing.T) {
	r := NewReceiver(t)
	if !strings.HasPrefix(r.DSN(), "http://public@127.0.0.1:") || !strings.HasSuffix(r.DSN(), "/1") {
		t.Fatalf("DSN = %q", r.DSN())
	}
	hub := r.NewHub(t, sentry.ClientOptions{Release: "rel@1", Environment: "test", ServerName: "host1"})
	err := fmt.Errorf("checkout: %w", &quotaError{507})
	id := hub.CaptureException(err)

	ev := r.WaitEvents(t, 1, 5*time.Second)[0]
	if id == nil || ev.EventID != string(*id) {
		t.Errorf("event id = %q, want %v", ev.EventID, id)
	}
	if ev.Level != "error" || ev.Platform != "go" || ev.Release != "rel@1" || ev.Environment != "test" || ev.ServerName != "host1" {
		t.Errorf("event = %+v", ev)
	}
	if time.Since(ev.Timestamp) > time.Minute {
		t.Errorf("timestamp = %v", ev.Timestamp)
	}
	if len(ev.Exception) != 2 {
		t.Fatalf("got %d exceptions: %s", len(ev.Exception), ev.Raw)
	}
	cause, top := ev.Exception[0], ev.Exception[1]
	if cause.Type != "*sentrytest.quotaError" || cause.Value != "quota exceeded (code 507)" {
		t.Errorf("cause = %+v", cause)
	}
	if top.Type != "*fmt.wrapError" || top.Value != err.Error() {
		t.Errorf("top = %+v", top)
	}
	if m := cause.Mechanism; m == nil || m.Type != "chained" || m.Source != "unwrap" || m.ExceptionID != 1 || m.ParentID == nil || *m.ParentID != 0 {
		t.Errorf("cause mechanism = %+v", cause.Mechanism)
	}
	if m := top.Mechanism; m == nil || m.Type != "generic" || m.ExceptionID != 0 || m.ParentID != nil {
		t.Errorf("top mechanism = %+v", top.Mechanism)
	}
	f := ev.TopFrame()
	if f.Function != "TestExceptionChain" || !strings.HasSuffix(f.AbsPath, "sentrytest_test.go") || f.Lineno == 0 || !f.InApp {
		t.Errorf("top frame = %+v", f)
	}
	if ev.Context("runtime")["name"] != "go" {
		t.Errorf("runtime context = %v", ev.Context("runtime"))
	}
}

func TestMessageTagsContextsBreadcrumbs(t *testing.T) {
	r := NewReceiver(t)
	hub := r.NewHub(t, sentry.ClientOptions{Tags: map[string]string{"global": "g"}})
	hub.Scope().SetTag("component", "billing")
	hub.Scope().SetContext("order", sentry.Context{"id": "ord-1", "attempt": 3})
	hub.Scope().SetUser(sentry.User{ID: "u-1", IPAddress: "10.0.0.1"})
	hub.AddBreadcrumb(&sentry.Breadcrumb{Type: "http", Category: "auth", Message: "logged in",
		Level: sentry.LevelWarning, Data: map[string]any{"user_id": 42}}, nil)
	hub.CaptureMessage("hello receiver")

	ev := r.WaitEvents(t, 1, 5*time.Second)[0]
	if ev.Message != "hello receiver" || ev.Level != "info" || len(ev.Exception) != 0 {
		t.Errorf("event = %+v", ev)
	}
	if ev.Tags["global"] != "g" || ev.Tags["component"] != "billing" {
		t.Errorf("tags = %v", ev.Tags)
	}
	if o := ev.Context("order"); o["id"] != "ord-1" || fmt.Sprint(o["attempt"]) != "3" {
		t.Errorf("order context = %v", o)
	}
	if ev.User.ID != "u-1" || ev.User.IPAddress != "10.0.0.1" {
		t.Errorf("user = %+v", ev.User)
	}
	if len(ev.Breadcrumbs) != 1 {
		t.Fatalf("breadcrumbs = %+v", ev.Breadcrumbs)
	}
	b := ev.Breadcrumbs[0]
	if b.Type != "http" || b.Category != "auth" || b.Message != "logged in" || b.Level != "warning" ||
		fmt.Sprint(b.Data["user_id"]) != "42" || b.Timestamp.IsZero() {
		t.Errorf("breadcrumb = %+v", b)
	}
}

func TestLogs(t *testing.T) {
	r := NewReceiver(t)
	// sentry-go v0.50.0 has no EnableLogs option: logs are always on.
	hub := r.NewHub(t, sentry.ClientOptions{Release: "rel@2"})
	logger := sentry.NewLogger(sentry.SetHubOnContext(context.Background(), hub))
	logger.Info().String("user", "alice").Int("attempt", 3).Float64("ratio", 0.5).Bool("ok", true).Emit("structured")
	logger.Warn().Emitf("formatted %d/%s", 7, "x")
	if !hub.Flush(5 * time.Second) {
		t.Fatal("flush timed out")
	}
	logs := r.WaitLogs(t, 2, 5*time.Second)
	l := logs[0]
	if l.Body != "structured" || l.Level != "info" || l.Severity != 9 || l.TraceID == "" || time.Since(l.Timestamp) > time.Minute {
		t.Errorf("log = %+v", l)
	}
	a := l.Attributes
	if n, ok := a["attempt"].Int(); !ok || n != 3 || a["attempt"].Type != "integer" {
		t.Errorf("attempt = %#v", a["attempt"])
	}
	if f, ok := a["ratio"].Float(); !ok || f != 0.5 {
		t.Errorf("ratio = %#v", a["ratio"])
	}
	if v, ok := a["ok"].Bool(); !ok || !v {
		t.Errorf("ok = %#v", a["ok"])
	}
	if a["user"].String() != "alice" || a["sentry.release"].String() != "rel@2" {
		t.Errorf("attributes = %v", a)
	}
	if _, ok := a["user"].Int(); ok {
		t.Error("string attribute decoded as int")
	}
	if w := logs[1]; w.Level != "warn" || w.Severity != 13 || w.Body != "formatted 7/x" ||
		w.Attributes["sentry.message.template"].String() != "formatted %d/%s" {
		t.Errorf("warn log = %+v", w)
	}
}

// rawEnvelope is hand-written in the shape sentry-go sends, with the
// {"values":[...]} exception form, float timestamps and an item without length.
const rawEnvelope = `{"event_id":"0123456789abcdef0123456789abcdef","sent_at":"2026-01-02T03:04:05Z"}
{"type":"event","length":251}
{"event_id":"0123456789abcdef0123456789abcdef","level":"error","timestamp":1767323045.5,"exception":{"values":[{"type":"E","value":"boom","stacktrace":{"frames":[{"function":"a","lineno":1},{"function":"b","lineno":2}]}}]},"breadcrumbs":{"values":[]}}
{"type":"log","item_count":1,"content_type":"application/vnd.sentry.items.log+json"}
{"items":[{"timestamp":1767323045.25,"trace_id":"t","level":"info","severity_number":9,"body":"hi","attributes":{"n":{"value":12345678901234567,"type":"integer"}}}]}
{"type":"client_report","length":114}
{"timestamp":"2026-01-02T03:04:05Z","discarded_events":[{"reason":"before_send","category":"error","quantity":2}]}
`

func post(t *testing.T, r *Receiver, path string, body []byte, gz bool) int {
	t.Helper()
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write(body)
		_ = w.Close()
		body = b.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, r.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-sentry-envelope")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	return resp.StatusCode
}

func TestRawEnvelope(t *testing.T) {
	r := NewReceiver(t)
	if c := post(t, r, "/api/7/envelope/", []byte(rawEnvelope), false); c != 200 {
		t.Fatalf("status %d, errors %v", c, r.Errors())
	}
	if c := post(t, r, "/api/7/envelope", []byte(strings.TrimSuffix(rawEnvelope, "\n")), true); c != 200 {
		t.Fatalf("gzip status %d, errors %v", c, r.Errors())
	}
	if n := len(r.Envelopes()); n != 2 || r.Requests() != 2 {
		t.Fatalf("envelopes %d, requests %d", n, r.Requests())
	}
	env := r.Envelopes()[0]
	if len(env.Items) != 3 || env.Items[2].Type != "client_report" || env.Header["event_id"] != "0123456789abcdef0123456789abcdef" {
		t.Errorf("envelope = %+v", env)
	}
	ev := r.Events()[0]
	if ev.TopFrame().Function != "b" || ev.Exception[0].Value != "boom" || ev.Timestamp.UnixMilli() != 1767323045500 {
		t.Errorf("event = %+v, top frame %+v", ev, ev.TopFrame())
	}
	l := r.Logs()[0]
	if n, ok := l.Attributes["n"].Int(); !ok || n != 12345678901234567 || l.Timestamp.UnixMilli() != 1767323045250 {
		t.Errorf("log = %+v", l)
	}
	if c := r.ClientReports(); len(c) != 2 || c[0].DiscardedEvents[0] != (DiscardedEvent{"before_send", "error", 2}) {
		t.Errorf("client reports = %+v", c)
	}
	r.Reset()
	if len(r.Envelopes())+len(r.Events())+len(r.Logs())+len(r.ClientReports())+r.Requests() != 0 {
		t.Error("Reset kept data")
	}
}

func TestParseErrors(t *testing.T) {
	for _, body := range []string{
		"",
		"not json\n",
		"{}\n{\"length\":2}\n{}\n",
		"{}\n{\"type\":\"event\",\"length\":99}\n{}\n",
		"{}\n{\"type\":\"event\",\"length\":1}\n{}\n",
	} {
		if _, err := parseEnvelope([]byte(body)); err == nil {
			t.Errorf("parseEnvelope(%q) succeeded", body)
		}
	}
	r := &Receiver{}
	env, err := parseEnvelope([]byte("{}\n{\"type\":\"event\"}\n{\"exception\":7}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.record(env, 0) == nil {
		t.Error("bad event payload recorded without error")
	}
}

func TestRateLimited(t *testing.T) {
	r := NewReceiver(t)
	hub := r.NewHub(t, sentry.ClientOptions{})
	r.SetStatus(http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}, "X-Sentry-Rate-Limits": {"60:error"}})
	hub.CaptureMessage("rejected")
	hub.Flush(5 * time.Second)
	if r.Requests() != 1 || len(r.Events()) != 0 {
		t.Fatalf("after 429: requests %d, events %d", r.Requests(), len(r.Events()))
	}
	r.SetStatus(0, nil)
	hub.CaptureMessage("dropped by the client")
	hub.Flush(5 * time.Second)
	if r.Requests() != 1 {
		t.Fatalf("client ignored the rate limit: %d requests", r.Requests())
	}
	sentry.NewLogger(sentry.SetHubOnContext(context.Background(), hub)).Info().Emit("logs are not limited")
	hub.Flush(5 * time.Second)
	r.WaitLogs(t, 1, 5*time.Second)
	reports := r.ClientReports()
	if len(reports) != 1 || len(reports[0].DiscardedEvents) != 1 ||
		reports[0].DiscardedEvents[0] != (DiscardedEvent{"ratelimit_backoff", "error", 1}) {
		t.Errorf("client reports = %+v", reports)
	}
}

func TestDelay(t *testing.T) {
	r := NewReceiver(t)
	hub := r.NewHub(t, sentry.ClientOptions{})
	r.SetDelay(time.Hour)
	hub.CaptureMessage("slow")
	if hub.Flush(200 * time.Millisecond) {
		t.Error("flush succeeded against a hanging receiver")
	}
	// Cleanup ends the hang, so the client closes promptly and nothing leaks.
}
