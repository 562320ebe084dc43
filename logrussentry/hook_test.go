package logrussentry_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

// TestBesideTestHook runs logrus's own test hook and ours on one logger and
// checks that Sentry saw what logrus recorded.
func TestBesideTestHook(t *testing.T) {
	t.Parallel()
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	logger, recorded := test.NewNullLogger()
	logger.AddHook(logrussentry.NewHook(logsentry.WithHub(hub)))
	exitCode := -1
	logger.ExitFunc = func(code int) { exitCode = code }

	logger.WithField("user_id", 42).Info("one")
	logger.WithFields(logrus.Fields{"path": "/orders", "retry": true}).Warn("two")
	logger.WithError(errors.New("connection refused")).Error("three")
	// Through an interface: staticcheck knows Fatal as a function that
	// never returns, which it does here (ExitFunc).
	var fatalEntry interface{ Fatal(...any) } = logger.WithField("job", "nightly")
	fatalEntry.Fatal("four")
	logger.Debug("not recorded by either: below the logger's level")

	if exitCode != 1 {
		t.Errorf("ExitFunc got %d, want 1", exitCode)
	}
	sentrytest.Flush(t, hub)
	entries := recorded.AllEntries()
	if len(entries) != 4 {
		t.Fatalf("test hook recorded %d entries, want 4", len(entries))
	}
	evs := rcv.WaitEvents(t, 2, waitFor)
	if got := sentrytest.Messages(evs); !reflect.DeepEqual(got, []string{"three", "four"}) {
		t.Fatalf("events %q, want [three four]", got)
	}
	// Each event matches its entry: message, level, time, fields.
	for i, ev := range evs {
		e := entries[i+2]
		if ev.Message != e.Message || ev.Contexts["log"]["level"] != e.Level.String() {
			t.Errorf("event %q level %v, entry %q level %s", ev.Message, ev.Contexts["log"]["level"], e.Message, e.Level)
		}
		if d := ev.Timestamp.Sub(e.Time); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("event %q timestamp %v, entry time %v", ev.Message, ev.Timestamp, e.Time)
		}
	}
	if got := sentrytest.Attrs(evs[1])["job"]; got != "nightly" {
		t.Errorf("attributes.job = %#v", got)
	}
	if evs[0].Exception[0].Value != entries[2].Data[logrus.ErrorKey].(error).Error() {
		t.Errorf("exception %+v, entry error %v", evs[0].Exception, entries[2].Data[logrus.ErrorKey])
	}
	// The fatal event carries the trail: every earlier entry, in order,
	// with its level and fields.
	fatal := evs[1]
	if got := sentrytest.BreadcrumbMessages(fatal); !reflect.DeepEqual(got, []string{"one", "two", "three"}) {
		t.Fatalf("fatal event breadcrumbs %q, want [one two three]", got)
	}
	for i, b := range fatal.Breadcrumbs {
		e := entries[i]
		if want := map[logrus.Level]string{logrus.InfoLevel: "info", logrus.WarnLevel: "warning", logrus.ErrorLevel: "error"}[e.Level]; b.Level != want {
			t.Errorf("breadcrumb %q level %q, want %q", b.Message, b.Level, want)
		}
		for k, v := range e.Data {
			got, ok := b.Data[k]
			if !ok {
				t.Errorf("breadcrumb %q lacks field %q", b.Message, k)
				continue
			}
			if err, isErr := v.(error); isErr {
				v = err.Error()
			}
			if fmt.Sprint(sentrytest.Plain(got)) != fmt.Sprint(v) {
				t.Errorf("breadcrumb %q field %q = %v, entry has %v", b.Message, k, got, v)
			}
		}
	}
}

// TestFields checks that fields keep their types in the event's
// "attributes" context, in breadcrumbs, in logs and as tags.
func TestFields(t *testing.T) {
	t.Parallel()
	f := setup(t,
		logrussentry.WithLogLevel(logrus.InfoLevel),
		logsentry.WithTagKeys("region", "http.method"),
	)
	when := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	fields := logrus.Fields{
		"int":      42,
		"int8":     int8(-8),
		"uint":     uint16(7),
		"float":    1.5,
		"float32":  float32(0.25),
		"bool":     true,
		"string":   "text",
		"time":     when,
		"duration": 1500 * time.Millisecond,
		"nil":      nil,
		"slice":    []int{1, 2, 3},
		"struct":   struct{ A int }{1},
		"region":   "eu-west-1",
		"http":     map[string]any{"method": "GET", "status": 502, "headers": logrus.Fields{"accept": "json"}},
		"empty":    map[string]any{},
		"logger":   "billing",
	}
	f.logger.WithFields(fields).Info("crumb")
	f.logger.WithFields(fields).Error("typed")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]

	want := map[string]any{
		"int":      int64(42),
		"int8":     int64(-8),
		"uint":     int64(7),
		"float":    1.5,
		"float32":  0.25,
		"bool":     true,
		"string":   "text",
		"time":     "2026-11-22T10:30:00Z",
		"duration": "1.5s",
		"nil":      nil,
		"slice":    []any{int64(1), int64(2), int64(3)},
		"struct":   map[string]any{"A": int64(1)},
		"region":   "eu-west-1",
		"http":     map[string]any{"method": "GET", "status": int64(502), "headers": map[string]any{"accept": "json"}},
		"empty":    map[string]any{},
	}
	if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, want) {
		t.Errorf("attributes\n got %#v\nwant %#v", got, want)
	}
	if ev.Logger != "billing" {
		t.Errorf("logger %q, want the logger field", ev.Logger)
	}
	if want := map[string]string{"region": "eu-west-1", "http.method": "GET"}; !reflect.DeepEqual(ev.Tags, want) {
		t.Errorf("tags %v, want %v", ev.Tags, want)
	}
	// The breadcrumb flattens groups to dotted keys.
	if len(ev.Breadcrumbs) != 1 {
		t.Fatalf("breadcrumbs %+v", ev.Breadcrumbs)
	}
	b := ev.Breadcrumbs[0]
	if b.Category != "billing" || sentrytest.Plain(b.Data["http.status"]) != int64(502) || b.Data["http.headers.accept"] != "json" {
		t.Errorf("breadcrumb category %q data %v", b.Category, b.Data)
	}
	// Logs: typed attributes, groups dotted.
	logs := f.rcv.WaitLogs(t, 2, waitFor)
	for _, l := range logs {
		if n, ok := l.Attributes["int"].Int(); !ok || n != 42 {
			t.Errorf("log %q attribute int = %+v", l.Body, l.Attributes["int"])
		}
		if x, ok := l.Attributes["float"].Float(); !ok || x != 1.5 {
			t.Errorf("log %q attribute float = %+v", l.Body, l.Attributes["float"])
		}
		if v, ok := l.Attributes["bool"].Bool(); !ok || !v {
			t.Errorf("log %q attribute bool = %+v", l.Body, l.Attributes["bool"])
		}
		if n, ok := l.Attributes["http.status"].Int(); !ok || n != 502 {
			t.Errorf("log %q attribute http.status = %+v", l.Body, l.Attributes["http.status"])
		}
		if got := l.Attributes["logger.name"].String(); got != "billing" {
			t.Errorf("log %q logger.name %q", l.Body, got)
		}
		if got := l.Attributes["sentry.origin"].String(); got != "auto.log.logrus" {
			t.Errorf("log %q sentry.origin %q", l.Body, got)
		}
	}
}

// TestHostileValues checks that no field value can make the hook panic or
// lose the event.
func TestHostileValues(t *testing.T) {
	cyclic := sentrytest.CyclicMap("loop")
	cyclicFields := logrus.Fields{"name": "fields loop"}
	cyclicFields["self"] = cyclicFields
	tests := []struct {
		name  string
		value any
		check func(t *testing.T, got any)
	}{
		{"panicking Stringer", sentrytest.PanicStringer{}, wantContains("PANIC")},
		{"panicking MarshalJSON", sentrytest.PanicJSON{A: 1}, wantContains("PANIC")},
		{"typed nil Stringer", (*sentrytest.NilStringer)(nil), func(t *testing.T, got any) {
			if got != nil {
				t.Errorf("got %#v, want null", got)
			}
		}},
		{"cyclic map", cyclic, func(t *testing.T, got any) {
			depth := 0
			for m, ok := got.(map[string]any); ok; m, ok = m["self"].(map[string]any) {
				depth++
			}
			if depth < 2 || depth > 20 {
				t.Errorf("cyclic map cut at depth %d", depth)
			}
		}},
		{"cyclic logrus.Fields", cyclicFields, func(t *testing.T, got any) {
			if _, ok := got.(map[string]any); !ok {
				t.Errorf("got %#v", got)
			}
		}},
		{"NaN", math.NaN(), wantEqual("NaN")},
		{"+Inf", math.Inf(1), wantEqual("+Inf")},
		{"invalid UTF-8", "a\xffb", wantEqual("a\uFFFDb")},
		{"channel", make(chan int), wantContains("chan int")},
		{"huge string", strings.Repeat("x", 1<<20), func(t *testing.T, got any) {
			if s, _ := got.(string); len(s) > 20<<10 || !strings.HasSuffix(s, "[truncated]") {
				t.Errorf("huge string sent as %d bytes", len(s))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reported []error
			var mu sync.Mutex
			f := setup(t, logsentry.WithErrorHandler(func(err error) {
				mu.Lock()
				defer mu.Unlock()
				reported = append(reported, err)
			}))
			f.logger.Formatter = nopFormatter{} // fmt would recurse forever on a cyclic map
			f.logger.WithField("v", tt.value).WithField("ok", 1).Error(tt.name)
			sentrytest.Flush(t, f.hub)
			ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
			a := sentrytest.Attrs(ev)
			if a["ok"] != int64(1) {
				t.Errorf("the other field was lost: %v", a)
			}
			tt.check(t, a["v"])
			if strings.HasPrefix(tt.name, "panicking") {
				mu.Lock()
				defer mu.Unlock()
				if len(reported) == 0 {
					t.Errorf("the panic was not reported to the error handler")
				}
			}
		})
	}
}

func wantContains(sub string) func(*testing.T, any) {
	return func(t *testing.T, got any) {
		t.Helper()
		if s, _ := got.(string); !strings.Contains(s, sub) {
			t.Errorf("got %#v, want a string containing %q", got, sub)
		}
	}
}

func wantEqual(want any) func(*testing.T, any) {
	return func(t *testing.T, got any) {
		t.Helper()
		if got != want {
			t.Errorf("got %#v, want %#v", got, want)
		}
	}
}

// TestHostileTextFormatter checks that hostile values survive the default
// text formatter and the hook together, with the line still written.
func TestHostileTextFormatter(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.logger.WithError((*cardError)(nil)).
		WithField("s", sentrytest.PanicStringer{}).
		WithField("j", sentrytest.PanicJSON{}).
		Error("still logged")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "still logged" || len(ev.Exception) != 1 || ev.Exception[0].Value != "<nil>" {
		t.Errorf("event %q exception %+v", ev.Message, ev.Exception)
	}
	if !strings.Contains(f.out.String(), `msg="still logged"`) {
		t.Errorf("console lacks the line: %q", f.out.String())
	}
}

// TestConcurrent logs from many goroutines through one hook and one
// logger; run with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	// Every error is one group ("error <int>/<int>"): the rate limit is
	// off, this test counts what concurrency may lose.
	f := setup(t, logrussentry.WithLogLevel(logrus.WarnLevel), logsentry.WithEventRate(0, 0))
	f.logger.ExitFunc = func(int) {}
	const workers, per = 8, 25
	var wg sync.WaitGroup
	shared := f.logger.WithField("shared", map[string]any{"a": 1})
	for w := range workers {
		wg.Go(func() {
			ctx := breadcrumbs.WithTrail(sentrytest.HubContext(f.hub))
			for i := range per {
				e := shared.WithContext(ctx).WithFields(logrus.Fields{"worker": w, "i": i})
				switch i % 5 {
				case 0:
					e.Debug("debug")
				case 1:
					e.Info("info")
				case 2:
					e.Warn("warn")
				case 3:
					e.WithError(fmt.Errorf("w%d: %w", w, errors.New("boom"))).Errorf("error %d/%d", w, i)
				case 4:
					e.Trace("trace")
				}
			}
		})
	}
	wg.Wait()
	sentrytest.Flush(t, f.hub)
	evs := f.rcv.WaitEvents(t, workers*per/5, waitFor)
	if len(evs) != workers*per/5 {
		t.Errorf("%d events, want %d", len(evs), workers*per/5)
	}
	for _, ev := range evs {
		w := sentrytest.Attrs(ev)["worker"]
		for _, b := range ev.Breadcrumbs {
			if sentrytest.Plain(b.Data["worker"]) != w {
				t.Fatalf("event of worker %v has a breadcrumb of worker %v", w, b.Data["worker"])
			}
		}
	}
	f.rcv.WaitLogs(t, 2*workers*per/5, waitFor)
}

// TestFlush checks Hook.Flush against a healthy, a hanging and a disabled
// Sentry.
func TestFlush(t *testing.T) {
	t.Run("sent", func(t *testing.T) {
		t.Parallel()
		f := setup(t, logrussentry.WithEventLevel(logrus.InfoLevel))
		f.logger.Info("flushed")
		if err := f.hook.Flush(context.Background()); err != nil {
			t.Errorf("Flush = %v", err)
		}
		if evs := f.rcv.Events(); len(evs) != 1 {
			t.Errorf("%d events after Flush, want 1", len(evs))
		}
	})
	t.Run("hanging", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.rcv.SetDelay(10 * time.Second)
		f.logger.Error("stuck")
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := f.hook.Flush(ctx); !errors.Is(err, logsentry.ErrFlushTimeout) {
			t.Errorf("Flush = %v, want ErrFlushTimeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Flush took %v past its deadline", d)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		client, err := sentry.NewClient(sentry.ClientOptions{}) // no DSN: sends nothing
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		hook := logrussentry.NewHook(logsentry.WithHub(sentry.NewHub(client, sentry.NewScope())))
		logger, _ := test.NewNullLogger()
		logger.AddHook(hook)
		logger.Error("nowhere")
		if err := hook.Flush(context.Background()); err != nil {
			t.Errorf("Flush = %v, want nil", err)
		}
	})
}

// TestFireNeverFails checks that Fire returns nil and does not panic on
// odd entries: nil, no logger, a level below every threshold.
func TestFireNeverFails(t *testing.T) {
	t.Parallel()
	f := setup(t)
	entries := map[string]*logrus.Entry{
		"nil entry":     nil,
		"zero entry":    {},
		"below":         {Level: logrus.DebugLevel, Message: "below"},
		"invalid level": {Level: logrus.Level(42), Message: "odd"},
		"nil data":      {Level: logrus.ErrorLevel, Message: "nil data", Data: nil},
		"caller PC 0":   {Level: logrus.ErrorLevel, Message: "pc 0", Caller: &runtime.Frame{}},
	}
	for name, e := range entries {
		if err := f.hook.Fire(e); err != nil {
			t.Errorf("%s: Fire = %v", name, err)
		}
	}
	sentrytest.Flush(t, f.hub)
	// The zero entry is at PanicLevel (0) with no message.
	evs := f.rcv.WaitEvents(t, 3, waitFor)
	if got := sentrytest.Messages(evs); len(got) != 3 {
		t.Errorf("events %q, want the zero entry's, nil data, pc 0", got)
	}
}

// TestRedaction checks that secrets in logrus fields (top level and in
// nested maps), in the message and in the error never leave the process
// through an event, a breadcrumb or a log. It depends on the bridge's
// redactor (internal/redact).
func TestRedaction(t *testing.T) {
	t.Parallel()
	secrets := []string{"s3cr3t-pw-value", "tok-abc-123", "inner-tok-456", "hunter3", "err-pw-999"}
	f := setup(t,
		logrussentry.WithLogLevel(logrus.InfoLevel),
		logsentry.WithTagKeys("db.password"),
	)
	entry := f.logger.WithFields(logrus.Fields{
		"password":  "s3cr3t-pw-value",
		"api_token": "tok-abc-123",
		"db":        map[string]any{"password": "inner-tok-456", "host": "db1"},
		"user_id":   7,
	})
	entry.Info("login")
	entry.WithError(errors.New("dial postgres://app:err-pw-999@db1/x: refused")).
		Error("login failed for https://bob:hunter3@example.com/x")
	f.logger.Error("after")
	sentrytest.Flush(t, f.hub)
	f.rcv.WaitEvents(t, 2, waitFor)
	f.rcv.WaitLogs(t, 2, waitFor)
	sentrytest.CheckNoSecret(t, f.rcv, secrets...)
	if !sentrytest.PayloadsContain(f.rcv, "[Filtered]") {
		t.Errorf("no [Filtered] placeholder sent")
	}
}

// TestSpecialFields checks the fields the bridge gives a meaning, as logrus
// fields: a "user" map, a "fingerprint" and a "logger".
func TestSpecialFields(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.logger.WithFields(logrus.Fields{
		"user":        map[string]any{"id": "u-42", "plan": "pro"},
		"fingerprint": []string{"billing", "declined"},
		"logger":      "billing",
		"order":       9,
	}).Error("card declined")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.User.ID != "u-42" || ev.User.Data["plan"] != "pro" {
		t.Errorf("user %+v, want id u-42 and data plan=pro", ev.User)
	}
	if want := []string{"billing", "declined"}; !reflect.DeepEqual(ev.Fingerprint, want) {
		t.Errorf("fingerprint %q, want %q", ev.Fingerprint, want)
	}
	if ev.Logger != "billing" {
		t.Errorf("logger %q, want billing", ev.Logger)
	}
	if want := map[string]any{"order": int64(9)}; !reflect.DeepEqual(sentrytest.Attrs(ev), want) {
		t.Errorf("attributes %v, want %v", sentrytest.Attrs(ev), want)
	}
}

// TestMessageNewline: Errorf("...\n") gives the message without its
// newline, as logrus's formatters print it: the title and
// fingerprint do not end in "\n".
func TestMessageNewline(t *testing.T) {
	f := setup(t)
	f.logger.Errorf("payment %d failed\n", 7)
	f.hub.Flush(waitFor)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "payment 7 failed" || ev.Fingerprint[0] != "payment <int> failed" {
		t.Errorf("message %q, fingerprint %q", ev.Message, ev.Fingerprint)
	}
}
