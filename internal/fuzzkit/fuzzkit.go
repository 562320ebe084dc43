// Package fuzzkit holds what the adapters' fuzz targets share: a reader that
// turns fuzz input into keys, strings, numbers, times and hostile values
// (panicking String, Error, MarshalJSON, Format and LogValue methods, typed
// nils, cycles), a transport that JSON-encodes every event as the SDK does
// before sending, and an environment that runs one logged record and checks
// what came out. Each adapter's fuzz test decodes the reader's output into
// its own logger's fields.
package fuzzkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"

	"github.com/logsentry/logsentry"
)

type Transport struct {
	mu       sync.Mutex
	events   int
	logs     int
	failures []string
	last     []byte
}

func (m *Transport) Configure(sentry.ClientOptions)        {}
func (m *Transport) Flush(time.Duration) bool              { return true }
func (m *Transport) FlushWithContext(context.Context) bool { return true }
func (m *Transport) Close()                                {}

func (m *Transport) SendEvent(e *sentry.Event) {
	raw, err := json.Marshal(e)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err != nil:
		m.failures = append(m.failures, fmt.Sprintf("%q event: %v", e.Type, err))
	case !utf8.Valid(raw):
		m.failures = append(m.failures, fmt.Sprintf("%q event: invalid UTF-8 %.200q", e.Type, raw))
	}
	if e.Type == "" {
		m.events++
		m.last = raw
	} else {
		m.logs += len(e.Logs)
	}
}

// counts returns the events and logs received so far.
func (m *Transport) Counts() (events, logs int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events, m.logs
}

// take returns and forgets the failures and the last event.
func (m *Transport) Take() (failures []string, last []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	failures, last = m.failures, m.last
	m.failures, m.last = nil, nil
	return failures, last
}

// Bounds of one fuzzed program.
const (
	MaxNodes = 64      // attrs, groups and values built
	MaxDepth = 24      // nesting of groups, maps and slices
	MaxHuge  = 2       // huge strings
	HugeUnit = 16      // a huge string is a multiple of this many bytes
	HugeMax  = 1 << 20 // and at most this long
)

// SpecialKeys are keys the fuzzer could hardly find itself: the ones the
// bridge treats specially, sensitive ones, and odd ones.
var SpecialKeys = []string{
	"", "error", "err", "user", "id", "email", "username", "ip_address",
	"fingerprint", "logger", "password", "token", "authorization", "msg",
	"time", "level", "a.b", "\xff\xfe", "user.id", "sentry.origin",
	"logger.Name", "exception.message", strings.Repeat("k", 300), "é\x80",
}

// Reader decodes a fuzz input. Once the input is used up every read
// gives zero values, so any input decodes to a finite program.
type Reader struct {
	Data  []byte
	Nodes int // nodes left to build
	Huge  int // huge strings left
	// unique makes every key unique by prefixing a sequence number (an
	// inline group's empty key excepted), so that no field can hide
	// another and the placeholders expected can be checked.
	Unique bool
	Seq    int
	// marks are texts the event must contain: the placeholders of hostile
	// values placed where nothing else can hide them. Only collected when
	// unique.
	Marks []string
}

func NewReader(data []byte, unique bool) *Reader {
	return &Reader{Data: data, Nodes: MaxNodes, Huge: MaxHuge, Unique: unique}
}

// more reports whether another node may be built.
func (r *Reader) More() bool { return len(r.Data) > 0 && r.Nodes > 0 }

func (r *Reader) Byte() byte {
	if len(r.Data) == 0 {
		return 0
	}
	b := r.Data[0]
	r.Data = r.Data[1:]
	return b
}

func (r *Reader) U64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.Byte())
	}
	return v
}

// str reads a string: a length byte n, then n%64 bytes; n of 0xF0 or more
// makes a huge string (up to 1MB) of a repeated short unit.
func (r *Reader) Str() string {
	n := int(r.Byte())
	if n >= 0xF0 && r.Huge > 0 {
		r.Huge--
		size := (int(r.Byte())<<8 | int(r.Byte())) * HugeUnit
		size = min(size, HugeMax)
		unit := r.Take(1 + n&0x0F)
		if unit == "" {
			unit = "\xff"
		}
		return strings.Repeat(unit, size/len(unit)+1)[:size]
	}
	return r.Take(n % 64)
}

func (r *Reader) Take(n int) string {
	n = min(n, len(r.Data))
	s := string(r.Data[:n])
	r.Data = r.Data[n:]
	return s
}

// key reads a key: one of SpecialKeys or a fuzzed string. group says
// whether it names a group, whose empty key makes it inline.
func (r *Reader) Key(group bool) string {
	var k string
	if b := r.Byte(); int(b) < len(SpecialKeys) {
		k = SpecialKeys[b]
	} else {
		k = r.Str()
	}
	if r.Unique && !(group && k == "") {
		r.Seq++
		k = strconv.Itoa(r.Seq) + ":" + k
	}
	return k
}

func (r *Reader) Float() float64 {
	switch r.Byte() % 8 {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1)
	case 2:
		return math.Inf(-1)
	case 3:
		return math.Copysign(0, -1)
	case 4:
		return math.MaxFloat64
	case 5:
		return math.SmallestNonzeroFloat64
	}
	return math.Float64frombits(r.U64())
}

// time reads a time, maybe one that JSON cannot encode (a year beyond
// 9999, a zone offset of a day or more).
func (r *Reader) Time() time.Time {
	switch r.Byte() % 4 {
	case 0:
		return time.Unix(int64(r.U64()), 0)
	case 1:
		return time.Unix(0, int64(r.U64()))
	case 2:
		return time.Unix(int64(r.U64()%(1<<34)), 0).In(time.FixedZone("Z?", int(int32(r.U64()))))
	}
	return time.Time{}
}

// expect notes that the event must contain mark, when the value holding it
// sits where it is checked.
func (r *Reader) Expect(mark string, checked bool) {
	if r.Unique && checked && mark != "" {
		r.Marks = append(r.Marks, mark)
	}
}

// Marks of the placeholders.
const (
	MarkPanic  = "PANIC"
	MarkNil    = "<nil>"
	MarkDepth  = "[max depth]"
	MarkValuer = "LogValue called too many times"
)

// Hostile values.

type PanicStringer struct{}

func (PanicStringer) String() string { panic("String exploded") }

type PanicError struct{}

func (PanicError) Error() string { panic("Error exploded") }

type PanicJSON struct{}

func (PanicJSON) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

type PanicText struct{}

func (PanicText) MarshalText() ([]byte, error) { panic("MarshalText exploded") }

type PanicFormatter struct{ A int }

func (PanicFormatter) Format(fmt.State, rune) { panic("Format exploded") }

type PanicValuer struct{}

func (PanicValuer) LogValue() slog.Value { panic("LogValue exploded") }

// SelfValuer's LogValue returns itself, forever.
type SelfValuer struct{}

func (v SelfValuer) LogValue() slog.Value { return slog.AnyValue(v) }

// Valuer's LogValue returns v.
type Valuer struct{ V slog.Value }

func (v Valuer) LogValue() slog.Value { return v.V }

// SelfPanic panics with itself: fmt, printing the panic value, panics
// again, and gives up (it re-panics) on that nested panic.
type SelfPanic struct{}

func (p SelfPanic) String() string { panic(p) }

type SelfPanicError struct{}

func (SelfPanicError) Error() string { panic(SelfPanic{}) }

type SelfPanicJSON struct{}

func (SelfPanicJSON) MarshalJSON() ([]byte, error) { panic(SelfPanic{}) }

type NilPanic struct{}

func (NilPanic) String() string { panic(nil) } //nolint:govet // a panic(nil) is the point

type PtrError struct{ msg string }

func (e *PtrError) Error() string { return e.msg } // panics on a nil receiver

type PtrStringer struct{ s string }

func (p *PtrStringer) String() string { return p.s } // panics on a nil receiver

type PtrJSON struct{ s string }

func (p *PtrJSON) MarshalJSON() ([]byte, error) { return []byte(p.s), nil }

// CycleError unwraps to itself.
type CycleError struct{ msg string }

func (e *CycleError) Error() string { return e.msg }
func (e *CycleError) Unwrap() error { return e }

type UnwrapPanics struct{}

func (UnwrapPanics) Error() string { return "unwrap panics" }
func (UnwrapPanics) Unwrap() error { panic("Unwrap exploded") }

// FormatError is an error whose Format panics, as a broken pkg/errors
// look-alike would.
type FormatError struct{}

func (FormatError) Error() string                { return "format error" }
func (FormatError) Format(fmt.State, rune)       { panic("Format exploded") }
func (FormatError) MarshalText() ([]byte, error) { return []byte("format error text"), nil }

type Node struct {
	Name string
	Next *Node
	M    map[string]any
}

// Hidden has nothing encoding/json shows, so its String method is used.
type Hidden struct{ s fmt.Stringer }

func (h Hidden) String() string { return h.s.String() }

// Hostile is a value that breaks naive converters, made afresh for each
// use, and the placeholder the event must then show for it.
type Hostile struct {
	Name string
	Make func() any
	Mark string
	// WithLost: zap's With keeps the JSON encoding of a reflected value,
	// where the method that makes the placeholder is gone.
	WithLost bool
	// Whole: zap's encoder may panic on it, giving a placeholder for the
	// whole field in place of the marks of its other values.
	Whole bool
}

// Hostile reads a hostile value, of Hostiles and extra.
func (r *Reader) Hostile(extra []Hostile) Hostile {
	i := int(r.Byte()) % (len(Hostiles) + len(extra))
	if i >= len(Hostiles) {
		return extra[i-len(Hostiles)]
	}
	return Hostiles[i]
}

var Hostiles = []Hostile{
	{"String panics", func() any { return PanicStringer{} }, MarkPanic, false, false},
	{"Error panics", func() any { return PanicError{} }, MarkPanic, false, false},
	{"MarshalJSON panics", func() any { return PanicJSON{} }, MarkPanic, false, false},
	{"MarshalText panics", func() any { return PanicText{} }, MarkPanic, false, false},
	{"Format panics", func() any { return PanicFormatter{A: 1} }, "", false, false},
	{"Format panics in a map key", func() any { return map[PanicFormatter]int{{A: 2}: 1} }, MarkPanic, false, false},
	{"LogValue panics", func() any { return PanicValuer{} }, MarkPanic, true, false},
	{"LogValue returns itself", func() any { return SelfValuer{} }, MarkValuer, true, false},
	{"LogValue gives a hostile group", func() any {
		return Valuer{slog.GroupValue(slog.Any("s", PanicStringer{}), slog.Any("v", PanicValuer{}))}
	}, MarkPanic, true, false},
	{"typed nil error", func() any { return error((*PtrError)(nil)) }, MarkNil, false, false},
	{"typed nil Stringer", func() any { return fmt.Stringer((*PtrStringer)(nil)) }, "", false, false},
	{"typed nil Marshaler", func() any { return json.Marshaler((*PtrJSON)(nil)) }, "", false, false},
	{"invalid MarshalJSON", func() any { return &PtrJSON{s: `{"a":`} }, "", false, false},
	{"cyclic map", func() any {
		m := map[string]any{"name": "loop"}
		m["self"] = m
		return m
	}, MarkDepth, false, false},
	{"cyclic struct", func() any {
		n := &Node{Name: "loop"}
		n.Next = n
		n.M = map[string]any{"n": n}
		return n
	}, MarkDepth, false, false},
	{"cyclic slice", func() any {
		s := make([]any, 2)
		s[0], s[1] = s, "x"
		return s
	}, MarkDepth, false, false},
	{"String panics with itself", func() any { return SelfPanic{} }, MarkPanic, false, true},
	{"Error panics with a self-panicking value", func() any { return SelfPanicError{} }, MarkPanic, false, true},
	{"MarshalJSON panics with a self-panicking value", func() any { return SelfPanicJSON{} }, MarkPanic, false, false},
	{"panic(nil)", func() any { return NilPanic{} }, MarkPanic, false, false},
	{"error cycle", func() any { return &CycleError{msg: "cycle"} }, "", false, false},
	{"Unwrap panics", func() any { return UnwrapPanics{} }, "", false, false},
	{"joined hostile errors", func() any {
		return errors.Join(nil, PanicError{}, (*PtrError)(nil), &CycleError{msg: "c"})
	}, MarkPanic, false, false},
	{"pkg/errors around a panicking error", func() any { return pkgerrors.Wrap(pkgerrors.WithStack(PanicError{}), "ctx") }, MarkPanic, false, false},
	{"error whose Format panics", func() any { return FormatError{} }, "", false, false},
	{"big.Int beyond uint64", func() any { return new(big.Int).Lsh(big.NewInt(1), 200) }, "", false, false},
	{"big.Float +Inf", func() any { return big.NewFloat(math.Inf(1)) }, "", false, false},
	{"json.Number beyond float64", func() any { return json.Number("1e400") }, "", false, false},
	{"json.Number garbage", func() any { return json.Number("0x\xff") }, "", false, false},
	{"NaN and Inf in a map", func() any {
		return map[string]any{"nan": math.NaN(), "inf": float32(math.Inf(-1)), "c": complex(math.NaN(), math.Inf(1))}
	}, "", false, false},
	{"NaN map keys", func() any {
		m := map[float64]string{}
		for _, s := range []string{"a", "b"} {
			m[math.NaN()] = s // a new key each time
		}
		return m
	}, "", false, false},
	{"MarshalText panics in a map key", func() any { return map[PanicText]int{{}: 1} }, MarkPanic, false, false},
	{"chan, func and nil", func() any {
		return struct {
			C chan int
			F func()
			N any
			P *int
		}{C: make(chan int), F: func() {}}
	}, "", false, false},
	{"hidden String panics", func() any { return Hidden{s: PanicStringer{}} }, MarkPanic, true, false},
	{"hidden typed nil Stringer", func() any { return Hidden{s: (*PtrStringer)(nil)} }, MarkPanic, true, false},
	{"deep pointers", func() any {
		var n *Node
		for i := range 200 {
			n = &Node{Name: strconv.Itoa(i), Next: n}
		}
		return n
	}, MarkDepth, false, false},
	{"far time", func() any { return time.Unix(1<<40, 0) }, "", false, false},
	{"raw message", func() any { return json.RawMessage("{\xff") }, "", false, false},
	{"nil", func() any { return nil }, "", false, false},
	{"uint64 beyond int64", func() any { return uint64(math.MaxUint64) }, "", false, false},
	{"request without URL or headers", func() any { return &http.Request{Method: "\xff", Host: "h\xff"} }, "", false, false},
	{"typed nil request", func() any { return (*http.Request)(nil) }, "", false, false},
	{"request by value", func() any {
		return http.Request{Method: "GET", URL: &url.URL{Path: "/\xff", RawQuery: "token=\xff"},
			Header: http.Header{"X-\xff": {"\xff", ""}, "Cookie": {"a=\xff;;="}}, RemoteAddr: "[::1"}
	}, "", false, false},
	{"user map with cyclic data", func() any {
		m := map[string]any{"id": "u-1", "email": "\xff@x"}
		m["data"] = m
		return m
	}, "", false, false},
	{"sentry.User with invalid UTF-8", func() any {
		return &sentry.User{ID: "\xff", Email: "a@\xff", Data: map[string]string{"\xff": "\xff"}}
	}, "", false, false},
}

// Env is what every run of a fuzz target shares.
type Env struct {
	tr     *Transport
	client *sentry.Client
	mu     sync.Mutex
	told   []string // errors given to the error handler during one run
}

func NewEnv(f *testing.F) *Env {
	env := &Env{tr: &Transport{}}
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:            "http://k@127.0.0.1:1/1", // never dialled
		Transport:      env.tr,
		DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)},
	})
	if err != nil {
		f.Fatal(err)
	}
	env.client = client
	f.Cleanup(client.Close)
	return env
}

// options are the bridge options of a fuzzed adapter.
func (env *Env) Options(unique bool) []logsentry.Option {
	opts := []logsentry.Option{
		logsentry.WithEventRate(0, 0),
		logsentry.WithFlushTimeout(0),
		logsentry.WithTagKeys("error", "1:", "user.id", "a.b"),
		logsentry.WithErrorHandler(func(err error) {
			env.mu.Lock()
			defer env.mu.Unlock()
			env.told = append(env.told, err.Error())
		}),
	}
	if unique {
		opts = append(opts, logsentry.WithoutRedaction())
	}
	return opts
}

// run logs one record through log on a fresh hub and checks that exactly
// one event and one log arrived, that both encode, and that the event
// contains each mark at least as many times as marks holds it (each
// hostile value has a field of its own).
func (env *Env) Run(t *testing.T, what string, marks []string, log func(ctx context.Context)) {
	t.Helper()
	hub := sentry.NewHub(env.client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	env.mu.Lock()
	env.told = nil
	env.mu.Unlock()
	env.tr.Take()
	events, logs := env.tr.Counts()

	log(ctx)
	env.client.Flush(5 * time.Second) // the batched logs

	events2, logs2 := env.tr.Counts()
	failures, last := env.tr.Take()
	env.mu.Lock()
	told := env.told
	env.mu.Unlock()
	if len(failures) > 0 {
		t.Fatalf("%s: events that do not encode (the SDK drops them): %q; error handler: %.500q", what, failures, told)
	}
	if events2-events != 1 || logs2-logs != 1 {
		t.Fatalf("%s: got %d events and %d logs, want 1 of each; error handler: %.500q", what, events2-events, logs2-logs, told)
	}
	want := make(map[string]int)
	for _, m := range marks {
		want[m]++
	}
	for m, n := range want {
		if got := strings.Count(string(last), JSONText(m)); got < n {
			t.Errorf("%s: event with %d %q, want at least %d: %.3000s", what, got, m, n, last)
		}
	}
}

// JSONText is s as encoding/json writes it inside a string.
func JSONText(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw[1 : len(raw)-1])
}
