package zerologsentry

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/rs/zerolog"
)

// This file tests the parser as a pure function; the tests beside it send
// the same kinds of lines through a real client to a receiver.

func TestParseLine(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100)
	deepArr := strings.Repeat(`[`, 100) + `1` + strings.Repeat(`]`, 100)
	tests := []struct {
		name  string
		in    string
		msg   string
		level string
		err   string
		attrs string // slog's text form of the attrs
		check func(t *testing.T, attrs []slog.Attr)
	}{
		{name: "empty object", in: `{}`},
		{name: "whitespace and newline", in: " \t{ \"a\" : 1 , \"b\" : \"x\" }\n", attrs: "[a=1 b=x]"},
		{name: "message level error", in: `{"level":"error","error":"boom","message":"failed"}`,
			msg: "failed", level: "error", err: "boom", attrs: "[]"},
		{name: "integers", in: `{"one":1,"neg":-1,"zero":0,"negzero":-0}`, check: func(t *testing.T, a []slog.Attr) {
			want := []slog.Value{slog.Int64Value(1), slog.Int64Value(-1), slog.Int64Value(0), slog.Int64Value(0)}
			for i, w := range want {
				if !a[i].Value.Equal(w) {
					t.Errorf("%s = %v (%v), want %v", a[i].Key, a[i].Value, a[i].Value.Kind(), w)
				}
			}
		}},
		{name: "integer limits", in: `{"maxi":9223372036854775807,"mini":-9223372036854775808,"over":9223372036854775808,"maxu":18446744073709551615,"big":18446744073709551616,"negbig":-9223372036854775809}`,
			check: func(t *testing.T, a []slog.Attr) {
				want := []slog.Value{
					slog.Int64Value(math.MaxInt64), slog.Int64Value(math.MinInt64),
					slog.Uint64Value(1 << 63), slog.Uint64Value(math.MaxUint64),
					slog.StringValue("18446744073709551616"), slog.StringValue("-9223372036854775809"),
				}
				for i, w := range want {
					if !a[i].Value.Equal(w) {
						t.Errorf("%s = %v (%v), want %v (%v)", a[i].Key, a[i].Value, a[i].Value.Kind(), w, w.Kind())
					}
				}
			}},
		{name: "floats", in: `{"f":1.5,"e":1e3,"neg":-2.5E-3,"huge":1e400,"tiny":1e-400}`, check: func(t *testing.T, a []slog.Attr) {
			want := []slog.Value{slog.Float64Value(1.5), slog.Float64Value(1000), slog.Float64Value(-0.0025),
				slog.StringValue("1e400"), slog.Float64Value(0)}
			for i, w := range want {
				if !a[i].Value.Equal(w) {
					t.Errorf("%s = %v (%v), want %v (%v)", a[i].Key, a[i].Value, a[i].Value.Kind(), w, w.Kind())
				}
			}
		}},
		{name: "escapes", in: `{"s":"q\" b\\ s\/ \b\f\n\r\t end"}`, check: func(t *testing.T, a []slog.Attr) {
			if got := a[0].Value.String(); got != "q\" b\\ s/ \b\f\n\r\t end" {
				t.Errorf("s = %q", got)
			}
		}},
		{name: "unicode escapes", in: `{"e":"caf\u00e9","smile":"\ud83d\ude00","raw":"été 😀","caf\u00e9":1}`, check: func(t *testing.T, a []slog.Attr) {
			if a[0].Value.String() != "café" || a[1].Value.String() != "😀" || a[2].Value.String() != "été 😀" || a[3].Key != "café" {
				t.Errorf("attrs = %q", a)
			}
		}},
		{name: "lone surrogates", in: `{"hi":"a\ud83db","lo":"\ude00","pair then bad":"\ud83d\u0041"}`, check: func(t *testing.T, a []slog.Attr) {
			if a[0].Value.String() != "a\uFFFDb" || a[1].Value.String() != "\uFFFD" || a[2].Value.String() != "\uFFFDA" {
				t.Errorf("attrs = %q", a)
			}
		}},
		{name: "invalid UTF-8", in: "{\"b\":\"ok \xff\xfe end\",\"k\xc3\":1}", check: func(t *testing.T, a []slog.Attr) {
			if a[0].Value.String() != "ok \uFFFD\uFFFD end" || a[1].Key != "k\uFFFD" {
				t.Errorf("attrs = %q", a)
			}
		}},
		{name: "literals", in: `{"t":true,"f":false,"n":null}`, check: func(t *testing.T, a []slog.Attr) {
			if !a[0].Value.Equal(slog.BoolValue(true)) || !a[1].Value.Equal(slog.BoolValue(false)) || a[2].Value.Any() != nil {
				t.Errorf("attrs = %v", a)
			}
		}},
		{name: "nested object", in: `{"http":{"method":"GET","status":200,"req":{"id":"r1"}}}`, attrs: "[http=[method=GET status=200 req=[id=r1]]]"},
		{name: "empty nested object kept", in: `{"meta":{}}`, attrs: "[meta=map[]]"},
		{name: "arrays", in: `{"a":[1,"x",true,null,1.5,[],{"k":18446744073709551615}],"e":[]}`, check: func(t *testing.T, a []slog.Attr) {
			arr, ok := a[0].Value.Any().([]any)
			if !ok || len(arr) != 7 {
				t.Fatalf("a = %#v", a[0].Value.Any())
			}
			if arr[0] != int64(1) || arr[1] != "x" || arr[2] != true || arr[3] != nil || arr[4] != 1.5 {
				t.Errorf("a = %#v", arr)
			}
			if m := arr[6].(map[string]any); m["k"] != uint64(math.MaxUint64) {
				t.Errorf("a[6] = %#v", arr[6])
			}
			if e, ok := a[1].Value.Any().([]any); !ok || len(e) != 0 {
				t.Errorf("e = %#v", a[1].Value.Any())
			}
		}},
		{name: "deep object bounded", in: `{"d":` + deep + `}`, check: func(t *testing.T, a []slog.Attr) {
			depth, v := 0, a[0].Value
			for v.Kind() == slog.KindGroup {
				depth++
				v = v.Group()[0].Value
			}
			if depth != maxNesting || v.Kind() != slog.KindString || !strings.HasPrefix(v.String(), `{"a":{"a":`) {
				t.Errorf("depth %d, leaf %v %.40q", depth, v.Kind(), v.String())
			}
		}},
		{name: "deep array bounded", in: `{"d":` + deepArr + `}`, check: func(t *testing.T, a []slog.Attr) {
			depth, v := 0, a[0].Value.Any()
			for {
				arr, ok := v.([]any)
				if !ok {
					break
				}
				depth++
				v = arr[0]
			}
			if s, ok := v.(string); depth != maxNesting || !ok || !strings.HasPrefix(s, "[[[") {
				t.Errorf("depth %d, leaf %#v", depth, v)
			}
		}},
		{name: "duplicate keys kept in order", in: `{"a":1,"a":2}`, attrs: "[a=1 a=2]"},
		{name: "non-string message stays a field", in: `{"message":42,"level":7}`, attrs: "[message=42 level=7]"},
		{name: "error object stays a field", in: `{"error":{"code":5}}`, attrs: "[error=[code=5]]"},
		{name: "correlation field removed", in: `{"a":1,"logsentry_id":99,"message":"m"}`, msg: "m", attrs: "[a=1]"},
		{name: "correlation field that is not a number stays", in: `{"logsentry_id":"x"}`, attrs: "[logsentry_id=x]"},
		{name: "unparseable time stays a field", in: `{"time":"yesterday"}`, attrs: "[time=yesterday]"},
		{name: "caller stays a field", in: `{"caller":"/src/main.go:12"}`, attrs: "[caller=/src/main.go:12]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := parseLine([]byte(tt.in), nil)
			if !l.complete {
				t.Fatalf("incomplete parse of %q", tt.in)
			}
			if l.message != tt.msg || l.level != tt.level || l.errText != tt.err {
				t.Errorf("message %q level %q error %q, want %q %q %q", l.message, l.level, l.errText, tt.msg, tt.level, tt.err)
			}
			if tt.attrs != "" {
				if got := attrsString(l.attrs); got != tt.attrs {
					t.Errorf("attrs = %s, want %s", got, tt.attrs)
				}
			}
			if tt.check != nil {
				tt.check(t, l.attrs)
			}
		})
	}
}

func attrsString(a []slog.Attr) string {
	parts := make([]string, len(a))
	for i := range a {
		parts[i] = a[i].String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestParseLineInvalid(t *testing.T) {
	for _, in := range []string{
		``, `x`, `[1]`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{a:1}`,
		`{"a":tru}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"open`,
		`{"a":[1,}`, `{"a":{"b":1}`, `{"a":01x}`,
	} {
		t.Run(in, func(t *testing.T) {
			if l := parseLine([]byte(in), nil); l.complete {
				t.Errorf("parsed %q as complete: %v", in, l.attrs)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	setLocal(t, time.UTC) // the zone of a layout without one
	ref := time.Date(2026, 11, 22, 4, 14, 39, 123456789, time.UTC)
	tests := []struct {
		name   string
		format string
		v      slog.Value
		want   time.Time
	}{
		{"RFC3339", time.RFC3339, slog.StringValue("2026-11-22T04:14:39Z"), ref.Truncate(time.Second)},
		{"RFC3339 with fraction", time.RFC3339, slog.StringValue("2026-11-22T04:14:39.123456789Z"), ref},
		{"RFC3339Nano", time.RFC3339Nano, slog.StringValue(ref.Format(time.RFC3339Nano)), ref},
		{"custom layout", "2006-01-02 15:04:05", slog.StringValue("2026-11-22 04:14:39"), ref.Truncate(time.Second)},
		{"unix seconds", zerolog.TimeFormatUnix, slog.Int64Value(ref.Unix()), ref.Truncate(time.Second)},
		{"unix float seconds", zerolog.TimeFormatUnix, slog.Float64Value(float64(ref.Unix()) + 0.5), ref.Truncate(time.Second).Add(500 * time.Millisecond)},
		{"unix ms", zerolog.TimeFormatUnixMs, slog.Int64Value(ref.UnixMilli()), ref.Truncate(time.Millisecond)},
		{"unix micro", zerolog.TimeFormatUnixMicro, slog.Int64Value(ref.UnixMicro()), ref.Truncate(time.Microsecond)},
		{"unix nano", zerolog.TimeFormatUnixNano, slog.Int64Value(ref.UnixNano()), ref},
		{"unix format, RFC3339 string", zerolog.TimeFormatUnixMs, slog.StringValue("2026-11-22T04:14:39Z"), ref.Truncate(time.Second)},
		{"layout, number as seconds", time.RFC3339, slog.Int64Value(ref.Unix()), ref.Truncate(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseTime(tt.v, tt.format)
			if !ok || !got.Equal(tt.want) {
				t.Errorf("parseTime(%v, %q) = %v, %v; want %v", tt.v, tt.format, got, ok, tt.want)
			}
		})
	}
	for _, v := range []slog.Value{slog.StringValue("nope"), slog.BoolValue(true), slog.Uint64Value(math.MaxUint64), slog.Float64Value(math.Inf(1))} {
		if _, ok := parseTime(v, time.RFC3339); ok {
			t.Errorf("parseTime(%v) succeeded", v)
		}
	}
	// 2^63 ns overflows int64: no time, not one in 1677.
	if got, ok := parseTime(slog.Float64Value(1<<63), zerolog.TimeFormatUnixNano); ok {
		t.Errorf("parseTime(2^63 ns) = %v, want no time", got)
	}
}

func TestLineLevel(t *testing.T) {
	tests := []struct {
		in   string
		want zerolog.Level
	}{
		{`{"level":"trace"}`, zerolog.TraceLevel},
		{`{"level":"debug"}`, zerolog.DebugLevel},
		{`{"a":{"level":"error"},"level":"info"}`, zerolog.InfoLevel},
		{`{"a":"\"level\":\"error\"","level":"warn"}`, zerolog.WarnLevel},
		{`{"level":"ERROR"}`, zerolog.ErrorLevel},
		{`{"level":"fatal"}`, zerolog.FatalLevel},
		{`{"level":"panic"}`, zerolog.PanicLevel},
		{`{"level":"-3"}`, zerolog.Level(-3)},
		{`{"level":"loud"}`, zerolog.NoLevel},
		{`{"level":5}`, zerolog.NoLevel},
		{`{"message":"no level"}`, zerolog.NoLevel},
		{`not json`, zerolog.NoLevel},
	}
	for _, tt := range tests {
		if got := lineLevel([]byte(tt.in)); got != tt.want {
			t.Errorf("lineLevel(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStripCorrelation(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1,"logsentry_id":5,"message":"m"}` + "\n", `{"a":1,"message":"m"}` + "\n"},
		{`{"logsentry_id":5,"message":"m"}`, `{"message":"m"}`},
		{`{"a":1,"logsentry_id":5}`, `{"a":1}`},
		{`{"logsentry_id":5}`, `{}`},
		{`{"a":{"logsentry_id":5},"b":"\"logsentry_id\":1"}`, `{"a":{"logsentry_id":5},"b":"\"logsentry_id\":1"}`},
		{`{"message":"m"}`, `{"message":"m"}`},
		{`{ "a" : 1 , "logsentry_id" : 5 , "message":"m"}`, `{ "a" : 1  , "message":"m"}`},
		{`{ "logsentry_id" : 5 , "message":"m"}`, `{  "message":"m"}`},
		{`{"a":[{"logsentry_id":1}],"logsentry_id":7}`, `{"a":[{"logsentry_id":1}]}`},
	}
	for _, tt := range tests {
		got, buf := stripCorrelation([]byte(tt.in))
		if string(got) != tt.want {
			t.Errorf("stripCorrelation(%s) = %s, want %s", tt.in, got, tt.want)
		}
		putLineBuf(buf)

		// Tee's other way: the member where parseLine found it.
		l := parseLine([]byte(tt.in), nil)
		got, buf = []byte(tt.in), nil
		if l.idEnd > 0 {
			got, buf = cutMember([]byte(tt.in), l.idMember, l.idEnd)
		}
		if string(got) != tt.want {
			t.Errorf("cut of parsed %s = %s, want %s", tt.in, got, tt.want)
		}
		putLineBuf(buf)
	}
}

func TestRecentErrors(t *testing.T) {
	e1, e2 := &testError{"same"}, &testError{"same"}
	ErrorMarshalFunc(e1)
	ErrorMarshalFunc(e2)
	if got := recallError("same"); got != e2 {
		t.Errorf("first recall = %p, want the newest %p", got, e2)
	}
	if got := recallError("same"); got != e1 {
		t.Errorf("second recall = %p, want %p", got, e1)
	}
	if got := recallError("same"); got != nil {
		t.Errorf("third recall = %v, want nil", got)
	}
	for i := range recentErrorsSize + 1 {
		ErrorMarshalFunc(&testError{strings.Repeat("x", i+1)})
	}
	if got := recallError("x"); got != nil {
		t.Errorf("the oldest error was not forgotten: %v", got)
	}
	if got := recallError("xx"); got == nil {
		t.Errorf("a recent error was forgotten")
	}
}

type testError struct{ s string }

func (e *testError) Error() string { return e.s }

// FuzzParseLine compares the parser with encoding/json: for any valid JSON
// object, every top-level field other than zerolog's special ones has the
// value encoding/json decodes, numbers typed by the parser's rules.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":-1,"c":1.5,"d":1e400,"e":18446744073709551615,"f":9223372036854775808,"g":-9223372036854775809}`,
		`{"s":"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x"}`,
		"{\"k\xff\":\"v\xc3\"}",
		`{"o":{"a":[1,{"b":null}],"a":{}},"t":true,"n":null}`,
		`{"message":"m","level":"info","time":"x","error":"e","logsentry_id":3}`,
	} {
		f.Add([]byte(s))
	}
	names := currentFieldNames()
	special := map[string]bool{names.message: true, names.level: true, names.time: true, names.err: true, CorrelationFieldName: true}
	f.Fuzz(func(t *testing.T, p []byte) {
		l := parseLine(p, nil) // must not panic
		if !json.Valid(p) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.UseNumber()
		var ref any
		if err := dec.Decode(&ref); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		obj, isObj := ref.(map[string]any)
		if !isObj {
			if l.complete {
				t.Fatalf("parsed the non-object %q as complete", p)
			}
			return
		}
		if !l.complete {
			t.Fatalf("valid object %q not parsed", p)
		}
		got := map[string]any{}
		for _, a := range l.attrs {
			got[a.Key] = plainValue(a.Value)
		}
		for k, v := range obj {
			if special[k] || jsonDepth(v) >= maxNesting {
				continue
			}
			if want := normalize(v); !reflect.DeepEqual(got[k], want) {
				t.Errorf("%q = %#v, encoding/json gives %#v", k, got[k], want)
			}
		}
	})
}

// plainValue turns a parsed value into plain Go values: groups into maps
// (the last duplicate winning, as encoding/json does).
func plainValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindGroup:
		m := map[string]any{}
		for _, a := range v.Group() {
			m[a.Key] = plainValue(a.Value)
		}
		return m
	case slog.KindAny:
		return plainAny(v.Any())
	default:
		return v.Any()
	}
}

func plainAny(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = plainAny(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainAny(e)
		}
		return out
	}
	return v
}

// normalize types encoding/json's numbers by the parser's rules.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u
			}
			return s
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return s
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalize(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

func jsonDepth(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, jsonDepth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range x {
			d = max(d, jsonDepth(e))
		}
		return d + 1
	}
	return 0
}

// Strings of a short line share one copy of it; those of a long line are
// copied one by one, so a short kept string does not pin a huge line.
func TestSharedLineCopy(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("x", n) }
	distance := func(a, b string) uintptr {
		return uintptr(unsafe.Pointer(unsafe.StringData(b))) - uintptr(unsafe.Pointer(unsafe.StringData(a)))
	}
	for _, tt := range []struct {
		padding int
		shared  bool
	}{{100, true}, {maxSharedLine, false}} {
		p := []byte(`{"a":"first","pad":"` + pad(tt.padding) + `","b":"second"}`)
		l := parseLine(p, nil)
		if !l.complete || len(l.attrs) != 3 {
			t.Fatalf("parse of %d-byte line: %+v", len(p), l)
		}
		a, b := l.attrs[0].Value.String(), l.attrs[2].Value.String()
		if a != "first" || b != "second" || l.attrs[1].Value.String() != pad(tt.padding) {
			t.Fatalf("values %q, %q", a, b)
		}
		offset := uintptr(bytes.Index(p, []byte("second")) - bytes.Index(p, []byte("first")))
		if got := distance(a, b) == offset; got != tt.shared {
			t.Errorf("%d-byte line: strings share one copy = %v, want %v", len(p), got, tt.shared)
		}
	}
}

// setLocal makes loc the local time zone for the test (not parallel).
func setLocal(t *testing.T, loc *time.Location) {
	saved := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = saved })
}

// TestParseTimeZoneless: a layout without a zone holds the local time of
// zerolog's clock, not UTC: east of UTC the event was stamped hours in the
// future.
func TestParseTimeZoneless(t *testing.T) {
	setLocal(t, time.FixedZone("UTC+5", 5*3600))
	got, ok := parseTime(slog.StringValue("2026-11-22 09:14:39"), time.DateTime)
	if want := time.Date(2026, 11, 22, 4, 14, 39, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("parseTime = %v, %v; want %v", got, ok, want)
	}
	// A layout with a zone keeps its own.
	got, ok = parseTime(slog.StringValue("2026-11-22T09:14:39+09:00"), time.RFC3339)
	if want := time.Date(2026, 11, 22, 0, 14, 39, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("parseTime = %v, %v; want %v", got, ok, want)
	}
}
