package logsentry

import (
	"log/slog"
	"strconv"
)

// Size budgets, counted as JSON: Sentry rejects an event of more than 1 MB
// whole (see the bounds in breadcrumb.go, event.go, exception.go, log.go
// and normalize.go).

// truncatedFields is the key that, when a budget is spent (breadcrumb data,
// event fields, log fields, user data), says how many fields were left out.
const truncatedFields = "[truncated]"

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

// jsonEscapeExtra[c] is how many more bytes than one encoding/json writes
// for the byte c in a string: 1 for '"' and '\\' and the short escapes of
// '\n', '\r', '\t', '\b' and '\f', 5 for the other control bytes and for '<', '>' and
// '&', which it writes as \u00XX (sentry-go encodes with json.Marshal).
var jsonEscapeExtra = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = 5
	}
	t['\n'], t['\r'], t['\t'], t['\b'], t['\f'] = 1, 1, 1, 1, 1
	t['"'], t['\\'] = 1, 1
	t['<'], t['>'], t['&'] = 5, 5, 5
	return t
}()

// jsonStringLen returns the length of s encoded as a JSON string by
// encoding/json, quotes included.
func jsonStringLen(s string) int { return jsonLen(s) }

// jsonLen is jsonStringLen for a string or its bytes.
func jsonLen[S string | []byte](s S) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		c := s[i]
		n += int(jsonEscapeExtra[c])
		if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			n += 3 // U+2028 and U+2029 become \u2028 and \u2029
		}
	}
	return n
}

// truncateJSON is truncate for a budget of n bytes of JSON: the part of s
// kept encodes, without its quotes, in at most n bytes.
func truncateJSON(s string, n int) string {
	if len(s)*6 <= n || len(s) <= n && jsonStringLen(s)-2 <= n {
		return s // short enough whatever it holds, or measured
	}
	used := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		cost := 1 + int(jsonEscapeExtra[c])
		if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			cost += 3
		}
		if used+cost > n {
			return truncate(s, i) // i <= n < len(s): cut at i, at a rune start
		}
		used += cost
	}
	return s
}
