package logsentry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

// checkoutRequest is a request as a handler sees it, with credentials in
// its headers, cookies and query, and the client's address.
func checkoutRequest() *http.Request {
	r := httptest.NewRequest("POST", "https://shop.example/checkout?step=2&token=q-secret-77", nil)
	r.Header.Set("Authorization", "Bearer h-secret-55")
	r.Header.Set("Cookie", "session=c-secret-66; theme=dark")
	r.Header.Set("X-Forwarded-For", "198.51.100.23")
	r.Header.Set("User-Agent", "shop-app/1.2")
	r.RemoteAddr = "203.0.113.9:5555"
	r.Pattern = "POST /checkout"
	return r
}

// TestEventRequest: an *http.Request field fills the event's request, as
// the SDK's own request does for the client's DataCollection (stricter:
// headers with the client's address are filtered whenever user
// information is not allowed), and is a field only as its method, URL and
// pattern: no header, cookie or address in contexts, breadcrumbs or logs.
func TestEventRequest(t *testing.T) {
	tests := []struct {
		name     string
		opts     sentry.ClientOptions
		userInfo bool
	}{
		{"default", sentry.ClientOptions{}, false},
		{"UserInfo=false", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(false)}}, false},
		{"UserInfo=true", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub := sentrytest.NewReceiverHub(t, tt.opts)
			b := logsentry.New(logsentry.WithHub(hub), noRate, logsentry.WithLogSeverity(logsentry.SeverityInfo))
			req := checkoutRequest()
			for _, r := range []logsentry.Record{
				{Severity: logsentry.SeverityInfo, Message: "checkout", Attrs: []slog.Attr{slog.Any("req", req)}},
				{Severity: logsentry.SeverityError, Message: "checkout failed", Attrs: []slog.Attr{slog.Any("req", req)}},
			} {
				b.Emit(context.Background(), r)
			}
			sentrytest.Flush(t, hub)
			ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "checkout failed")
			logs := rcv.WaitLogs(t, 2, waitFor)

			got := ev.Request
			if got["method"] != "POST" || got["url"] != "https://shop.example/checkout" {
				t.Errorf("request method %v url %v", got["method"], got["url"])
			}
			headers, _ := got["headers"].(map[string]any)
			if headers["User-Agent"] != "shop-app/1.2" || headers["Authorization"] != "[Filtered]" {
				t.Errorf("request headers %v", headers)
			}
			env, _ := got["env"].(map[string]any)
			wantXFF := "[Filtered]"
			if tt.userInfo {
				wantXFF = "198.51.100.23"
				if env["REMOTE_ADDR"] != "203.0.113.9" {
					t.Errorf("request env %v, want the client's address", env)
				}
			} else {
				if env != nil {
					t.Errorf("request env %v without user information allowed", env)
				}
				sentrytest.CheckNoSecret(t, rcv, "198.51.100.23", "203.0.113.9")
			}
			// Cookies as DataCollection says: none by default (SendDefaultPII
			// off), else each one, the sensitive ones filtered.
			cookies, _ := got["cookies"].(string)
			list := strings.Split(cookies, "; ")
			slices.Sort(list)
			want := "session=[Filtered] theme=dark"
			if tt.opts.DataCollection == nil {
				want = ""
			}
			if strings.Join(list, " ") != want {
				t.Errorf("cookies = %q, want %s", cookies, want)
			}
			if headers["X-Forwarded-For"] != wantXFF {
				t.Errorf("X-Forwarded-For = %v, want %s", headers["X-Forwarded-For"], wantXFF)
			}
			sentrytest.CheckNoSecret(t, rcv, "h-secret-55", "c-secret-66", "q-secret-77")

			summary := map[string]any{"method": "POST", "url": "https://shop.example/checkout", "pattern": "POST /checkout"}
			if a := ev.Contexts["attributes"]["req"]; fmt.Sprint(a) != fmt.Sprint(summary) {
				t.Errorf("attributes.req = %v, want %v", a, summary)
			}
			if len(ev.Breadcrumbs) != 1 || fmt.Sprint(ev.Breadcrumbs[0].Data) != fmt.Sprint(map[string]any{
				"req.method": "POST", "req.url": "https://shop.example/checkout", "req.pattern": "POST /checkout",
			}) {
				t.Errorf("breadcrumbs %+v, want the request's summary", ev.Breadcrumbs)
			}
			for _, l := range logs {
				for k := range l.Attributes {
					if strings.HasPrefix(k, "req.") && k != "req.method" && k != "req.url" && k != "req.pattern" {
						t.Errorf("log attribute %s", k)
					}
				}
			}
		})
	}
}

// TestEventRequestBounds: a request's headers take at most about 16 KB of
// the event; the rest are counted.
func TestEventRequestBounds(t *testing.T) {
	req := checkoutRequest()
	for i := range 3000 {
		req.Header.Set(fmt.Sprintf("X-Big-%04d", i), strings.Repeat("<", 100))
	}
	ev := capture(t, sentry.ClientOptions{}, nil, logsentry.Record{
		Severity: logsentry.SeverityError, Message: "huge request", Attrs: []slog.Attr{slog.Any("req", req)},
	})[0]
	raw, _ := json.Marshal(ev.Request)
	if len(raw) > 16<<10+512 {
		t.Errorf("request of %d bytes of JSON, want about 16 KB", len(raw))
	}
	headers, _ := ev.Request["headers"].(map[string]any)
	if note, _ := headers["[truncated]"].(string); !strings.HasSuffix(note, "more fields") {
		t.Errorf("headers' [truncated] = %v, want a count", headers["[truncated]"])
	}
}

// TestEventRequestKeepsScopeRequest: when the hub's scope already holds the
// request (sentryhttp sets it, with the body it buffered), the event keeps
// the scope's request, body included, rather than the field's.
func TestEventRequestKeepsScopeRequest(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{
		DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(false)},
	})
	req := checkoutRequest()
	req.Header.Set("Content-Type", "application/json")
	hub.Scope().SetRequest(req)
	hub.Scope().SetRequestBody([]byte(`{"sku":"A-1","qty":2}`))
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "checkout failed", Attrs: []slog.Attr{slog.Any("req", req)}})
	sentrytest.Flush(t, hub)
	ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "checkout failed")
	if data, _ := json.Marshal(ev.Request["data"]); !strings.Contains(string(data), "A-1") {
		t.Errorf("request data = %s, want the scope's buffered body", data)
	}
	if ev.Request["url"] != "https://shop.example/checkout" {
		t.Errorf("request url = %v", ev.Request["url"])
	}
}

// TestRequestFieldSummary: a request inside another value, embedded in a
// struct, in a map or a group, is a field only as its summary.
func TestRequestFieldSummary(t *testing.T) {
	type handlerCtx struct {
		*http.Request
		Route string
	}
	req := checkoutRequest()
	ev := capture(t, sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)}}, nil, logsentry.Record{
		Severity: logsentry.SeverityError, Message: "nested",
		Attrs: []slog.Attr{
			slog.Any("h", handlerCtx{Request: req, Route: "checkout"}),
			slog.Any("m", map[string]any{"req": req}),
			slog.Group("g", slog.Any("req", req)),
		},
	})[0]
	raw, _ := json.Marshal(ev.Contexts["attributes"])
	for _, leak := range []string{"198.51.100.23", "203.0.113.9", "shop-app", "Header", "RemoteAddr"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("attributes carry %q: %s", leak, raw)
		}
	}
	if n := strings.Count(string(raw), `"url":"https://shop.example/checkout"`); n != 3 {
		t.Errorf("%d request summaries in %s, want 3", n, raw)
	}
}
