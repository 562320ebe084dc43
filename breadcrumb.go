package logsentry

import (
	"log/slog"
	"strconv"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/breadcrumbs"
)

// A breadcrumb's bounds. An event carries up to the client's
// MaxBreadcrumbs of them (100 by default), and Sentry rejects an event of
// more than 1 MB whole, losing the error it reports: a request that logs a
// 16 KB body on each of its info lines must not cost it its error event.
// 100 breadcrumbs of at most about 5 KB each leave half of that megabyte to
// the event's own data.
const (
	maxCrumbMessage = 1 << 10 // bytes of the message, as JSON
	maxCrumbData    = 4 << 10 // bytes of the data's keys and values, as JSON
)

// truncatedFields is the data key that, when a breadcrumb's data is full,
// says how many fields were left out.
const truncatedFields = "[truncated]"

func (b *Bridge) addBreadcrumb(hub *sentry.Hub, r *Record, n *normalized) {
	var data map[string]any
	if len(n.fields) > 0 || n.err != nil {
		size := len(n.fields)
		if n.err != nil {
			size++
		}
		d := crumbData{m: make(map[string]any, size), jsonBudget: jsonBudget{left: maxCrumbData}}
		var errText string
		if n.err != nil {
			// Its room is kept first; it is set last, over a field of
			// the same key.
			errText = truncateJSON(b.str(b.errorText(n.err)), maxCrumbData/2)
			d.left -= jsonStringLen(errText) + len(`"error":,`)
		}
		n.flatFields(d.add)
		if n.err != nil {
			d.m["error"] = errText
		}
		if d.dropped > 0 {
			d.m[truncatedFields] = droppedNote(d.dropped)
		}
		data = d.m
	}
	msg := truncateJSON(n.message, maxCrumbMessage)
	hub.AddBreadcrumb(breadcrumbs.New(r.Severity.SentryLevel(), n.logger, msg, data, jsonTime(r.Time)), nil)
}

// crumbData fills a breadcrumb's data within maxCrumbData bytes of JSON.
type crumbData struct {
	m map[string]any
	jsonBudget
}

func (d *crumbData) add(key string, v slog.Value) {
	if v, ok := d.fit(key, v); ok {
		d.m[key] = v.Any()
	}
}

// jsonBudget bounds the JSON size of a set of fields: strings are cut to
// what is left, a list or map that does not fit becomes the truncation
// mark, and once nothing is left the remaining fields are only counted.
type jsonBudget struct {
	left    int // bytes of JSON left
	dropped int // fields left out
}

// fit returns v, cut to what is left, as the value of key, and spends its
// size; ok is false, and the field counted as dropped, when nothing is
// left.
func (b *jsonBudget) fit(key string, v slog.Value) (_ slog.Value, ok bool) {
	if b.left <= 0 {
		b.dropped++
		return slog.Value{}, false
	}
	k := jsonStringLen(key) + 2 // colon, comma
	if k >= b.left {            // not even the key fits (a path of many long group names)
		b.dropped++
		return slog.Value{}, false
	}
	b.left -= k
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		size := jsonStringLen(s)
		if size > b.left {
			s = truncateJSON(s, b.left-2)
			v, size = slog.StringValue(s), jsonStringLen(s)
		}
		b.left -= size
		return v, true
	case slog.KindAny:
		if size := jsonSize(v.Any(), b.left); size <= b.left {
			b.left -= size
			return v, true
		}
		b.left -= jsonStringLen(truncatedMark)
		return slog.StringValue(truncatedMark), true
	default: // a number or a boolean
		b.left -= maxNumberLen
		return v, true
	}
}

// maxNumberLen is the longest JSON text of a number or boolean field value
// (-1.2345678901234567e-308).
const maxNumberLen = 24

// droppedNote is the value of the truncatedFields key for n fields left
// out.
func droppedNote(n int) string { return strconv.Itoa(n) + " more fields" }

// jsonSize estimates the length of x's JSON encoding, for the values a
// field holds (see [field]); past limit it stops and returns more than
// limit. Numbers count as their longest form.
func jsonSize(x any, limit int) int {
	switch x := x.(type) {
	case nil:
		return 4
	case string:
		return jsonStringLen(x)
	case []any:
		n := 2
		for _, e := range x {
			if n += jsonSize(e, limit-n) + 1; n > limit {
				return n
			}
		}
		return n
	case map[string]any:
		n := 2
		for k, e := range x {
			if n += jsonStringLen(k) + 2 + jsonSize(e, limit-n); n > limit {
				return n
			}
		}
		return n
	default: // bool, int64, uint64, float64
		return maxNumberLen
	}
}
