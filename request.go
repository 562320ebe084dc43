package logsentry

import (
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/getsentry/sentry-go"
)

// maxRequest bounds the JSON size of an event's request: its URL, query,
// cookies and headers. Servers take up to 1 MB of headers by default.
const maxRequest = 16 << 10

// eventRequest is the request of an event whose record holds an
// *http.Request: [sentry.NewRequest] made with the client of the event (the
// SDK's reads the current hub's) and its DataCollection, which decides on
// cookies, headers, the query and the client's address, then redacted and
// bounded as every other part of the event. Headers that carry the client's
// address or identity are filtered unless user information is allowed.
// The body is never read.
func (b *Bridge) eventRequest(r *http.Request, client *sentry.Client) *sentry.Request {
	dc := client.GetDataCollection()
	budget := jsonBudget{left: maxRequest}
	fit := func(key, s string) string {
		if v, ok := budget.fit(key, slog.StringValue(b.str(s))); ok {
			return v.String()
		}
		return ""
	}
	req := &sentry.Request{
		Method: fit("method", r.Method),
		URL:    fit("url", requestURL(r)),
	}
	if r.URL != nil {
		req.QueryString = fit("query_string", dc.FilterQueryString(r.URL.RawQuery))
	}
	headers := make(map[string]string, len(r.Header)+1)
	if dc.CollectCookies() {
		if c := dc.FilterCookies(r.Header.Values("Cookie")); c != "" {
			headers["Cookie"] = c
		}
	}
	for k, v := range r.Header {
		if !strings.EqualFold(k, "Cookie") {
			headers[k] = strings.Join(v, ",")
		}
	}
	headers["Host"] = r.Host
	headers = dc.FilterRequestHeaders(headers)
	userInfo := allowsUserInfo(client)
	req.Headers = make(map[string]string, len(headers))
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		v := headers[k]
		// Cookie is on the bridge's list of sensitive keys, but the SDK
		// has filtered it cookie by cookie, as DataCollection says.
		if b.sensitive(k) && !strings.EqualFold(k, "Cookie") || !userInfo && userHeader(k) {
			v = filtered
		}
		if v, ok := budget.fit(k, slog.StringValue(b.str(v))); ok {
			req.Headers[k] = v.String()
		}
	}
	if budget.dropped > 0 {
		req.Headers[truncatedFields] = droppedNote(budget.dropped)
	}
	if c, ok := req.Headers["Cookie"]; ok {
		req.Cookies = c
	}
	if userInfo {
		if addr, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			req.Env = map[string]string{"REMOTE_ADDR": addr, "REMOTE_PORT": port}
		}
	}
	return req
}

// userHeader reports whether the header k carries the client's address or
// identity (X-Forwarded-For, X-Real-Ip, Via, X-Remote-User, ...): the
// terms the SDK filters when SendDefaultPII is off, applied here whenever
// user information is not allowed, DataCollection set or not.
func userHeader(k string) bool {
	k = strings.ToLower(k)
	for _, term := range []string{"forwarded", "-ip", "remote-", "via", "-user"} {
		if strings.Contains(k, term) {
			return true
		}
	}
	return false
}

// requestURL is the URL of r as Sentry shows it: scheme, host and path,
// without the query.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	path := ""
	if r.URL != nil {
		path = r.URL.Path
	}
	return scheme + "://" + r.Host + path
}

// requestSummary is the field value of an *http.Request: its method, URL
// (without the query) and the pattern that routed it; never its headers,
// body or client address.
func (c *converter) requestSummary(r *http.Request) any {
	m := map[string]any{"method": c.str(r.Method), "url": c.str(requestURL(r))}
	if r.Pattern != "" {
		m["pattern"] = c.str(r.Pattern)
	}
	return m
}
