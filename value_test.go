package logsentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/sentrytest"
)

// Hostile and ordinary values for the conversion tables.

type tagged struct {
	Name string `json:"name"`
	Skip string `json:"-"`
	//lint:ignore SA5008 "-," names a field "-" (encoding/json's documented special case)
	Dash    string    `json:"-,"`
	Empty   string    `json:"empty,omitempty"`
	Zero    int       `json:"zero,omitempty"`
	Kept    int       `json:"kept,omitempty"`
	NilPtr  *int      `json:"nil_ptr,omitempty"`
	NoSlice []int     `json:"no_slice,omitempty"`
	When    time.Time `json:"when,omitzero"`
	Plain   int
	Opts    string `json:",omitempty"`
	hidden  int
}

type Base struct {
	ID   int
	Name string
}

type Extra struct{ X string }

type inner struct{ Deep int }

type embedding struct {
	Base
	*Extra
	inner
	Name string // shadows Base.Name
}

type unexported struct {
	a int
	b string
	C bool
}

// Loop embeds a pointer to its own type.
type Loop struct {
	*Loop
	X int
}

type node struct {
	Name string
	Next *node
}

type point struct{ X, Y int }

type tokenLV struct{ secret string }

func (t tokenLV) LogValue() slog.Value { return slog.StringValue("resolved:" + t.secret[:1]) }

type outerLV struct{}

func (outerLV) LogValue() slog.Value { return slog.AnyValue(groupLV{}) }

type groupLV struct{}

func (groupLV) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("a", 1), slog.Any("in", tokenLV{"xyz"}))
}

type loopLV struct{}

func (l loopLV) LogValue() slog.Value { return slog.AnyValue(l) }

type panicLV struct{}

func (panicLV) LogValue() slog.Value { panic("lv boom") }

type nilPtrLV struct{ v string }

func (p *nilPtrLV) LogValue() slog.Value { return slog.StringValue(p.v) }

type myErr struct{ msg string }

func (e *myErr) Error() string { return e.msg }

type panicErr struct{}

func (panicErr) Error() string { panic("error boom") }

type myStringer struct{ n int }

func (s *myStringer) String() string { return fmt.Sprint("stringer ", s.n) }

type opaque struct{ n int }

func (o opaque) String() string { return fmt.Sprint("opaque ", o.n) }

type panicStringer struct{}

func (panicStringer) String() string { panic("string boom") }

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

type failJSON struct{}

func (failJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

type panicJSON struct{}

func (panicJSON) MarshalJSON() ([]byte, error) { panic("json boom") }

type panicTextType struct{}

func (panicTextType) MarshalText() ([]byte, error) { panic("text boom") }

type textKey struct{ a, b int }

func (k textKey) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d-%d", k.a, k.b), nil }

// valueCase is one row of the conversion table: the field value and the
// JSON its converted form must encode to (compared after re-encoding, so
// key order and escaping do not matter), or a check of that JSON.
type valueCase struct {
	name    string
	v       slog.Value
	want    string             // JSON
	check   func(string) error // instead of want
	handled string             // text the error handler must be told
}

func valueCases() []valueCase {
	when := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	one := 1
	cyclicMap := map[string]any{"k": "v"}
	cyclicMap["self"] = cyclicMap
	cyclicNode := &node{Name: "n"}
	cyclicNode.Next = cyclicNode
	a, b := &node{Name: "a"}, &node{Name: "b"}
	a.Next, b.Next = b, a
	wide := make([]any, 100)
	for i := range wide {
		wide[i] = wide
	}
	wideMap := map[string]any{}
	for i := range 100 {
		wideMap[fmt.Sprint(i)] = wideMap
	}
	big := make([]int, 150)
	for i := range big {
		big[i] = i
	}
	bigMap := make(map[int]int, 150)
	for i := range 150 {
		bigMap[i] = i
	}
	deep := any("leaf")
	for range 12 {
		deep = []any{deep}
	}
	loop := &Loop{X: 1}
	loop.Loop = loop
	var nilErr *myErr
	var nilStringer *myStringer
	var nilMap map[string]int
	var nilSlice []string
	var nilLV *nilPtrLV
	mb := strings.Repeat("é", 1<<19) // 1 MiB of two-byte runes

	nested := func(open, leaf, close string, n int) string {
		return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
	}
	return []valueCase{
		// slog kinds
		{name: "string", v: slog.StringValue("hello"), want: `"hello"`},
		{name: "int64", v: slog.Int64Value(math.MinInt64), want: `-9223372036854775808`},
		{name: "uint64 beyond int64", v: slog.Uint64Value(math.MaxUint64), want: `18446744073709551615`},
		{name: "float64", v: slog.Float64Value(1.5), want: `1.5`},
		{name: "float64 NaN", v: slog.Float64Value(math.NaN()), want: `"NaN"`},
		{name: "float64 +Inf", v: slog.Float64Value(math.Inf(1)), want: `"+Inf"`},
		{name: "float64 -Inf", v: slog.Float64Value(math.Inf(-1)), want: `"-Inf"`},
		{name: "bool", v: slog.BoolValue(true), want: `true`},
		{name: "duration", v: slog.DurationValue(1500 * time.Millisecond), want: `"1.5s"`},
		{name: "time", v: slog.TimeValue(when), want: `"2024-05-06T07:08:09.00000001Z"`},
		{name: "group", v: slog.GroupValue(slog.Int("a", 1), slog.Group("b", slog.String("c", "d")), slog.Group("empty")),
			want: `{"a":1,"b":{"c":"d"}}`},
		{name: "group with inline group", v: slog.GroupValue(slog.Attr{Key: "", Value: slog.GroupValue(slog.Int("x", 1))}, slog.Int("y", 2)),
			want: `{"x":1,"y":2}`},
		{name: "LogValuer", v: slog.AnyValue(tokenLV{"secret"}), want: `"resolved:s"`},
		{name: "nested LogValuer", v: slog.AnyValue(outerLV{}), want: `{"a":1,"in":"resolved:x"}`},
		{name: "LogValuer loop", v: slog.AnyValue(loopLV{}), want: `"!ERROR LogValue called too many times on logsentry.loopLV"`},
		{name: "LogValue panics", v: slog.AnyValue(panicLV{}), want: `"!PANIC converting logsentry.panicLV: lv boom"`,
			handled: "!PANIC converting logsentry.panicLV: lv boom"},
		{name: "LogValue on typed nil pointer", v: slog.AnyValue(nilLV),
			check:   hasPrefix(`"!PANIC converting *logsentry.nilPtrLV: runtime error: invalid memory address`),
			handled: "!PANIC converting *logsentry.nilPtrLV"},
		// KindAny
		{name: "nil", v: slog.AnyValue(nil), want: `null`},
		{name: "int", v: slog.AnyValue(-3), want: `-3`},
		{name: "small ints", v: slog.AnyValue([]any{int8(-8), uint16(16), uintptr(7), float32(0.25)}), want: `[-8,16,7,0.25]`},
		{name: "complex", v: slog.AnyValue(complex(1, 2)), want: `"(1+2i)"`},
		{name: "NaN in a slice", v: slog.AnyValue([]float64{1, math.NaN(), math.Inf(-1)}), want: `[1,"NaN","-Inf"]`},
		{name: "float32 Inf in a map", v: slog.AnyValue(map[string]float32{"x": float32(math.Inf(1))}), want: `{"x":"+Inf"}`},
		{name: "error", v: slog.AnyValue(errors.New("boom")), want: `"boom"`},
		{name: "wrapped error", v: slog.AnyValue(fmt.Errorf("ctx: %w", &myErr{"inner"})), want: `"ctx: inner"`},
		{name: "typed nil pointer error", v: slog.AnyValue(nilErr), want: `"\u003cnil\u003e"`},
		{name: "error whose Error panics", v: slog.AnyValue(panicErr{}), want: `"!PANIC converting logsentry.panicErr: error boom"`,
			handled: "!PANIC converting logsentry.panicErr: error boom"},
		{name: "typed nil Stringer", v: slog.AnyValue(nilStringer), want: `null`},
		{name: "Stringer struct without exported fields", v: slog.AnyValue(opaque{4}), want: `"opaque 4"`},
		{name: "String panics", v: slog.AnyValue(panicStringer{}), want: `"!PANIC converting logsentry.panicStringer: string boom"`,
			handled: "!PANIC converting logsentry.panicStringer: string boom"},
		{name: "struct with json tags", v: slog.AnyValue(tagged{Name: "n", Skip: "s", Dash: "d", Kept: 2, Plain: 3, hidden: 4}),
			want: `{"name":"n","-":"d","kept":2,"Plain":3}`},
		{name: "struct with json tags, all set", v: slog.AnyValue(tagged{Empty: "e", Zero: 1, NilPtr: &one, NoSlice: []int{1}, When: when, Opts: "o"}),
			want: `{"name":"","-":"","empty":"e","zero":1,"nil_ptr":1,"no_slice":[1],"when":"2024-05-06T07:08:09.00000001Z","Plain":0,"Opts":"o"}`},
		{name: "unexported fields", v: slog.AnyValue(unexported{1, "b", true}), want: `{"C":true}`},
		{name: "embedded structs", v: slog.AnyValue(embedding{Base: Base{ID: 1, Name: "base"}, Extra: &Extra{X: "x"}, inner: inner{Deep: 5}, Name: "outer"}),
			want: `{"ID":1,"Name":"outer","X":"x","Deep":5}`},
		{name: "embedded nil pointer", v: slog.AnyValue(embedding{Name: "outer"}), want: `{"ID":0,"Name":"outer","Deep":0}`},
		{name: "struct embedding a pointer to itself", v: slog.AnyValue(loop), want: `{"X":1}`},
		{name: "pointer to struct", v: slog.AnyValue(&Base{ID: 2}), want: `{"ID":2,"Name":""}`},
		{name: "map[string]any", v: slog.AnyValue(map[string]any{"a": 1, "b": []any{"x", 2.5, nil}, "c": map[string]any{}}),
			want: `{"a":1,"b":["x",2.5,null],"c":{}}`},
		{name: "map[int]string", v: slog.AnyValue(map[int]string{1: "a", -2: "b"}), want: `{"1":"a","-2":"b"}`},
		{name: "map with struct keys", v: slog.AnyValue(map[point]string{{1, 2}: "p"}), want: `{"{1 2}":"p"}`},
		{name: "map with TextMarshaler keys", v: slog.AnyValue(map[textKey]int{{1, 2}: 3}), want: `{"1-2":3}`},
		{name: "nil map and slice", v: slog.AnyValue([]any{nilMap, nilSlice}), want: `[null,null]`},
		{name: "array", v: slog.AnyValue([3]string{"a", "b", "c"}), want: `["a","b","c"]`},
		{name: "slice > 100 items", v: slog.AnyValue(big), check: func(s string) error {
			var got []any
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				return err
			}
			if len(got) != 101 || got[99] != 99.0 || got[100] != "…[50 more]" {
				return fmt.Errorf("%d items, last %v", len(got), got[len(got)-1])
			}
			return nil
		}},
		{name: "map > 100 items", v: slog.AnyValue(bigMap), check: func(s string) error {
			var got map[string]any
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				return err
			}
			if len(got) != 101 || got["…"] != "[50 more]" {
				return fmt.Errorf("%d keys, marker %v", len(got), got["…"])
			}
			return nil
		}},
		{name: "nested depth > 8", v: slog.AnyValue(deep), want: nested("[", `"[max depth]"`, "]", 9)},
		{name: "cyclic map", v: slog.AnyValue(cyclicMap), want: nested(`{"k":"v","self":`, `{"k":"[max depth]","self":"[max depth]"}`, "}", 8)},
		{name: "cyclic struct pointer", v: slog.AnyValue(cyclicNode), want: nested(`{"Name":"n","Next":`, `{"Name":"[max depth]","Next":"[max depth]"}`, "}", 8)},
		{name: "two pointers to each other", v: slog.AnyValue(a),
			want: nested(`{"Name":"a","Next":{"Name":"b","Next":`, `{"Name":"[max depth]","Next":"[max depth]"}`, "}}", 4)},
		{name: "slice holding itself 100 times", v: slog.AnyValue(wide), check: bounded},
		{name: "map holding itself 100 times", v: slog.AnyValue(wideMap), check: bounded},
		{name: "[]byte", v: slog.AnyValue([]byte("raw bytes")), want: `"raw bytes"`},
		{name: "json.Marshaler", v: slog.AnyValue(rawJSON(`{"n":1e400,"i":12345678901234567890,"f":0.5,"s":"x","l":[true,null]}`)),
			want: `{"n":"1e400","i":12345678901234567890,"f":0.5,"s":"x","l":[true,null]}`},
		{name: "json.Marshaler returning invalid JSON", v: slog.AnyValue(rawJSON(`{not json`)), want: `"{not json"`},
		{name: "json.Marshaler returning an error", v: slog.AnyValue(failJSON{}), want: `"!ERROR in MarshalJSON: cannot"`},
		{name: "MarshalJSON panics", v: slog.AnyValue(panicJSON{}), want: `"!PANIC converting logsentry.panicJSON: json boom"`,
			handled: "!PANIC converting logsentry.panicJSON: json boom"},
		{name: "json.RawMessage", v: slog.AnyValue(json.RawMessage(`[1,"two"]`)), want: `[1,"two"]`},
		{name: "TextMarshaler", v: slog.AnyValue(textKey{3, 4}), want: `"3-4"`},
		{name: "MarshalText panics", v: slog.AnyValue(panicTextType{}), want: `"!PANIC converting logsentry.panicTextType: text boom"`,
			handled: "!PANIC converting logsentry.panicTextType: text boom"},
		{name: "panic inside a collection spoils only its element", v: slog.AnyValue([]any{1, panicJSON{}, "ok"}),
			want: `[1,"!PANIC converting logsentry.panicJSON: json boom","ok"]`, handled: "json boom"},
		{name: "chan", v: slog.AnyValue(make(chan int)), want: `"<chan int>"`},
		{name: "func", v: slog.AnyValue(func() {}), want: `"<func()>"`},
		{name: "struct with chan and func fields", v: slog.AnyValue(struct {
			C chan string
			F func(int) error
		}{make(chan string), nil}), want: `{"C":"<chan string>","F":"<func(int) error>"}`},
		{name: "invalid UTF-8 value", v: slog.StringValue("a\xffb\xc3"), want: `"a\ufffdb\ufffd"`},
		{name: "invalid UTF-8 in a map key and value", v: slog.AnyValue(map[string]string{"k\xfe": "v\xff"}), want: `{"k\ufffd":"v\ufffd"}`},
		{name: "1MB string truncated", v: slog.StringValue(mb), check: func(s string) error {
			var got string
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				return err
			}
			if !strings.HasSuffix(got, truncatedMark) || len(got) > maxStringBytes+len(truncatedMark) ||
				len(got) < maxStringBytes-4 || !utf8.ValidString(got) {
				return fmt.Errorf("%d bytes, valid %v, suffix %q", len(got), utf8.ValidString(got), got[len(got)-20:])
			}
			return nil
		}},
		{name: "1MB []byte truncated", v: slog.AnyValue([]byte(mb)), check: func(s string) error {
			if len(s) > maxStringBytes+64 || !strings.Contains(s, truncatedMark) {
				return fmt.Errorf("%d bytes", len(s))
			}
			return nil
		}},
		{name: "many big strings stay within the field budget", v: slog.AnyValue([]string{mb, mb, mb, mb, mb, mb, mb, mb, mb, mb}),
			check: func(s string) error {
				if len(s) > maxValueBytes+20*len(truncatedMark)+100 {
					return fmt.Errorf("%d bytes", len(s))
				}
				return nil
			}},
	}
}

func hasPrefix(p string) func(string) error {
	return func(s string) error {
		if !strings.HasPrefix(s, p) {
			return fmt.Errorf("want prefix %s", p)
		}
		return nil
	}
}

// bounded checks a value that would expand without end is cut short.
func bounded(s string) error {
	if len(s) > 64<<10 {
		return fmt.Errorf("%d bytes of JSON", len(s))
	}
	if !strings.Contains(s, "more]") && !strings.Contains(s, truncatedMark) {
		return errors.New("no truncation marker")
	}
	return nil
}

// sameJSON reports whether JSON texts a and b encode the same value.
func sameJSON(t testing.TB, a, b string) bool {
	t.Helper()
	return canonical(t, a) == canonical(t, b)
}

func canonical(t testing.TB, s string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// errRecorder collects what a WithErrorHandler function is told.
type errRecorder struct {
	mu   sync.Mutex
	errs []string
}

func (r *errRecorder) handle(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err.Error())
}

func (r *errRecorder) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.errs {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

func (r *errRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func checkValue(t *testing.T, c valueCase, got string) {
	t.Helper()
	switch {
	case c.check != nil:
		if err := c.check(got); err != nil {
			t.Errorf("%v\ngot %.500s", err, got)
		}
	case !sameJSON(t, got, c.want):
		t.Errorf("got  %s\nwant %s", got, c.want)
	}
}

// TestValueConversion converts each value as a record's field, through
// normalize, and checks the JSON of the result.
func TestValueConversion(t *testing.T) {
	for _, c := range valueCases() {
		t.Run(c.name, func(t *testing.T) {
			var rec errRecorder
			b := New(WithErrorHandler(rec.handle))
			r := Record{Severity: SeverityError, Message: c.name, Err: errors.New("carrier"), Attrs: []slog.Attr{slog.Any("v", c.v)}}
			start := time.Now()
			n := b.normalize(&r)
			if d := time.Since(start); d > time.Second {
				t.Errorf("conversion took %v", d)
			}
			raw, err := json.Marshal(tree(n.fields))
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			got := string(m["v"])
			if got == "" {
				t.Fatalf("no field v in %s", raw)
			}
			checkValue(t, c, got)
			if c.handled != "" && !rec.has(c.handled) {
				t.Errorf("error handler told %q, want %q", rec.errs, c.handled)
			}
			if c.handled == "" && rec.count() > 0 {
				t.Errorf("error handler told %q", rec.errs)
			}
		})
	}
}

// TestValueConversionOnTheWire sends each value in a real event and checks
// what the receiver got in contexts.attributes. Every event arrives: the
// SDK drops an event whose JSON encoding fails.
func TestValueConversionOnTheWire(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	var rec errRecorder
	b := New(WithHub(hub), WithEventRate(0, 0), WithErrorHandler(rec.handle), WithBreadcrumbSeverity(SeverityOff))
	cases := valueCases()
	for _, c := range cases {
		b.Emit(context.Background(), Record{Severity: SeverityError, Message: c.name, Err: errors.New("carrier"),
			Attrs: []slog.Attr{slog.Any("v", c.v)}})
	}
	if !hub.Flush(10 * time.Second) {
		t.Fatal("flush timed out")
	}
	evs := rcv.WaitEvents(t, len(cases), 10*time.Second)
	byMsg := make(map[string]sentrytest.Event, len(evs))
	for _, e := range evs {
		byMsg[e.Message] = e
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := byMsg[c.name]
			if !ok {
				t.Fatalf("event not delivered")
			}
			v, ok := e.Context("attributes")["v"]
			if !ok {
				t.Fatalf("no attribute v: %v", e.Context("attributes"))
			}
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			checkValue(t, c, string(raw))
			if c.handled != "" && !rec.has(c.handled) {
				t.Errorf("error handler not told %q", c.handled)
			}
		})
	}
	if reports := rcv.ClientReports(); len(reports) > 0 {
		t.Errorf("the SDK reported drops: %+v", reports)
	}
}

// TestSafeAny calls safeAny directly, including the depth it starts at.
func TestSafeAny(t *testing.T) {
	var rec errRecorder
	b := New(WithErrorHandler(rec.handle))
	tests := []struct {
		name  string
		v     any
		depth int
		want  any
	}{
		{"nil", nil, 0, nil},
		{"string", "s", 0, "s"},
		{"int", 7, 0, int64(7)},
		{"int64", int64(-7), 0, int64(-7)},
		{"uint64", uint64(math.MaxUint64), 0, uint64(math.MaxUint64)},
		{"uint8", uint8(8), 0, uint64(8)},
		{"float64", 2.5, 0, 2.5},
		{"NaN", math.NaN(), 0, "NaN"},
		{"+Inf", math.Inf(1), 0, "+Inf"},
		{"-Inf", float32(math.Inf(-1)), 0, "-Inf"},
		{"bool", false, 0, false},
		{"duration", time.Minute, 0, "1m0s"},
		{"time", time.Unix(0, 0).UTC(), 0, "1970-01-01T00:00:00Z"},
		{"json.Number int", json.Number("12"), 0, int64(12)},
		{"json.Number float", json.Number("1.25"), 0, 1.25},
		{"json.Number huge", json.Number("1e999"), 0, "1e999"},
		{"error", errors.New("e"), 0, "e"},
		{"typed nil error", (*myErr)(nil), 0, "<nil>"},
		{"typed nil Stringer", (*myStringer)(nil), 0, nil},
		{"typed nil Marshaler", (*rawJSON)(nil), 0, nil},
		{"Stringer pointer to struct with fields", &myStringer{3}, 0, map[string]any{}},
		{"at the depth limit", "x", maxDepth, "x"},
		{"past the depth limit", "x", maxDepth + 1, depthMark},
		{"container at the depth limit", []int{1}, maxDepth, []any{depthMark}},
		{"chan", make(chan struct{}), 0, "<chan struct {}>"},
		{"func", func() int { return 1 }, 0, "<func() int>"},
		{"invalid UTF-8", "\xff", 0, "\uFFFD"},
		{"MarshalJSON panic", panicJSON{}, 0, "!PANIC converting logsentry.panicJSON: json boom"},
		{"MarshalText panic", panicTextType{}, 0, "!PANIC converting logsentry.panicTextType: text boom"},
		{"String panic", panicStringer{}, 0, "!PANIC converting logsentry.panicStringer: string boom"},
		{"Error panic", panicErr{}, 0, "!PANIC converting logsentry.panicErr: error boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := b.safeAny(tt.v, tt.depth)
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("safeAny = %#v, want %#v", got, tt.want)
			}
			if _, err := json.Marshal(got); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
		})
	}
	for _, s := range []string{"json boom", "text boom", "string boom", "error boom"} {
		if !rec.has(s) {
			t.Errorf("error handler not told %q: %q", s, rec.errs)
		}
	}
}

// TestSafeAnyMatchesEncodingJSON: for plain data, the conversion encodes as
// encoding/json encodes the value itself.
func TestSafeAnyMatchesEncodingJSON(t *testing.T) {
	one := 1
	values := []any{
		tagged{Name: "n", Skip: "s", Dash: "d", Kept: 2, Plain: 3, hidden: 4},
		tagged{Empty: "e", Zero: 1, NilPtr: &one, NoSlice: []int{1}, When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Opts: "o"},
		embedding{Base: Base{ID: 1, Name: "base"}, Extra: &Extra{X: "x"}, inner: inner{Deep: 5}, Name: "outer"},
		embedding{},
		unexported{1, "b", true},
		map[string]any{"a": []any{1, "x", nil, true}, "b": map[string]int{"c": 2}},
		map[int]string{3: "c", -1: "m"},
		[]*Base{{ID: 1}, nil},
		struct {
			A int `json:"a,string"`
			B any
			C []byte `json:"-"`
		}{A: 1, B: map[string]any{"x": 1.5}},
	}
	b := New()
	for i, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(b.safeAny(v, 0))
		if err != nil {
			t.Fatal(err)
		}
		// ",string" quotes a number in encoding/json; the conversion keeps
		// the number, which says more.
		wantS := strings.Replace(string(want), `"a":"1"`, `"a":1`, 1)
		if !sameJSON(t, string(got), wantS) {
			t.Errorf("value %d (%T):\ngot  %s\nwant %s", i, v, got, wantS)
		}
	}
}

// TestSafeAnyBudget: a value that would expand without end (a slice that
// holds itself a hundred times: 100^8 elements) is converted quickly and
// stays small.
func TestSafeAnyBudget(t *testing.T) {
	b := New()
	s := make([]any, maxItems)
	for i := range s {
		s[i] = s
	}
	start := time.Now()
	out := b.safeAny(s, 0)
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 64<<10 {
		t.Errorf("%d bytes of JSON", len(raw))
	}
	// The budget is per conversion: a second field starts afresh.
	if got := b.safeAny([]int{1, 2}, 0); fmt.Sprint(got) != "[1 2]" {
		t.Errorf("second conversion = %v", got)
	}
}

// A secret that straddles the cut of a long string is still filtered: the
// cut comes after redaction, which sees past it.
func TestSecretAtTheCut(t *testing.T) {
	b := New()
	secrets := []struct{ text, part string }{
		{"postgres://admin:pg-s3cretpassword@db.internal:5432/app", "pg-s3cr"},
		{"token ghp_16C7e42F292c6912E7710c838347Ae178B4a done", "16C7e42F"},
		{"key sk_live_4eC39HqLyjWDarjtT1zdp7dc done", "4eC39HqL"},
		{"id AKIAIOSFODNN7EXAMPLE done", "AKIAIOSF"},
		{"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGci"},
		{"-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", 100) + "-----END PRIVATE KEY-----", "MIIEvQIB"},
	}
	for _, sec := range secrets {
		step := 1 + len(sec.text)/200
		for before := -len(sec.text) - 1; before <= 1; before += step { // the cut at every place in the secret
			pad := maxStringBytes + before
			s := strings.Repeat("x", pad) + sec.text + strings.Repeat(" y", 20000)
			if got := b.str(s); strings.Contains(got, sec.part[:6]) {
				i := strings.Index(got, sec.part[:6])
				t.Errorf("secret %q at offset %d of the cut: %q left in %q", sec.part, before, sec.part[:6], got[max(i-40, 0):])
			} else if len(got) > maxStringBytes+len(truncatedMark) {
				t.Errorf("secret %q at offset %d: %d bytes, want at most %d", sec.part, before, len(got), maxStringBytes)
			}
		}
	}
}
