// Package conformance_test runs one table of scenarios against all four
// adapters (slog, zap, logrus, zerolog) through a real sentry.Client and its
// HTTP transport, and asserts the same envelope content for each: one
// behaviour, four loggers. A scenario added here runs for every adapter.
package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

func TestMain(m *testing.M) {
	// zerolog writes an error as text before any hook runs; this opt-in
	// lets the Writer recover the error value (type and chain). It is the
	// one documented zerolog-only step (see the README).
	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

const thisPkg = "github.com/logsentry/logsentry/internal/conformance_test"

// env is one scenario's receiver and hub, and a context carrying the hub.
type env struct {
	t   *testing.T
	rcv *sentrytest.Receiver
	hub *sentry.Hub
	ctx context.Context
}

func newEnv(t *testing.T, opts sentry.ClientOptions) *env {
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, opts)
	return &env{t: t, rcv: rcv, hub: hub, ctx: sentry.SetHubOnContext(context.Background(), hub)}
}

func (e *env) flush() {
	e.t.Helper()
	if !e.hub.Flush(5 * time.Second) {
		e.t.Fatal("flush timed out")
	}
}

func (e *env) oneEvent() sentrytest.Event {
	e.t.Helper()
	e.flush()
	evs := e.rcv.WaitEvents(e.t, 1, 5*time.Second)
	if len(evs) != 1 {
		e.t.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

type cardError struct{ code int }

// errSentinel is a sentinel error, one value for every failure.
var errSentinel = errors.New("not found")

func (c *cardError) Error() string { return fmt.Sprintf("card declined (%d)", c.code) }

// order is a struct logged as a field value.
type order struct {
	ID     int    `json:"id"`
	Status string `json:"status"`
}

type scenario struct {
	name string
	run  func(t *testing.T, a adapter)
}

var scenarios = []scenario{
	{"message only", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		a.new(t, defaults()).log(e.ctx, levelError, "disk almost full")
		ev := e.oneEvent()
		eq(t, "level", string(ev.Level), "error")
		eq(t, "message", ev.Message, "disk almost full")
		eq(t, "logger", ev.Logger, a.name)
		eq(t, "exceptions", len(ev.Exception), 0)
		eq(t, "fingerprint", ev.Fingerprint, []string{"disk almost full"})
		checkTopFrame(t, callSiteFrames(t, ev), a)
	}},
	{"wrapped error chain", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		err := fmt.Errorf("charge order 7: %w", &cardError{51})
		a.new(t, defaults()).log(e.ctx, levelError, "checkout failed", f("err", err), f("order", 7))
		ev := e.oneEvent()
		eq(t, "exception types", types(ev), []string{"*conformance_test.cardError", "*fmt.wrapError"})
		eq(t, "exception values", values(ev), []string{"card declined (51)", "charge order 7: card declined (51)"})
		eq(t, "fingerprint", ev.Fingerprint, []string{"checkout failed", "*conformance_test.cardError", "card declined (<int>)"})
		checkTopFrame(t, lastException(t, ev).Stacktrace.Frames, a)
		eq(t, "attributes", attrs(ev), map[string]any{"order": "7"})
	}},
	{"one message, different failures", func(t *testing.T, a adapter) {
		// A handler that logs every failure as "request failed": the
		// innermost error's text tells the failures apart, so a storm of
		// one cannot spend the rate limit of another (all are
		// *errors.errorString, as most Go errors are).
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults(), logsentry.WithEventRate(1e-9, 2))
		for i := range 12 {
			l.log(e.ctx, levelError, "request failed", f("err", fmt.Errorf("get user %d: %w", i, errors.New("db timeout"))))
		}
		l.log(e.ctx, levelError, "request failed", f("err", fmt.Errorf("charge: %w", errors.New("nil pointer in billing"))))
		e.flush()
		evs := e.rcv.WaitEvents(t, 3, 5*time.Second)
		got := map[string]int{}
		for _, ev := range evs {
			got[strings.Join(ev.Fingerprint, "|")]++
		}
		eq(t, "events per fingerprint", got, map[string]int{
			"request failed|*errors.errorString|db timeout":             2,
			"request failed|*errors.errorString|nil pointer in billing": 1,
		})
	}},
	{"rendered messages group", func(t *testing.T, a adapter) {
		// Messages formatted before the logger sees them (Errorf, Msgf,
		// Sprintf) differ in their ids, addresses and durations: the
		// default fingerprint and the rate limit see one group.
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults(), logsentry.WithEventRate(1e-9, 3))
		for i := range 6 {
			msg := fmt.Sprintf("charge %d for user 3f2504e0-4f89-11d3-9a0c-03%010d from 10.0.0.%d failed after %v",
				4821+i, i, i+1, time.Duration(i+1)*150*time.Millisecond)
			l.log(e.ctx, levelError, msg, f("err", &cardError{51 + i}))
		}
		e.flush()
		evs := e.rcv.WaitEvents(t, 3, 5*time.Second)
		eq(t, "events sent (burst 3 of 6 records in one group)", len(evs), 3)
		for i, ev := range evs {
			eq(t, "fingerprint", ev.Fingerprint, []string{
				"charge <int> for user <uuid> from <ip> failed after <duration>", "*conformance_test.cardError", "card declined (<int>)"})
			if i == 0 {
				eq(t, "message kept as logged", ev.Message,
					"charge 4821 for user 3f2504e0-4f89-11d3-9a0c-030000000000 from 10.0.0.1 failed after 150ms")
			}
		}
		// No error, and the message empty but the error's text: the text
		// is parameterized the same way.
		e2 := newEnv(t, sentry.ClientOptions{})
		a.new(t, defaults()).log(e2.ctx, levelError, "", f("err", fmt.Errorf("order %d: %w", 7, &cardError{51})))
		eq(t, "fingerprint of an empty message", e2.oneEvent().Fingerprint,
			[]string{"*conformance_test.cardError", "card declined (<int>)"})
	}},
	{"errors.Join", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		err := errors.Join(errors.New("disk full"), &cardError{5})
		a.new(t, defaults()).log(e.ctx, levelError, "two failures", f("error", err))
		ev := e.oneEvent()
		eq(t, "group", lastException(t, ev).Type, "*errors.joinError")
		m := lastException(t, ev).Mechanism
		if m == nil || !m.IsExceptionGroup {
			t.Errorf("outermost mechanism %+v, want an exception group", m)
		}
		got := typesOf(ev.Exception[:len(ev.Exception)-1])
		slices.Sort(got)
		eq(t, "members", got, []string{"*conformance_test.cardError", "*errors.errorString"})
	}},
	{"error carrying a stack", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		err, line := pkgerrors.New("connection reset"), thisLine() // the stack of this line is the error's
		a.new(t, defaults()).log(e.ctx, levelError, "sync failed", f("error", err))
		ev := e.oneEvent()
		last := lastException(t, ev)
		if last.Stacktrace == nil || len(last.Stacktrace.Frames) == 0 {
			t.Fatalf("exception %+v has no stack", last)
		}
		top := last.Stacktrace.Frames[len(last.Stacktrace.Frames)-1]
		if top.Module != thisPkg || top.Lineno != line {
			t.Errorf("top frame %s.%s line %d, want line %d, where the error was made", top.Module, top.Function, top.Lineno, line)
		}
	}},
	{"nested fields", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		a.new(t, defaults()).log(e.ctx, levelError, "bad request",
			f("path", "/api/orders"), f("attempt", 3), f("ratio", 0.25), f("retry", true),
			f("http", group{f("method", "POST"), f("status", 502)}))
		ev := e.oneEvent()
		eq(t, "attributes", attrs(ev), map[string]any{
			"path": "/api/orders", "attempt": "3", "ratio": "0.25", "retry": "true",
			"http": map[string]any{"method": "POST", "status": "502"},
		})
	}},
	{"error inside a group", func(t *testing.T, a adapter) {
		// zap.Dict, zerolog's Dict, a slog group, a logrus map: an error
		// nested in a group is the event's exception all the same.
		e := newEnv(t, sentry.ClientOptions{})
		a.new(t, defaults()).log(e.ctx, levelError, "request failed",
			f("req", group{f("id", 7), f("err", &cardError{51})}))
		ev := e.oneEvent()
		eq(t, "exception types", types(ev), []string{"*conformance_test.cardError"})
		eq(t, "fingerprint", ev.Fingerprint, []string{"request failed", "*conformance_test.cardError", "card declined (<int>)"})
	}},
	{"tag allowlist", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults(), logsentry.WithTagKeys("request_id", "http.method"))
		l.log(e.ctx, levelError, "bad request", f("request_id", "r-1"), f("secretless", "x"),
			f("http", group{f("method", "POST"), f("status", 502)}))
		ev := e.oneEvent()
		eq(t, "request_id tag", ev.Tags["request_id"], "r-1")
		eq(t, "http.method tag", ev.Tags["http.method"], "POST")
		for _, k := range []string{"secretless", "http.status", "status"} {
			if _, ok := ev.Tags[k]; ok {
				t.Errorf("field %q became a tag", k)
			}
		}
	}},
	{"fingerprint override", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults())
		l.log(e.ctx, levelError, "quota exceeded", f("fingerprint", []string{"quota", "tenant-9"}))
		ev := e.oneEvent()
		eq(t, "per-record fingerprint", ev.Fingerprint, []string{"quota", "tenant-9"})
		if _, ok := attrs(ev)["fingerprint"]; ok {
			t.Error("fingerprint also kept as a field")
		}
		e2 := newEnv(t, sentry.ClientOptions{})
		l2 := a.new(t, defaults(), logsentry.WithFingerprint(func(r logsentry.Record) []string {
			return []string{"by-option", r.Message}
		}))
		l2.log(e2.ctx, levelError, "quota exceeded")
		eq(t, "option fingerprint", e2.oneEvent().Fingerprint, []string{"by-option", "quota exceeded"})
	}},
	{"user fields", func(t *testing.T, a adapter) {
		for _, pii := range []bool{false, true} {
			e := newEnv(t, sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(pii)}})
			a.new(t, defaults()).log(e.ctx, levelError, "forbidden",
				f("user", group{f("id", "u-42"), f("email", "ann@example.com")}))
			ev := e.oneEvent()
			eq(t, "user id", ev.User.ID, "u-42")
			want := ""
			if pii {
				want = "ann@example.com"
			}
			eq(t, fmt.Sprintf("user email (DataCollection.UserInfo=%v)", pii), ev.User.Email, want)
		}
	}},
	{"user as a struct", func(t *testing.T, a adapter) {
		// sentry.User (sentrylogrus's FieldUser), *sentry.User, a struct
		// or a map under "user" is the user, behind the same PII check,
		// in every output.
		const email, ip = "bo@example.com", "203.0.113.7"
		users := []any{
			sentry.User{ID: "u-7", Email: email, IPAddress: ip, Data: map[string]string{"plan": "pro"}},
			&sentry.User{ID: "u-7", Email: email, IPAddress: ip, Data: map[string]string{"plan": "pro"}},
			map[string]any{"id": "u-7", "email": email, "ip_address": ip, "plan": "pro"},
		}
		for i, u := range users {
			for _, pii := range []bool{false, true} {
				what := fmt.Sprintf("user %d (%T), DataCollection.UserInfo=%v", i, u, pii)
				e := newEnv(t, sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(pii)}})
				l := a.new(t, thresholds{levelError, levelInfo, levelInfo})
				l.log(e.ctx, levelInfo, "signed in", f("user", u))
				l.log(e.ctx, levelError, "checkout failed", f("user", u))
				e.flush()
				ev := e.rcv.WaitEvents(t, 1, 5*time.Second)[0]
				e.rcv.WaitLogs(t, 2, 10*time.Second)
				eq(t, what+": user id", ev.User.ID, "u-7")
				eq(t, what+": user data", ev.User.Data, map[string]string{"plan": "pro"})
				if _, ok := attrs(ev)["user"]; ok {
					t.Errorf("%s: user also kept as a field: %v", what, attrs(ev)["user"])
				}
				if pii {
					eq(t, what+": user email", ev.User.Email, email)
					eq(t, what+": user ip", ev.User.IPAddress, ip)
				} else {
					sentrytest.CheckNoSecret(t, e.rcv, email, ip)
				}
			}
		}
	}},
	{"below every threshold", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		a.new(t, defaults()).log(e.ctx, levelDebug, "noise", f("n", 1))
		a.new(t, thresholds{levelError, levelOff, levelOff}).log(e.ctx, levelWarn, "also noise")
		e.flush()
		if n := e.rcv.Requests(); n != 0 {
			t.Errorf("%d envelopes sent for records below every threshold", n)
		}
		e.hub.CaptureMessage("probe")
		e.flush()
		if crumbs := e.rcv.WaitEvents(t, 1, 5*time.Second)[0].Breadcrumbs; len(crumbs) != 0 {
			t.Errorf("breadcrumbs %+v left by records below every threshold", crumbs)
		}
	}},
	{"breadcrumbs then event", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults())
		l.log(e.ctx, levelInfo, "cart loaded", f("items", 3))
		l.log(e.ctx, levelWarn, "payment slow", f("ms", 900))
		l.log(e.ctx, levelError, "payment failed")
		ev := e.oneEvent()
		eq(t, "breadcrumbs", crumbSummary(ev.Breadcrumbs), []string{
			"default/" + a.name + "/info/cart loaded/items=3",
			"default/" + a.name + "/warning/payment slow/ms=900",
		})
		e.hub.CaptureMessage("later")
		e.flush()
		later := e.rcv.WaitEvents(t, 2, 5*time.Second)[1]
		if n := len(later.Breadcrumbs); n != 3 || later.Breadcrumbs[2].Message != "payment failed" || later.Breadcrumbs[2].Type != "error" {
			t.Errorf("a later event's breadcrumbs %v, want the error record last", crumbSummary(later.Breadcrumbs))
		}
	}},
	{"error logged again up the stack", func(t *testing.T, a adapter) {
		// A function logs an error and returns it wrapped; its caller logs
		// the wrapper: one issue per failure, the caller's record a
		// breadcrumb. Another request logging the same error value, and a
		// sentinel logged twice, are reported each time.
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults())
		errQuery := fmt.Errorf("query orders: %w", &cardError{51})
		req := breadcrumbs.WithTrail(e.ctx)
		l.log(req, levelError, "query failed", f("err", errQuery))
		l.log(req, levelError, "request failed", f("err", fmt.Errorf("handle: %w", errQuery)))
		l.log(req, levelError, "sentinel", f("err", errSentinel))
		l.log(req, levelError, "sentinel again", f("err", errSentinel))
		l.log(breadcrumbs.WithTrail(e.ctx), levelError, "other request", f("err", errQuery))
		e.flush()
		evs := e.rcv.WaitEvents(t, 4, 5*time.Second)
		var msgs []string
		for _, ev := range evs {
			msgs = append(msgs, ev.Message)
		}
		slices.Sort(msgs)
		eq(t, "events", msgs, []string{"other request", "query failed", "sentinel", "sentinel again"})
		for _, ev := range evs {
			if ev.Message == "sentinel" {
				eq(t, "breadcrumbs of the next event", crumbSummary(ev.Breadcrumbs)[1:], []string{
					"error/" + a.name + "/error/request failed/error=handle: query orders: card declined (51)",
				})
			}
		}
	}},
	{"error logged and captured by hand", func(t *testing.T, a adapter) {
		// Code written for sentry-go's integrations since v0.48 logs an
		// error and captures it by hand: on a trail, one event per
		// failure, whichever comes first. Another request capturing the
		// same error, and a sentinel, are reported each time.
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults())
		hubOf := sentry.GetHubFromContext
		req1, req2, req3 := breadcrumbs.WithTrail(e.ctx), breadcrumbs.WithTrail(e.ctx), breadcrumbs.WithTrail(e.ctx)
		err1 := fmt.Errorf("charge order 7: %w", &cardError{51})
		l.log(req1, levelError, "charge failed", f("err", err1))
		if id := hubOf(req1).CaptureException(err1); id != nil {
			t.Errorf("captured by hand after it was logged: event %s, want none", *id)
		}
		err2 := fmt.Errorf("charge order 8: %w", &cardError{52})
		if hubOf(req2).CaptureException(err2) == nil {
			t.Error("captured by hand first: no event")
		}
		l.log(req2, levelError, "request failed", f("err", fmt.Errorf("handle: %w", err2)))
		if hubOf(req3).CaptureException(err1) == nil {
			t.Error("another request's capture: no event")
		}
		l.log(req1, levelError, "sentinel", f("err", errSentinel))
		if hubOf(req1).CaptureException(errSentinel) == nil {
			t.Error("a sentinel captured by hand: no event")
		}
		e.flush()
		var got []string
		for _, ev := range e.rcv.WaitEvents(t, 5, 5*time.Second) {
			if ev.Message != "" {
				got = append(got, "logged: "+ev.Message)
			} else {
				got = append(got, "by hand: "+lastException(t, ev).Value)
			}
		}
		slices.Sort(got)
		eq(t, "events", got, []string{
			"by hand: charge order 7: card declined (51)", // req3
			"by hand: charge order 8: card declined (52)",
			"by hand: not found",
			"logged: charge failed",
			"logged: sentinel",
		})
	}},
	{"two concurrent requests", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults())
		var wg sync.WaitGroup
		for _, req := range []string{"A", "B"} {
			wg.Go(func() {
				ctx := breadcrumbs.WithTrail(e.ctx)
				for i := range 3 {
					l.log(ctx, levelInfo, fmt.Sprintf("req %s step %d", req, i))
				}
				l.log(ctx, levelError, "req "+req+" failed")
			})
		}
		wg.Wait()
		e.flush()
		for _, ev := range e.rcv.WaitEvents(t, 2, 5*time.Second) {
			req := strings.Fields(ev.Message)[1]
			if len(ev.Breadcrumbs) != 3 {
				t.Errorf("request %s: %d breadcrumbs, want its own 3: %v", req, len(ev.Breadcrumbs), crumbSummary(ev.Breadcrumbs))
			}
			for _, c := range ev.Breadcrumbs {
				if !strings.HasPrefix(c.Message, "req "+req+" ") {
					t.Errorf("request %s's event carries %q", req, c.Message)
				}
			}
		}
	}},
	{"sentry logs typed", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		a.new(t, thresholds{levelError, levelOff, levelInfo}).log(e.ctx, levelInfo, "audit: refund",
			f("amount", 1250), f("ratio", 0.5), f("manual", true), f("by", "ops"), f("http", group{f("status", 200)}))
		e.flush()
		logs := e.rcv.WaitLogs(t, 1, 10*time.Second)
		lg := logs[0]
		eq(t, "body", lg.Body, "audit: refund")
		eq(t, "level", lg.Level, "info")
		for k, typ := range map[string]string{"amount": "integer", "ratio": "double", "manual": "boolean", "by": "string", "http.status": "integer", "sentry.origin": "string"} {
			eq(t, "type of "+k, lg.Attributes[k].Type, typ)
		}
		eq(t, "origin", lg.Attributes["sentry.origin"].String(), "auto.log."+a.name)
		if n, _ := lg.Attributes["amount"].Int(); n != 1250 {
			t.Errorf("amount = %v, want 1250", lg.Attributes["amount"].Value)
		}
	}},
	{"maps, structs and lists", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, thresholds{levelError, levelInfo, levelInfo})
		fields := []field{
			f("cart", map[string]any{"items": 3, "total": 19.5}),
			f("order", order{ID: 7, Status: "paid"}),
			f("tags", []string{"a", "b"}),
			f("codes", []int{4, 5}),
		}
		l.log(e.ctx, levelInfo, "checkout", fields...)
		l.log(e.ctx, levelError, "checkout failed", fields...)
		e.flush()
		ev := e.rcv.WaitEvents(t, 1, 5*time.Second)[0]
		// Events keep values nested; breadcrumbs and logs flatten them to
		// dotted keys, as they do groups, with typed leaves.
		eq(t, "event attributes", attrs(ev), map[string]any{
			"cart":  map[string]any{"items": "3", "total": "19.5"},
			"order": map[string]any{"id": "7", "status": "paid"},
			"tags":  "[a b]", "codes": "[4 5]",
		})
		if len(ev.Breadcrumbs) != 1 {
			t.Fatalf("breadcrumbs %v, want one", crumbSummary(ev.Breadcrumbs))
		}
		eq(t, "breadcrumb", crumbSummary(ev.Breadcrumbs), []string{
			"default/" + a.name + "/info/checkout/cart.items=3/cart.total=19.5/codes=[4 5]/order.id=7/order.status=paid/tags=[a b]",
		})
		lg := sentrytest.LogByBody(t, e.rcv.WaitLogs(t, 2, 10*time.Second), "checkout")
		for k, want := range map[string]string{
			"cart.items": "integer 3", "cart.total": "double 19.5", "order.id": "integer 7",
			"order.status": `string "paid"`, "tags": `array ["a","b"]`, "codes": "array [4,5]",
		} {
			got, ok := lg.Attributes[k]
			v, _ := json.Marshal(got.Value)
			if !ok || got.Type+" "+string(v) != want {
				t.Errorf("log attribute %s = %s %s, want %s", k, got.Type, v, want)
			}
		}
		for _, k := range []string{"cart", "order"} {
			if _, ok := lg.Attributes[k]; ok {
				t.Errorf("log attribute %s kept whole besides its dotted keys", k)
			}
		}
	}},
	{"logger name", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		l := a.new(t, defaults()).named("billing")
		l.log(e.ctx, levelInfo, "invoice drafted")
		l.log(e.ctx, levelError, "invoice rejected")
		ev := e.oneEvent()
		eq(t, "logger", ev.Logger, "billing")
		if len(ev.Breadcrumbs) != 1 {
			t.Fatalf("breadcrumbs %v, want one", crumbSummary(ev.Breadcrumbs))
		}
		eq(t, "breadcrumb category", ev.Breadcrumbs[0].Category, "billing")
		if _, ok := attrs(ev)["logger"]; ok {
			t.Error("logger name also kept as a field")
		}
	}},
	{"secrets redacted", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
		l := a.new(t, thresholds{levelError, levelInfo, levelInfo})
		l.log(e.ctx, levelInfo, "login with Bearer "+jwt, f("password", "hunter2"), f("dsn", "postgres://app:s3cr3t-pw@db:5432/app"))
		l.log(e.ctx, levelError, "auth failed", f("err", fmt.Errorf("token %s rejected", jwt)),
			f("creds", group{f("api_key", "k-123456789")}))
		e.flush()
		e.rcv.WaitEvents(t, 1, 5*time.Second)
		e.rcv.WaitLogs(t, 2, 10*time.Second)
		sentrytest.CheckNoSecret(t, e.rcv, jwt, "hunter2", "s3cr3t-pw", "k-123456789")
		if !sentrytest.PayloadsContain(e.rcv, "[Filtered]") {
			t.Error("no [Filtered] placeholder sent")
		}
	}},
	{"hostile values", func(t *testing.T, a adapter) {
		e := newEnv(t, sentry.ClientOptions{})
		var nilErr *cardError
		a.new(t, defaults()).log(e.ctx, levelError, "bad \xff input",
			f("bad\xffkey", "bad\xffvalue"), f("nil", nilErr), f("huge", strings.Repeat("x", 1<<20)))
		ev := e.oneEvent()
		if len(ev.Raw) > 256<<10 {
			t.Errorf("event of %d bytes: a 1 MB field was not bounded", len(ev.Raw))
		}
		if !json.Valid(ev.Raw) {
			t.Error("event is not valid JSON")
		}
	}},
}

func TestConformance(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, a := range adapters {
				t.Run(a.name, func(t *testing.T) { sc.run(t, a) })
			}
		})
	}
}

// --- assertions -----------------------------------------------------------

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

// thisLine returns the line number of its caller.
func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

func lastException(t *testing.T, ev sentrytest.Event) sentrytest.Exception {
	t.Helper()
	if len(ev.Exception) == 0 {
		t.Fatalf("event %q has no exception", ev.Message)
	}
	ex := ev.Exception[len(ev.Exception)-1]
	if ex.Stacktrace == nil {
		ex.Stacktrace = &sentrytest.Stacktrace{}
	}
	return ex
}

func types(ev sentrytest.Event) []string { return typesOf(ev.Exception) }

func typesOf(ex []sentrytest.Exception) []string {
	out := make([]string, len(ex))
	for i, x := range ex {
		out[i] = x.Type
	}
	return out
}

func values(ev sentrytest.Event) []string {
	out := make([]string, len(ev.Exception))
	for i, x := range ev.Exception {
		out[i] = x.Value
	}
	return out
}

// attrs returns the event's "attributes" context with every number as its
// decimal text, so all four loggers compare alike.
func attrs(ev sentrytest.Event) map[string]any {
	return stringify(ev.Context("attributes")).(map[string]any)
}

func stringify(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = stringify(e)
		}
		return out
	case nil:
		return map[string]any{}
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func crumbSummary(bs []sentrytest.Breadcrumb) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(b.Data)) {
			kv = append(kv, fmt.Sprintf("%s=%v", k, b.Data[k]))
		}
		out[i] = strings.Join(append([]string{b.Type, b.Category, b.Level, b.Message}, kv...), "/")
	}
	return out
}

// callSiteFrames returns the call-site stack of a message event, which the
// bridge puts in the current thread.
func callSiteFrames(t *testing.T, ev sentrytest.Event) []sentrytest.Frame {
	t.Helper()
	var raw struct {
		Threads []struct {
			Stacktrace sentrytest.Stacktrace `json:"stacktrace"`
		} `json:"threads"`
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil || len(raw.Threads) == 0 {
		t.Fatalf("no thread stack in event (%v)", err)
	}
	return raw.Threads[0].Stacktrace.Frames
}

// checkTopFrame asserts that the top frame is the driver's logging call, the
// "user's line" of these tests, and that no frame of a logging library or of
// the bridge is shown.
func checkTopFrame(t *testing.T, frames []sentrytest.Frame, a adapter) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatal("no frames")
	}
	top := frames[len(frames)-1]
	if top.Module != thisPkg || !strings.HasSuffix(top.Function, "Logger.log") {
		t.Errorf("top frame %s.%s (%s:%d), want %sLogger.log", top.Module, top.Function, top.AbsPath, top.Lineno, a.name)
	}
	for _, fr := range frames {
		for _, bad := range []string{"log/slog", "go.uber.org/zap", "github.com/sirupsen/logrus", "github.com/rs/zerolog", "github.com/logsentry/logsentry/"} {
			if fr.Module != thisPkg && strings.HasPrefix(fr.Module+"/", bad) {
				t.Errorf("frame of %s shown: %s.%s", bad, fr.Module, fr.Function)
			}
		}
	}
}
