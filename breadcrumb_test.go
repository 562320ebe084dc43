package logsentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestBreadcrumbs(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithBreadcrumbSeverity(logsentry.SeverityTrace))
	at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	ctx := context.Background()
	b.Emit(ctx, logsentry.Record{Time: at, Severity: logsentry.SeverityDebug, Message: "debug crumb", Logger: "db",
		Attrs: []slog.Attr{slog.Int("rows", 3), slog.Group("q", slog.String("table", "users"), slog.Group("x", slog.Bool("y", true)))}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityTrace, Message: "trace crumb"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityWarn, Message: "warn crumb", Attrs: []slog.Attr{slog.Float64("ratio", 0.5)}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "first error", Err: errors.New("disk full"),
		Attrs: []slog.Attr{slog.String("error", "a field of the same key")}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityFatal, Message: "second error", Err: errors.New("no space"),
		Attrs: []slog.Attr{slog.String("error", "e"), slog.String("exception.message", "m")}})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	first, second := sentrytest.EventByMessage(t, evs, "first error"), sentrytest.EventByMessage(t, evs, "second error")
	if n := len(first.Breadcrumbs); n != 3 {
		t.Fatalf("first event has %d breadcrumbs, want the 3 records before it", n)
	}
	if n := len(second.Breadcrumbs); n != 4 {
		t.Fatalf("second event has %d breadcrumbs, want 4 (the first error included)", n)
	}
	// The second error's own breadcrumb: both keys are fields, and its
	// error text still has a key of its own.
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "third error"})
	sentrytest.Flush(t, hub)
	third := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 3, waitFor), "third error")
	if got, want := jsonOf(t, third.Breadcrumbs[len(third.Breadcrumbs)-1].Data),
		`{"error":"e","exception.message":"m","logsentry.error":"no space"}`; got != want {
		t.Errorf("breadcrumb data = %s, want %s", got, want)
	}
	type want struct {
		typ, category, message, level, data string
	}
	wants := []want{
		{"debug", "db", "debug crumb", "debug", `{"q.table":"users","q.x.y":true,"rows":3}`},
		{"debug", "logsentry", "trace crumb", "debug", `null`},
		{"default", "logsentry", "warn crumb", "warning", `{"ratio":0.5}`},
		{"error", "logsentry", "first error", "error", `{"error":"a field of the same key","exception.message":"disk full"}`},
	}
	for i, w := range wants {
		c := second.Breadcrumbs[i]
		got := want{c.Type, c.Category, c.Message, c.Level, jsonOf(t, c.Data)}
		if got != w {
			t.Errorf("breadcrumb %d = %+v\nwant %+v", i, got, w)
		}
	}
	if ts := second.Breadcrumbs[0].Timestamp; !ts.Equal(at) {
		t.Errorf("breadcrumb timestamp = %v, want the record's %v", ts, at)
	}
	if ts := second.Breadcrumbs[1].Timestamp; time.Since(ts) > time.Minute {
		t.Errorf("zero record time: breadcrumb timestamp = %v", ts)
	}
}

// TestBreadcrumbMaxAndBefore: breadcrumbs go through the hub, so the
// client's MaxBreadcrumbs and BeforeBreadcrumb apply.
func TestBreadcrumbMaxAndBefore(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: 2,
		BeforeBreadcrumb: func(c *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
			if c.Message == "dropped" {
				return nil
			}
			return c
		}})
	b := logsentry.New(logsentry.WithHub(hub))
	for _, m := range []string{"one", "two", "dropped", "three"} {
		b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: m})
	}
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "event"})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	var msgs []string
	for _, c := range ev.Breadcrumbs {
		msgs = append(msgs, c.Message)
	}
	if jsonOf(t, msgs) != `["two","three"]` {
		t.Errorf("breadcrumbs = %q", msgs)
	}
}

// TestBreadcrumbTrail: records logged with a trail's context add their
// breadcrumbs to that trail only.
func TestBreadcrumbTrail(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	base := sentrytest.HubContext(hub)
	req1, req2 := breadcrumbs.WithTrail(base), breadcrumbs.WithTrail(base)
	b.Emit(req1, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "req1 step"})
	b.Emit(req2, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "req2 step"})
	b.Emit(req1, logsentry.Record{Severity: logsentry.SeverityError, Message: "req1 failed"})
	b.Emit(base, logsentry.Record{Severity: logsentry.SeverityError, Message: "base failed"})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if c := sentrytest.EventByMessage(t, evs, "req1 failed").Breadcrumbs; len(c) != 1 || c[0].Message != "req1 step" {
		t.Errorf("req1's event breadcrumbs = %+v", c)
	}
	if c := sentrytest.EventByMessage(t, evs, "base failed").Breadcrumbs; len(c) != 0 {
		t.Errorf("the shared hub's event has breadcrumbs %+v", c)
	}
}

// TestBreadcrumbBounds: a breadcrumb keeps at most 1 KB of message and
// about 4 KB of data, so that 100 of them (the SDK's default
// MaxBreadcrumbs) and the event's own fields stay under the 1 MB over which
// Sentry rejects an event whole.
func TestBreadcrumbBounds(t *testing.T) {
	big := strings.Repeat("é", 8<<10) // 16 KB, 2-byte runes
	bigAttrs := func(n int) []slog.Attr {
		attrs := make([]slog.Attr, n)
		for i := range attrs {
			attrs[i] = slog.String(fmt.Sprintf("body%02d", i), big)
		}
		return attrs
	}
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: 100})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	ctx := context.Background()
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "small", Attrs: []slog.Attr{slog.Int("n", 1), slog.Any("list", []int{1, 2})}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "list", Attrs: []slog.Attr{
		slog.String("a", strings.Repeat("x", 3000)), slog.Any("list", strings.Split(strings.Repeat("yyyyyyyyyyyyyyyyyyyy,", 99), ",")), slog.Int("n", 1)}})
	html := strings.Repeat("<", 16<<10) // 6 bytes each in JSON: \u003c
	for i := range 98 {
		attrs := bigAttrs(40)
		if i%2 == 1 { // a list too big for the budget, then a string that fills it
			attrs[0] = slog.Any("ctl", []any{strings.Repeat("\x01", 3000)})
			attrs[1] = slog.String("html", html)
		}
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: big, Logger: big, Attrs: attrs})
	}
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "failed", Err: errors.New("boom"), Attrs: bigAttrs(5)})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if size := len(ev.Raw); size > 1<<20 {
		t.Errorf("event of %d bytes: Sentry rejects events over 1 MB", size)
	} else {
		t.Logf("event of %d bytes", size)
	}
	if n := len(ev.Breadcrumbs); n != 100 {
		t.Fatalf("%d breadcrumbs, want 100", n)
	}
	if got := jsonOf(t, ev.Breadcrumbs[0].Data); got != `{"list":[1,2],"n":1}` {
		t.Errorf("small breadcrumb data = %s", got)
	}
	list := ev.Breadcrumbs[1].Data
	if list["a"] != strings.Repeat("x", 3000) || list["list"] != "…[truncated]" || list["n"] != json.Number("1") {
		t.Errorf("list breadcrumb data: a %d bytes, list %.40v, n %v", len(list["a"].(string)), list["list"], list["n"])
	}
	for i, c := range ev.Breadcrumbs[2:] {
		data, msg := jsonOf(t, c.Data), jsonOf(t, c.Message)
		if len(msg) > 1024+len(`""…[truncated]`) || !strings.HasSuffix(c.Message, "…[truncated]") || !utf8.ValidString(c.Message) {
			t.Fatalf("breadcrumb %d: message of %d bytes of JSON, want at most 1 KB, cut at a rune", i+2, len(msg))
		}
		if len(data) > 4<<10+100 {
			t.Fatalf("breadcrumb %d: data of %d bytes of JSON, want about 4 KB", i+2, len(data))
		}
		want := "39 more fields"
		if i%2 == 0 {
			first, _ := c.Data["body00"].(string)
			if !strings.HasPrefix(big, strings.TrimSuffix(first, "…[truncated]")) || len(first) < 3<<10 {
				t.Fatalf("breadcrumb %d: first field %d bytes, want the start of the value", i+2, len(first))
			}
		} else {
			want = "38 more fields"
			first, _ := c.Data["html"].(string)
			if c.Data["ctl"] != "…[truncated]" || !strings.HasPrefix(html, strings.TrimSuffix(first, "…[truncated]")) || len(first) < 600 {
				t.Errorf("breadcrumb %d: ctl = %.40v, html of %d bytes: want the mark, and html filling the budget", i+2, c.Data["ctl"], len(first))
			}
		}
		if len(c.Category) > 128+len("…[truncated]") {
			t.Fatalf("breadcrumb %d: category of %d bytes, want at most 128", i+2, len(c.Category))
		}
		if c.Data["[truncated]"] != want {
			t.Fatalf("breadcrumb %d: [truncated] = %v, want %s", i+2, c.Data["[truncated]"], want)
		}
	}
}

// TestEventFieldBounds: an event's fields keep at most about 192 KB of
// JSON; the rest are counted, not sent.
func TestEventFieldBounds(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	attrs := []slog.Attr{slog.Group("g", slog.Int("small", 1))}
	for i := range 100 {
		attrs = append(attrs, slog.Group("g", slog.String(fmt.Sprintf("body%02d", i), strings.Repeat("x", 16<<10))))
	}
	for i := range 100 { // 6 bytes of JSON per byte
		attrs = append(attrs, slog.String(fmt.Sprintf("ctl%02d", i), strings.Repeat("\x01", 16<<10)))
	}
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "huge", Attrs: attrs})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	a := ev.Contexts["attributes"]
	if size := len(jsonOf(t, a)); size > 192<<10+200 {
		t.Errorf("attributes of %d bytes, want about 192 KB", size)
	}
	g, _ := a["g"].(map[string]any)
	if g["small"] != json.Number("1") || g["body00"] != strings.Repeat("x", 16<<10) {
		t.Errorf("the first fields are not kept whole: small %v, body00 %d bytes", g["small"], len(fmt.Sprint(g["body00"])))
	}
	// 11 fields of 16 KB fit in 192 KB, the 12th is cut, the others are
	// counted.
	if note := a["[truncated]"]; note != "188 more fields" {
		t.Errorf("[truncated] = %v, want 188 more fields", note)
	}
	if size := len(ev.Raw); size > 300<<10 {
		t.Errorf("event of %d bytes, want about 192 KB of fields and little else", size)
	}
}

// TestWorstCaseEventSize fills every part of an event at once, with the
// text that JSON escapes most (control bytes: 6 bytes each): 100
// breadcrumbs of 60 fields, 64 KB bodies and long logger names; then an
// error whose message, fields, user, fingerprint, groups and exception chain
// are all oversized. The event must stay under Sentry's limit (1 MB).
func TestWorstCaseEventSize(t *testing.T) {
	ctl := func(n int) string { return strings.Repeat("\x01", n) }
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: 100})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	ctx := context.Background()
	fields := func(n, size int) []slog.Attr {
		attrs := make([]slog.Attr, n)
		for i := range attrs {
			attrs[i] = slog.String(fmt.Sprintf("f%03d", i), ctl(size))
		}
		return attrs
	}
	for range 100 {
		attrs := append(fields(60, 16<<10), slog.String("body", ctl(64<<10)))
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: ctl(16 << 10), Logger: ctl(1 << 10), Attrs: attrs})
	}
	errs := make([]error, 99)
	for i := range errs {
		errs[i] = errors.New(ctl(12 << 10))
	}
	user := make([]any, 0, 200)
	for i := range 100 {
		user = append(user, fmt.Sprintf("p%03d", i), ctl(16<<10))
	}
	fp := make([]string, 100)
	for i := range fp {
		fp[i] = ctl(16 << 10)
	}
	nested := slog.String("leaf", "x")
	for i := range 40 {
		nested = slog.Group(fmt.Sprintf("%03d%s", i, strings.Repeat("g", 250)), nested)
	}
	attrs := append(fields(300, 16<<10), slog.Group("user", user...), slog.Any("fingerprint", fp), nested)
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: ctl(16 << 10), Logger: ctl(1 << 10),
		Err: errors.Join(errs...), Attrs: attrs})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	t.Logf("event of %d bytes, %d breadcrumbs", len(ev.Raw), len(ev.Breadcrumbs))
	if size := len(ev.Raw); size > 1_000_000 {
		t.Errorf("event of %d bytes: Sentry rejects events over 1 MB", size)
	}
	if len(ev.Breadcrumbs) != 100 || len(ev.Exception) != 100 {
		t.Errorf("%d breadcrumbs and %d exceptions, want 100 of each: kept, only cut", len(ev.Breadcrumbs), len(ev.Exception))
	}
	if n := len(jsonOf(t, ev.Fingerprint)); n > 4<<10+200 || len(ev.Fingerprint) == 0 {
		t.Errorf("fingerprint of %d parts, %d bytes: want about 4 KB", len(ev.Fingerprint), n)
	}
	if n := len(jsonOf(t, ev.User)); n > 16<<10+1<<10 || ev.User.Data["[truncated]"] == "" {
		t.Errorf("user of %d bytes, [truncated] = %q: want about 16 KB and the rest counted", n, ev.User.Data["[truncated]"])
	}
}

// The fingerprint's bounds never write into the slice a WithFingerprint
// function returned.
func TestFingerprintBoundCopies(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	shared := []string{"short", strings.Repeat("y", 4<<10)}
	b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithFingerprint(func(logsentry.Record) []string { return shared }))
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "m"})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if len(shared[1]) != 4<<10 {
		t.Errorf("the function's slice was changed: %d bytes", len(shared[1]))
	}
	if len(ev.Fingerprint) != 2 || ev.Fingerprint[0] != "short" || len(ev.Fingerprint[1]) > 1<<10+len("…[truncated]") {
		t.Errorf("fingerprint = %.80q", ev.Fingerprint)
	}
}

// TestUserInBreadcrumbsAndLogs: a record's user (the top-level "user"
// group) is in its breadcrumb and its Sentry log as flat user.* fields,
// the personal ones only when the client allows user information.
func TestUserInBreadcrumbsAndLogs(t *testing.T) {
	user := slog.Group("user", slog.String("id", "u-7"), slog.String("email", "a@example.com"), slog.String("plan", "pro"))
	for _, tt := range []struct {
		name      string
		opts      sentry.ClientOptions
		crumb     string
		logAttrs  []string
		noLogAttr []string
	}{
		{"no PII", sentry.ClientOptions{}, `{"user.id":"u-7","user.plan":"pro"}`,
			[]string{"user.id", "user.plan"}, []string{"user.email"}},
		{"UserInfo allowed", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)}},
			`{"user.email":"a@example.com","user.id":"u-7","user.plan":"pro"}`,
			[]string{"user.id", "user.plan", "user.email"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub := sentrytest.NewReceiverHub(t, tt.opts)
			b := logsentry.New(logsentry.WithHub(hub), logsentry.WithLogSeverity(logsentry.SeverityInfo))
			b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityInfo, Message: "plan changed", Attrs: []slog.Attr{user}})
			b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "next"})
			sentrytest.Flush(t, hub)
			ev := rcv.WaitEvents(t, 1, waitFor)[0]
			if len(ev.Breadcrumbs) != 1 {
				t.Fatalf("%d breadcrumbs, want 1", len(ev.Breadcrumbs))
			}
			if got := jsonOf(t, ev.Breadcrumbs[0].Data); got != tt.crumb {
				t.Errorf("breadcrumb data = %s, want %s", got, tt.crumb)
			}
			l := sentrytest.LogByBody(t, rcv.WaitLogs(t, 2, waitFor), "plan changed")
			for _, k := range tt.logAttrs {
				if _, ok := l.Attributes[k]; !ok {
					t.Errorf("log attribute %s missing: %v", k, l.Attributes)
				}
			}
			for _, k := range tt.noLogAttr {
				if v, ok := l.Attributes[k]; ok {
					t.Errorf("log attribute %s = %v, want none without user information allowed", k, v)
				}
			}
		})
	}
}
