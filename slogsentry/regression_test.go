package slogsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// allSinks returns handler options that send error records to events,
// info records to breadcrumbs and Sentry Logs, on hub.
func allSinks(hub *sentry.Hub, more ...logsentry.Option) []logsentry.Option {
	return append([]logsentry.Option{
		logsentry.WithHub(hub),
		slogsentry.WithLogLevel(slog.LevelInfo),
	}, more...)
}

// crumbData returns the data of the breadcrumb with message msg on ev.
func crumbData(t testing.TB, ev sentrytest.Event, msg string) map[string]any {
	t.Helper()
	for _, b := range ev.Breadcrumbs {
		if b.Message == msg {
			m, _ := sentrytest.Plain(b.Data).(map[string]any)
			return m
		}
	}
	t.Fatalf("event %q has no breadcrumb %q: %v", ev.Message, msg, sentrytest.BreadcrumbMessages(ev))
	return nil
}

// logAttrs returns the attributes of l as plain values, without the ones
// the SDK and the bridge add (sentry.*, logger.name, log.level).
func logAttrs(l sentrytest.Log) map[string]any {
	m := make(map[string]any)
	for k, a := range l.Attributes {
		switch {
		case len(k) > 7 && k[:7] == "sentry.", k == "logger.name", k == "log.level":
			continue
		}
		m[k] = sentrytest.Plain(a.Value)
	}
	return m
}

// TestInlineGroups checks that the attrs of a group with an empty key are
// kept, inlined into the enclosing group, in every output (sentryslog
// v0.50.0 drops them).
func TestInlineGroups(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(slogsentry.NewHandler(allSinks(hub)...)).
		With(slog.Group("", slog.String("w", "x")))
	args := []any{
		"a", "b",
		slog.Group("", slog.String("c", "d"), slog.Group("G", slog.String("e", "f"))),
		slog.Group("H", slog.Group("", slog.Int("i", 1))),
	}
	logger.Info("inline info", args...)
	logger.Error("inline error", args...)
	sentrytest.Flush(t, hub)

	wantTree := map[string]any{
		"w": "x", "a": "b", "c": "d",
		"G": map[string]any{"e": "f"},
		"H": map[string]any{"i": int64(1)},
	}
	wantFlat := map[string]any{"w": "x", "a": "b", "c": "d", "G.e": "f", "H.i": int64(1)}

	ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "inline error")
	if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, wantTree) {
		t.Errorf("event attributes = %v, want %v", got, wantTree)
	}
	if got := crumbData(t, ev, "inline info"); !reflect.DeepEqual(got, wantFlat) {
		t.Errorf("breadcrumb data = %v, want %v", got, wantFlat)
	}
	logs := rcv.WaitLogs(t, 2, waitFor)
	for _, body := range []string{"inline info", "inline error"} {
		if got := logAttrs(sentrytest.LogByBody(t, logs, body)); !reflect.DeepEqual(got, wantFlat) {
			t.Errorf("log %q attributes = %v, want %v", body, got, wantFlat)
		}
	}
}

// TestSiblingGroups checks that handlers derived from the same parent with
// WithGroup or WithAttrs at depth >= 3 do not overwrite each other's groups
// (samber/slog-sentry's append(h.groups, name) bug gave [a b c e] for
// [a b c d]).
func TestSiblingGroups(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	h := slogsentry.NewHandler(allSinks(hub)...)
	c := h.WithGroup("a").WithGroup("b").WithGroup("c")
	d := c.WithGroup("d")
	e := c.WithGroup("e")
	p := c.WithAttrs([]slog.Attr{slog.Int("p", 1)})
	q := c.WithAttrs([]slog.Attr{slog.Int("q", 2)})
	pd := p.WithGroup("d")
	pe := p.WithGroup("e")

	slog.New(d).Error("through d", "x", 1)
	slog.New(e).Error("through e", "y", 2)
	slog.New(p).Error("through p", "z", 3)
	slog.New(q).Error("through q", "z", 4)
	slog.New(pd).Error("through pd", "x", 5)
	slog.New(pe).Error("through pe", "y", 6)
	slog.New(c).Info("through c", "z", 7) // breadcrumb for the next event
	slog.New(h).Error("through h")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 7, waitFor)

	abc := func(m map[string]any) map[string]any {
		return map[string]any{"a": map[string]any{"b": map[string]any{"c": m}}}
	}
	tests := []struct {
		msg  string
		want map[string]any
		flat map[string]any
	}{
		{"through d", abc(map[string]any{"d": map[string]any{"x": int64(1)}}), map[string]any{"a.b.c.d.x": int64(1)}},
		{"through e", abc(map[string]any{"e": map[string]any{"y": int64(2)}}), map[string]any{"a.b.c.e.y": int64(2)}},
		{"through p", abc(map[string]any{"p": int64(1), "z": int64(3)}), map[string]any{"a.b.c.p": int64(1), "a.b.c.z": int64(3)}},
		{"through q", abc(map[string]any{"q": int64(2), "z": int64(4)}), map[string]any{"a.b.c.q": int64(2), "a.b.c.z": int64(4)}},
		{"through pd", abc(map[string]any{"p": int64(1), "d": map[string]any{"x": int64(5)}}), map[string]any{"a.b.c.p": int64(1), "a.b.c.d.x": int64(5)}},
		{"through pe", abc(map[string]any{"p": int64(1), "e": map[string]any{"y": int64(6)}}), map[string]any{"a.b.c.p": int64(1), "a.b.c.e.y": int64(6)}},
		{"through h", map[string]any{}, map[string]any{}},
	}
	logs := rcv.WaitLogs(t, 8, waitFor)
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			ev := sentrytest.EventByMessage(t, evs, tt.msg)
			if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("attributes = %v, want %v", got, tt.want)
			}
			if got := logAttrs(sentrytest.LogByBody(t, logs, tt.msg)); !reflect.DeepEqual(got, tt.flat) {
				t.Errorf("log attributes = %v, want %v", got, tt.flat)
			}
		})
	}
	last := sentrytest.EventByMessage(t, evs, "through h")
	if got, want := crumbData(t, last, "through c"), map[string]any{"a.b.c.z": int64(7)}; !reflect.DeepEqual(got, want) {
		t.Errorf("breadcrumb data = %v, want %v", got, want)
	}
	if got, want := crumbData(t, last, "through pe"), map[string]any{"a.b.c.p": int64(1), "a.b.c.e.y": int64(6)}; !reflect.DeepEqual(got, want) {
		t.Errorf("breadcrumb data = %v, want %v", got, want)
	}
}

// Secret is a value that redacts itself through slog.LogValuer.
type Secret string

func (Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// secretGroup is a LogValuer that resolves to a group holding a Secret,
// which must be resolved in turn.
type secretGroup struct{ s Secret }

func (g secretGroup) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "card"), slog.Any("number", g.s))
}

// TestLogValuerSecret checks that a LogValuer's raw value never leaves the
// process, in events, tags, breadcrumbs or logs, with and without a
// ReplaceAttr function (sentryslog v0.47 sent it as a tag; samber/slog-sentry
// sent it whenever ReplaceAttr was set).
func TestLogValuerSecret(t *testing.T) {
	const raw = "hunter2"
	tests := []struct {
		name string
		opts func(seen func(slog.Attr)) []logsentry.Option
	}{
		{"no options", func(func(slog.Attr)) []logsentry.Option { return nil }},
		{"ReplaceAttr identity", func(seen func(slog.Attr)) []logsentry.Option {
			return []logsentry.Option{logsentry.WithReplaceAttr(func(_ []string, a slog.Attr) slog.Attr {
				seen(a)
				return a
			})}
		}},
		{"ReplaceAttr rewriting others", func(seen func(slog.Attr)) []logsentry.Option {
			return []logsentry.Option{logsentry.WithReplaceAttr(func(_ []string, a slog.Attr) slog.Attr {
				seen(a)
				if a.Key == "other" {
					a.Value = slog.StringValue("rewritten")
				}
				return a
			})}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			var mu sync.Mutex
			var leaked []string
			seen := func(a slog.Attr) {
				if _, ok := a.Value.Any().(slog.LogValuer); ok || a.Value.Kind() == slog.KindLogValuer {
					mu.Lock()
					leaked = append(leaked, a.Key)
					mu.Unlock()
				}
			}
			opts := allSinks(hub, tt.opts(seen)...)
			opts = append(opts, logsentry.WithTagKeys("hint", "billing.memo"))
			logger := slog.New(slogsentry.NewHandler(opts...)).
				With("memo_with", Secret(raw)).
				WithGroup("billing").With("memo", Secret(raw))
			args := []any{
				"hint", Secret(raw),
				slog.Group("nested", slog.Any("deep", Secret(raw))),
				"card", secretGroup{Secret(raw)},
				"other", "plain",
			}
			logger.Info("secret info", args...)
			logger.Error("secret error", args...)
			slog.New(slogsentry.NewHandler(opts...)).Error("after", "hint", Secret(raw))
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, 2, waitFor)
			rcv.WaitLogs(t, 2, waitFor)

			sentrytest.CheckNoSecret(t, rcv, raw)
			if len(leaked) > 0 {
				t.Errorf("ReplaceAttr saw unresolved LogValuers under %v", leaked)
			}

			ev := sentrytest.EventByMessage(t, evs, "secret error")
			want := map[string]any{
				"memo_with": "[REDACTED]",
				"billing": map[string]any{
					"memo":   "[REDACTED]",
					"hint":   "[REDACTED]",
					"nested": map[string]any{"deep": "[REDACTED]"},
					"card":   map[string]any{"kind": "card", "number": "[REDACTED]"},
					"other":  "plain",
				},
			}
			if tt.name == "ReplaceAttr rewriting others" {
				want["billing"].(map[string]any)["other"] = "rewritten"
			}
			if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, want) {
				t.Errorf("event attributes = %v, want %v", got, want)
			}
			if got := ev.Tags["billing.memo"]; got != "[REDACTED]" {
				t.Errorf("tag billing.memo = %q, want [REDACTED]", got)
			}
			after := sentrytest.EventByMessage(t, evs, "after")
			if got := after.Tags["hint"]; got != "[REDACTED]" {
				t.Errorf("tag hint = %q, want [REDACTED]", got)
			}
			data := crumbData(t, after, "secret info")
			if data["billing.card.number"] != "[REDACTED]" || data["billing.hint"] != "[REDACTED]" {
				t.Errorf("breadcrumb data = %v", data)
			}
			la := logAttrs(sentrytest.LogByBody(t, rcv.Logs(), "secret info"))
			if la["billing.card.number"] != "[REDACTED]" || la["memo_with"] != "[REDACTED]" {
				t.Errorf("log attributes = %v", la)
			}
		})
	}
}

// TestRecordTime checks that the record's own time, not the time of
// capture, stamps the event and the breadcrumb.
func TestRecordTime(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	h := slogsentry.NewHandler(logsentry.WithHub(hub))
	ctx := sentrytest.HubContext(hub)
	errTime := time.Date(2021, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	infoTime := errTime.Add(-time.Hour)

	var pcs [1]uintptr
	runtime.Callers(1, pcs[:])
	for _, r := range []slog.Record{
		slog.NewRecord(infoTime, slog.LevelInfo, "info then", pcs[0]),
		slog.NewRecord(errTime, slog.LevelError, "error then", pcs[0]),
	} {
		if err := h.Handle(ctx, r); err != nil {
			t.Fatalf("Handle = %v", err)
		}
	}
	hub.CaptureMessage("probe")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)

	ev := sentrytest.EventByMessage(t, evs, "error then")
	if !ev.Timestamp.Equal(errTime) {
		t.Errorf("event timestamp = %v, want %v", ev.Timestamp, errTime)
	}
	if ev.Contexts["log"]["time_unknown"] != nil {
		t.Errorf("time_unknown set on a record with a time: %v", ev.Contexts["log"])
	}
	probe := sentrytest.EventByMessage(t, evs, "probe")
	want := map[string]time.Time{"info then": infoTime, "error then": errTime}
	if len(probe.Breadcrumbs) != 2 {
		t.Fatalf("probe breadcrumbs = %v", sentrytest.BreadcrumbMessages(probe))
	}
	for _, b := range probe.Breadcrumbs {
		if !b.Timestamp.Equal(want[b.Message]) {
			t.Errorf("breadcrumb %q timestamp = %v, want %v", b.Message, b.Timestamp, want[b.Message])
		}
	}
	if time.Since(probe.Timestamp) > time.Minute {
		t.Errorf("probe timestamp %v: the SDK's own events keep the capture time", probe.Timestamp)
	}
}

// TestWithDoesNotMutate checks that WithAttrs and WithGroup leave their
// receiver unchanged, however many children are made and used. The parents
// are built one attr at a time, so that their slices have spare capacity
// that an unclipped append would share between siblings.
func TestWithDoesNotMutate(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	var root slog.Handler = slogsentry.NewHandler(logsentry.WithHub(hub))
	flat := root
	for _, k := range []string{"p1", "p2", "p3"} {
		flat = flat.WithAttrs([]slog.Attr{slog.Int(k, 1)})
	}
	grouped := flat.WithGroup("g")
	for _, k := range []string{"q1", "q2", "q3"} {
		grouped = grouped.WithAttrs([]slog.Attr{slog.Int(k, 2)})
	}
	deep := grouped.WithGroup("h").WithGroup("i")

	p := map[string]any{"p1": int64(1), "p2": int64(1), "p3": int64(1)}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := make(map[string]any, len(m)+len(kv)/2)
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	q := map[string]any{"q1": int64(2), "q2": int64(2), "q3": int64(2)}

	tests := []struct {
		msg  string
		h    slog.Handler
		want map[string]any
	}{
		{"flat child 1", flat.WithAttrs([]slog.Attr{slog.String("c1", "x")}), with(p, "c1", "x")},
		{"flat child 2", flat.WithAttrs([]slog.Attr{slog.String("c2", "x")}), with(p, "c2", "x")},
		{"flat child group", flat.WithGroup("fg"), p},
		{"grouped child 1", grouped.WithAttrs([]slog.Attr{slog.String("c3", "x")}), with(p, "g", with(q, "c3", "x"))},
		{"grouped child 2", grouped.WithAttrs([]slog.Attr{slog.String("c4", "x")}), with(p, "g", with(q, "c4", "x"))},
		{"grouped child group", grouped.WithGroup("h2").WithAttrs([]slog.Attr{slog.String("c5", "x")}),
			with(p, "g", with(q, "h2", map[string]any{"c5": "x"}))},
		{"deep child 1", deep.WithAttrs([]slog.Attr{slog.String("c6", "x")}),
			with(p, "g", with(q, "h", map[string]any{"i": map[string]any{"c6": "x"}}))},
		{"deep child 2", deep.WithAttrs([]slog.Attr{slog.String("c7", "x")}),
			with(p, "g", with(q, "h", map[string]any{"i": map[string]any{"c7": "x"}}))},
		{"no-op children", grouped.WithAttrs(nil).WithGroup(""), with(p, "g", q)},
		// The parents last, after all their children logged.
		{"flat", flat, p},
		{"grouped", grouped, with(p, "g", q)},
		{"deep", deep, with(p, "g", q)},
		{"root", root, map[string]any{}},
	}
	for _, tt := range tests {
		slog.New(tt.h).Error(tt.msg)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, len(tests), waitFor)
	for _, tt := range tests {
		if got := sentrytest.Attrs(sentrytest.EventByMessage(t, evs, tt.msg)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: attributes = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// TestHandleNeverErrors checks that Handle returns nil whatever Sentry
// answers and whatever the record holds.
func TestHandleNeverErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
	}{
		{"ok", 0, nil},
		{"server error", http.StatusInternalServerError, nil},
		{"rate limited", http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			rcv.SetStatus(tt.status, tt.header)
			h := slogsentry.NewHandler(allSinks(hub, logsentry.WithFlushTimeout(time.Second))...)
			disabled := sentry.SetHubOnContext(context.Background(), sentry.NewHub(sentry.NewNoopClient(), sentry.NewScope()))
			for _, ctx := range []context.Context{context.Background(), sentrytest.HubContext(hub), disabled} {
				for _, l := range levels {
					for _, args := range [][]any{nil, {"err", sentrytest.TypedNilError()}, {"v", sentrytest.PanicStringer{}}} {
						r := slog.NewRecord(time.Now(), l, "never fails", 0)
						r.Add(args...)
						if err := h.Handle(ctx, r); err != nil {
							t.Errorf("Handle(%v, %v) = %v", l, args, err)
						}
					}
				}
			}
			sentrytest.Flush(t, hub)
			if rcv.Requests() == 0 {
				t.Errorf("nothing reached the receiver")
			}
		})
	}
}

// tokenGroup is a LogValuer that resolves to a group with a sensitive key:
// redaction must see the resolved fields.
type tokenGroup struct{ token string }

func (g tokenGroup) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "oauth"), slog.String("token", g.token))
}

// TestRedaction checks that values under sensitive keys and secret-shaped
// values never leave the process through any output, whichever slog path
// brought them: record attrs, WithAttrs, WithGroup, LogValuers resolving to
// groups, the message. It depends on the redactor (internal/redact).
func TestRedaction(t *testing.T) {
	t.Parallel()
	secrets := []string{"s3cr3t-pw-value", "tok-abc-123", "inner-tok-456", "db-pw-789", "hunter3"}
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(slogsentry.NewHandler(allSinks(hub, logsentry.WithTagKeys("db.password"))...)).
		With("api_token", "tok-abc-123").
		WithGroup("db").With("passwd", "db-pw-789")
	args := []any{
		"password", "s3cr3t-pw-value",
		"session", tokenGroup{"inner-tok-456"},
		"dsn", "https://bob:hunter3@example.com/x",
		"user_id", 7,
	}
	logger.Info("login", args...)
	logger.Error("login failed for https://bob:hunter3@example.com/x", args...)
	slog.New(slogsentry.NewHandler(logsentry.WithHub(hub))).Error("after")
	sentrytest.Flush(t, hub)
	rcv.WaitEvents(t, 2, waitFor)
	rcv.WaitLogs(t, 2, waitFor)
	sentrytest.CheckNoSecret(t, rcv, secrets...)
	if !sentrytest.PayloadsContain(rcv, "[Filtered]") {
		t.Errorf("no [Filtered] placeholder sent")
	}
	ev := sentrytest.EventByMessage(t, rcv.Events(), "after")
	if d := crumbData(t, ev, "login"); d["db.user_id"] != int64(7) {
		t.Errorf("ordinary fields must survive redaction: %v", d)
	}
}

// TestDuplicateKeys checks that of two fields with the same key in the same
// group the later wins in every output, and that groups of the same name
// merge.
func TestDuplicateKeys(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(slogsentry.NewHandler(allSinks(hub)...)).
		With("k", "from With", slog.Group("g", "a", 1))
	args := []any{"k", "from record", slog.Group("g", "b", 2)}
	logger.Info("dup", args...)
	logger.Error("dup", args...)
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	want := map[string]any{"k": "from record", "g": map[string]any{"a": int64(1), "b": int64(2)}}
	if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, want) {
		t.Errorf("event attributes = %v, want %v", got, want)
	}
	flat := map[string]any{"k": "from record", "g.a": int64(1), "g.b": int64(2)}
	if got := crumbData(t, ev, "dup"); !reflect.DeepEqual(got, flat) {
		t.Errorf("breadcrumb data = %v, want %v", got, flat)
	}
	for _, l := range rcv.WaitLogs(t, 2, waitFor) {
		if got := logAttrs(l); !reflect.DeepEqual(got, flat) {
			t.Errorf("log %s attributes = %v, want %v", l.Level, got, flat)
		}
	}
}

// TestCancelledContext checks that a record logged with a cancelled context
// is still sent, on that context's hub.
func TestCancelledContext(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx, cancel := context.WithCancel(sentrytest.HubContext(hub))
	cancel()
	logger := slog.New(slogsentry.NewHandler(slogsentry.WithLogLevel(slog.LevelInfo)))
	logger.InfoContext(ctx, "before")
	logger.ErrorContext(ctx, "after cancel")
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "after cancel" || len(ev.Breadcrumbs) != 1 {
		t.Errorf("event %q breadcrumbs %q", ev.Message, sentrytest.BreadcrumbMessages(ev))
	}
	rcv.WaitLogs(t, 2, waitFor)
}

// TestWithAttrsSnapshot: values given to With are read then, as slog's own
// handlers format them then: a map the caller changes afterwards (even
// while other goroutines log) reads as it was, and is never read again; an
// error given to With is still the records' exception.
func TestWithAttrsSnapshot(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	cfg := map[string]any{"mode": "before"}
	logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub))).
		With("cfg", cfg, "err", fmt.Errorf("load: %w", errors.New("gone")))
	done := make(chan struct{})
	go func() { // the caller goes on with its map
		defer close(done)
		for i := range 1000 {
			cfg["mode"] = fmt.Sprint("after ", i)
		}
	}()
	for range 10 {
		logger.Error("with a map")
	}
	<-done
	sentrytest.Flush(t, hub)
	for _, ev := range rcv.WaitEvents(t, 10, waitFor) {
		if got := fmt.Sprint(ev.Context("attributes")["cfg"]); got != "map[mode:before]" {
			t.Errorf("cfg = %s, want the map as it was at With", got)
		}
		if len(ev.Exception) == 0 {
			t.Errorf("no exception from the error given to With")
		}
	}
}

// money is a value a ReplaceAttr function formats by its type.
type money struct{ Cents int }

// TestWithAttrsReplace: the replace function sees a value given to With as
// it was logged (its type), as slog's handlers call ReplaceAttr when they
// format With attrs, and with the groups open at With.
func TestWithAttrsReplace(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	var paths []string
	h := slogsentry.NewHandler(logsentry.WithHub(hub), logsentry.WithReplaceAttr(func(groups []string, a slog.Attr) slog.Attr {
		if m, ok := a.Value.Any().(money); ok {
			paths = append(paths, fmt.Sprint(groups, a.Key))
			return slog.String(a.Key, fmt.Sprintf("$%d.%02d", m.Cents/100, m.Cents%100))
		}
		return a
	}))
	logger := slog.New(h)
	logger.WithGroup("order").With("total", money{1234}).Error("with")
	logger.Error("call", slog.Group("order", "total", money{1234}))
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	with, call := sentrytest.EventByMessage(t, evs, "with"), sentrytest.EventByMessage(t, evs, "call")
	if w, c := fmt.Sprint(with.Context("attributes")), fmt.Sprint(call.Context("attributes")); w != c || !strings.Contains(w, "$12.34") {
		t.Errorf("With: %s, call: %s; want both $12.34", w, c)
	}
	if len(paths) == 0 || paths[0] != "[order]total" {
		t.Errorf("ReplaceAttr saw %q, want [order]total first", paths)
	}
}
