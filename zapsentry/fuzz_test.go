package zapsentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/zapsentry"
)

// This file fuzzes the core's field walk: the fuzz input is decoded into a
// program of zap fields, With and Named calls, and one error entry. Each
// entry must produce exactly one event that encodes as JSON (the SDK
// silently drops an event whose encoding fails), and no panic may escape.
//
// The seed corpus, testdata/fuzz/FuzzCore, holds seed-* inputs (each a
// meaningful program: scalars, nesting, hostile values, special keys, huge
// strings), and inputs that found bugs, kept as regression tests:
// regress-* for bugs fixed, crash-* for bugs not fixed yet.

// fzTransport is a sentry.Transport that JSON-encodes every event it is
// given, as the SDK's HTTP transport does before sending, and notes those
// that do not encode.
type fzTransport struct {
	mu       sync.Mutex
	events   int
	logs     int
	failures []string
	last     []byte
}

func (m *fzTransport) Configure(sentry.ClientOptions)        {}
func (m *fzTransport) Flush(time.Duration) bool              { return true }
func (m *fzTransport) FlushWithContext(context.Context) bool { return true }
func (m *fzTransport) Close()                                {}

func (m *fzTransport) SendEvent(e *sentry.Event) {
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
func (m *fzTransport) counts() (events, logs int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events, m.logs
}

// take returns and forgets the failures and the last event.
func (m *fzTransport) take() (failures []string, last []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	failures, last = m.failures, m.last
	m.failures, m.last = nil, nil
	return failures, last
}

// Bounds of one fuzzed program.
const (
	fzMaxNodes = 64      // attrs, groups and values built
	fzMaxDepth = 24      // nesting of groups, maps and slices
	fzMaxHuge  = 2       // huge strings
	fzHugeUnit = 16      // a huge string is a multiple of this many bytes
	fzHugeMax  = 1 << 20 // and at most this long
)

// fzSpecialKeys are keys the fuzzer could hardly find itself: the ones the
// bridge treats specially, sensitive ones, and odd ones.
var fzSpecialKeys = []string{
	"", "error", "err", "user", "id", "email", "username", "ip_address",
	"fingerprint", "logger", "password", "token", "authorization", "msg",
	"time", "level", "a.b", "\xff\xfe", "user.id", "sentry.origin",
	"logger.name", "exception.message", strings.Repeat("k", 300), "é\x80",
}

// fzReader decodes a fuzz input. Once the input is used up every read
// gives zero values, so any input decodes to a finite program.
type fzReader struct {
	data  []byte
	nodes int // nodes left to build
	huge  int // huge strings left
	// unique makes every key unique by prefixing a sequence number (an
	// inline group's empty key excepted), so that no field can hide
	// another and the placeholders expected can be checked.
	unique bool
	seq    int
	// inWith is set while reading the fields of zap's With; whole when a
	// field read may make zap's encoder panic (see fzHostile).
	inWith, whole bool
	// marks are texts the event must contain: the placeholders of hostile
	// values placed where nothing else can hide them. Only collected when
	// unique.
	marks []string
}

func newFzReader(data []byte, unique bool) *fzReader {
	return &fzReader{data: data, nodes: fzMaxNodes, huge: fzMaxHuge, unique: unique}
}

// more reports whether another node may be built.
func (r *fzReader) more() bool { return len(r.data) > 0 && r.nodes > 0 }

func (r *fzReader) byte() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *fzReader) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.byte())
	}
	return v
}

// str reads a string: a length byte n, then n%64 bytes; n of 0xF0 or more
// makes a huge string (up to 1MB) of a repeated short unit.
func (r *fzReader) str() string {
	n := int(r.byte())
	if n >= 0xF0 && r.huge > 0 {
		r.huge--
		size := (int(r.byte())<<8 | int(r.byte())) * fzHugeUnit
		size = min(size, fzHugeMax)
		unit := r.take(1 + n&0x0F)
		if unit == "" {
			unit = "\xff"
		}
		return strings.Repeat(unit, size/len(unit)+1)[:size]
	}
	return r.take(n % 64)
}

func (r *fzReader) take(n int) string {
	n = min(n, len(r.data))
	s := string(r.data[:n])
	r.data = r.data[n:]
	return s
}

// key reads a key: one of fzSpecialKeys or a fuzzed string. group says
// whether it names a group, whose empty key makes it inline.
func (r *fzReader) key(group bool) string {
	var k string
	if b := r.byte(); int(b) < len(fzSpecialKeys) {
		k = fzSpecialKeys[b]
	} else {
		k = r.str()
	}
	if r.unique && !(group && k == "") {
		r.seq++
		k = strconv.Itoa(r.seq) + ":" + k
	}
	return k
}

func (r *fzReader) float() float64 {
	switch r.byte() % 8 {
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
	return math.Float64frombits(r.u64())
}

// time reads a time, maybe one that JSON cannot encode (a year beyond
// 9999, a zone offset of a day or more).
func (r *fzReader) time() time.Time {
	switch r.byte() % 4 {
	case 0:
		return time.Unix(int64(r.u64()), 0)
	case 1:
		return time.Unix(0, int64(r.u64()))
	case 2:
		return time.Unix(int64(r.u64()%(1<<34)), 0).In(time.FixedZone("Z?", int(int32(r.u64()))))
	}
	return time.Time{}
}

// expect notes that the event must contain mark, when the value holding it
// sits where it is checked.
func (r *fzReader) expect(mark string, checked bool) {
	if r.unique && checked && mark != "" {
		r.marks = append(r.marks, mark)
	}
}

// Marks of the placeholders.
const (
	markPanic  = "PANIC"
	markNil    = "<nil>"
	markDepth  = "[max depth]"
	markValuer = "LogValue called too many times"
)

// Hostile values.

type fzPanicStringer struct{}

func (fzPanicStringer) String() string { panic("String exploded") }

type fzPanicError struct{}

func (fzPanicError) Error() string { panic("Error exploded") }

type fzPanicJSON struct{}

func (fzPanicJSON) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

type fzPanicText struct{}

func (fzPanicText) MarshalText() ([]byte, error) { panic("MarshalText exploded") }

type fzPanicFormatter struct{ A int }

func (fzPanicFormatter) Format(fmt.State, rune) { panic("Format exploded") }

type fzPanicValuer struct{}

func (fzPanicValuer) LogValue() slog.Value { panic("LogValue exploded") }

// fzSelfValuer's LogValue returns itself, forever.
type fzSelfValuer struct{}

func (v fzSelfValuer) LogValue() slog.Value { return slog.AnyValue(v) }

// fzValuer's LogValue returns v.
type fzValuer struct{ v slog.Value }

func (v fzValuer) LogValue() slog.Value { return v.v }

// fzSelfPanic panics with itself: fmt, printing the panic value, panics
// again, and gives up (it re-panics) on that nested panic.
type fzSelfPanic struct{}

func (p fzSelfPanic) String() string { panic(p) }

type fzSelfPanicError struct{}

func (fzSelfPanicError) Error() string { panic(fzSelfPanic{}) }

type fzSelfPanicJSON struct{}

func (fzSelfPanicJSON) MarshalJSON() ([]byte, error) { panic(fzSelfPanic{}) }

type fzNilPanic struct{}

func (fzNilPanic) String() string { panic(nil) } //nolint:govet // a panic(nil) is the point

type fzPtrError struct{ msg string }

func (e *fzPtrError) Error() string { return e.msg } // panics on a nil receiver

type fzPtrStringer struct{ s string }

func (p *fzPtrStringer) String() string { return p.s } // panics on a nil receiver

type fzPtrJSON struct{ s string }

func (p *fzPtrJSON) MarshalJSON() ([]byte, error) { return []byte(p.s), nil }

// fzCycleError unwraps to itself.
type fzCycleError struct{ msg string }

func (e *fzCycleError) Error() string { return e.msg }
func (e *fzCycleError) Unwrap() error { return e }

type fzUnwrapPanics struct{}

func (fzUnwrapPanics) Error() string { return "unwrap panics" }
func (fzUnwrapPanics) Unwrap() error { panic("Unwrap exploded") }

// fzFormatError is an error whose Format panics, as a broken pkg/errors
// look-alike would.
type fzFormatError struct{}

func (fzFormatError) Error() string                { return "format error" }
func (fzFormatError) Format(fmt.State, rune)       { panic("Format exploded") }
func (fzFormatError) MarshalText() ([]byte, error) { return []byte("format error text"), nil }

type fzNode struct {
	Name string
	Next *fzNode
	M    map[string]any
}

// fzHidden has nothing encoding/json shows, so its String method is used.
type fzHidden struct{ s fmt.Stringer }

func (h fzHidden) String() string { return h.s.String() }

// fzHostile is a value that breaks naive converters, made afresh for each
// use, and the placeholder the event must then show for it.
type fzHostile struct {
	name string
	make func() any
	mark string
	// withLost: zap's With keeps the JSON encoding of a reflected value,
	// where the method that makes the placeholder is gone.
	withLost bool
	// whole: zap's encoder may panic on it, giving a placeholder for the
	// whole field in place of the marks of its other values.
	whole bool
}

// hostile reads a hostile value, of fzHostiles and extra.
func (r *fzReader) hostile(extra []fzHostile) fzHostile {
	i := int(r.byte()) % (len(fzHostiles) + len(extra))
	if i >= len(fzHostiles) {
		return extra[i-len(fzHostiles)]
	}
	return fzHostiles[i]
}

var fzHostiles = []fzHostile{
	{"String panics", func() any { return fzPanicStringer{} }, markPanic, false, false},
	{"Error panics", func() any { return fzPanicError{} }, markPanic, false, false},
	{"MarshalJSON panics", func() any { return fzPanicJSON{} }, markPanic, false, false},
	{"MarshalText panics", func() any { return fzPanicText{} }, markPanic, false, false},
	{"Format panics", func() any { return fzPanicFormatter{A: 1} }, "", false, false},
	{"Format panics in a map key", func() any { return map[fzPanicFormatter]int{{A: 2}: 1} }, markPanic, false, false},
	{"LogValue panics", func() any { return fzPanicValuer{} }, markPanic, true, false},
	{"LogValue returns itself", func() any { return fzSelfValuer{} }, markValuer, true, false},
	{"LogValue gives a hostile group", func() any {
		return fzValuer{slog.GroupValue(slog.Any("s", fzPanicStringer{}), slog.Any("v", fzPanicValuer{}))}
	}, markPanic, true, false},
	{"typed nil error", func() any { return error((*fzPtrError)(nil)) }, markNil, false, false},
	{"typed nil Stringer", func() any { return fmt.Stringer((*fzPtrStringer)(nil)) }, "", false, false},
	{"typed nil Marshaler", func() any { return json.Marshaler((*fzPtrJSON)(nil)) }, "", false, false},
	{"invalid MarshalJSON", func() any { return &fzPtrJSON{s: `{"a":`} }, "", false, false},
	{"cyclic map", func() any {
		m := map[string]any{"name": "loop"}
		m["self"] = m
		return m
	}, markDepth, false, false},
	{"cyclic struct", func() any {
		n := &fzNode{Name: "loop"}
		n.Next = n
		n.M = map[string]any{"n": n}
		return n
	}, markDepth, false, false},
	{"cyclic slice", func() any {
		s := make([]any, 2)
		s[0], s[1] = s, "x"
		return s
	}, markDepth, false, false},
	{"String panics with itself", func() any { return fzSelfPanic{} }, markPanic, false, true},
	{"Error panics with a self-panicking value", func() any { return fzSelfPanicError{} }, markPanic, false, true},
	{"MarshalJSON panics with a self-panicking value", func() any { return fzSelfPanicJSON{} }, markPanic, false, false},
	{"panic(nil)", func() any { return fzNilPanic{} }, markPanic, false, false},
	{"error cycle", func() any { return &fzCycleError{msg: "cycle"} }, "", false, false},
	{"Unwrap panics", func() any { return fzUnwrapPanics{} }, "", false, false},
	{"joined hostile errors", func() any {
		return errors.Join(nil, fzPanicError{}, (*fzPtrError)(nil), &fzCycleError{msg: "c"})
	}, markPanic, false, false},
	{"pkg/errors around a panicking error", func() any { return pkgerrors.Wrap(pkgerrors.WithStack(fzPanicError{}), "ctx") }, markPanic, false, false},
	{"error whose Format panics", func() any { return fzFormatError{} }, "", false, false},
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
	{"MarshalText panics in a map key", func() any { return map[fzPanicText]int{{}: 1} }, markPanic, false, false},
	{"chan, func and nil", func() any {
		return struct {
			C chan int
			F func()
			N any
			P *int
		}{C: make(chan int), F: func() {}}
	}, "", false, false},
	{"hidden String panics", func() any { return fzHidden{s: fzPanicStringer{}} }, markPanic, true, false},
	{"hidden typed nil Stringer", func() any { return fzHidden{s: (*fzPtrStringer)(nil)} }, markPanic, true, false},
	{"deep pointers", func() any {
		var n *fzNode
		for i := range 200 {
			n = &fzNode{Name: strconv.Itoa(i), Next: n}
		}
		return n
	}, markDepth, false, false},
	{"far time", func() any { return time.Unix(1<<40, 0) }, "", false, false},
	{"raw message", func() any { return json.RawMessage("{\xff") }, "", false, false},
	{"nil", func() any { return nil }, "", false, false},
	{"uint64 beyond int64", func() any { return uint64(math.MaxUint64) }, "", false, false},
}

// fzEnv is what every run of a fuzz target shares.
type fzEnv struct {
	tr     *fzTransport
	client *sentry.Client
	mu     sync.Mutex
	told   []string // errors given to the error handler during one run
}

func newFzEnv(f *testing.F) *fzEnv {
	env := &fzEnv{tr: &fzTransport{}}
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
func (env *fzEnv) options(unique bool) []logsentry.Option {
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
func (env *fzEnv) run(t *testing.T, what string, marks []string, log func(ctx context.Context)) {
	t.Helper()
	hub := sentry.NewHub(env.client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	env.mu.Lock()
	env.told = nil
	env.mu.Unlock()
	env.tr.take()
	events, logs := env.tr.counts()

	log(ctx)
	env.client.Flush(5 * time.Second) // the batched logs

	events2, logs2 := env.tr.counts()
	failures, last := env.tr.take()
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
		if got := strings.Count(string(last), jsonText(m)); got < n {
			t.Errorf("%s: event with %d %q, want at least %d: %.3000s", what, got, m, n, last)
		}
	}
}

// jsonText is s as encoding/json writes it inside a string.
func jsonText(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw[1 : len(raw)-1])
}

// Hostile values of zap's own interfaces.

type fzPanicObject struct{}

func (fzPanicObject) MarshalLogObject(zapcore.ObjectEncoder) error {
	panic("MarshalLogObject exploded")
}

type fzPanicArray struct{}

func (fzPanicArray) MarshalLogArray(zapcore.ArrayEncoder) error { panic("MarshalLogArray exploded") }

type fzFailingObject struct{}

func (fzFailingObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("half", "done")
	return errors.New("MarshalLogObject failed")
}

type fzFailingArray struct{}

func (fzFailingArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	enc.AppendString("half")
	return errors.New("MarshalLogArray failed")
}

// fzNilObject is a typed nil ObjectMarshaler whose method dereferences it.
type fzNilObject struct{ f []zap.Field }

func (o *fzNilObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, f := range o.f {
		f.AddTo(enc)
	}
	return nil
}

// fzZapHostiles are hostile values of zap's interfaces, for zap.Any.
var fzZapHostiles = []fzHostile{
	{"MarshalLogObject panics", func() any { return fzPanicObject{} }, markPanic, false, true},
	{"MarshalLogArray panics", func() any { return fzPanicArray{} }, markPanic, false, true},
	{"MarshalLogObject fails", func() any { return fzFailingObject{} }, "MarshalLogObject failed", false, false},
	{"MarshalLogArray fails", func() any { return fzFailingArray{} }, "MarshalLogArray failed", false, false},
	{"typed nil ObjectMarshaler", func() any { return zapcore.ObjectMarshaler((*fzNilObject)(nil)) }, markPanic, false, true},
}

// fzArray is a zap.ArrayMarshaler of elements appended by their type.
type fzArray []any

func (a fzArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, e := range a {
		var err error
		switch x := e.(type) {
		case string:
			enc.AppendString(x)
		case []byte:
			enc.AppendByteString(x)
		case int64:
			enc.AppendInt64(x)
		case uint64:
			enc.AppendUint64(x)
		case float64:
			enc.AppendFloat64(x)
		case complex128:
			enc.AppendComplex128(x)
		case bool:
			enc.AppendBool(x)
		case time.Time:
			enc.AppendTime(x)
		case zapcore.ObjectMarshaler:
			err = enc.AppendObject(x)
		case zapcore.ArrayMarshaler:
			err = enc.AppendArray(x)
		default:
			err = enc.AppendReflected(x)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// zapField reads one field. checked says whether it sits where its
// placeholder must show: not inside an array (which becomes a value the
// bridge bounds in depth and size).
func (r *fzReader) zapField(depth int, checked bool) zap.Field {
	r.nodes--
	op := r.byte()
	if depth >= fzMaxDepth && op%16 >= 10 {
		op = 0
	}
	switch op % 16 {
	case 0:
		return zap.String(r.key(false), r.str())
	case 1:
		return zap.Int64(r.key(false), int64(r.u64()))
	case 2:
		return zap.Uint64(r.key(false), r.u64()|1<<63)
	case 3:
		return zap.Float64(r.key(false), r.float())
	case 4:
		return zap.Float32(r.key(false), float32(r.float()))
	case 5:
		return zap.Complex128(r.key(false), complex(r.float(), r.float()))
	case 6:
		return zap.Binary(r.key(false), []byte(r.str()))
	case 7:
		return zap.ByteString(r.key(false), []byte(r.str()))
	case 8:
		k := r.key(false)
		switch r.byte() % 8 {
		case 0:
			return zap.Bool(k, true)
		case 1:
			return zap.Duration(k, time.Duration(r.u64()))
		case 2:
			return zap.Time(k, r.time())
		case 3:
			return zap.Timep(k, nil)
		case 4:
			return zap.Stringp(k, nil)
		case 5:
			return zap.Uintptr(k, uintptr(r.u64()))
		case 6:
			return zap.Stack(k)
		}
		return zap.Skip()
	case 9:
		return zap.Namespace(r.key(false))
	case 10: // a dict: its fields are a group
		k := r.key(false)
		return zap.Dict(k, r.zapFields(depth+1, checked)...)
	case 11: // inline: its fields belong to the parent
		return zap.Inline(zap.DictObject(r.zapFields(depth+1, checked)...))
	case 12:
		k := r.key(false)
		switch r.byte() % 4 {
		case 0:
			return zap.Array(k, r.zapArray(depth+1))
		case 1:
			return zap.Objects(k, []zapcore.ObjectMarshaler{
				zap.DictObject(r.zapFields(depth+1, false)...),
				zap.DictObject(r.zapFields(depth+1, false)...),
			})
		case 2:
			// No marks: as the exception, each error shows its own
			// placeholder; as a field, one for the errors.Join of all.
			errs := []error{nil}
			for range int(r.byte() % 4) {
				h := r.hostile(nil)
				if err, ok := h.make().(error); ok {
					errs = append(errs, err)
					r.whole = r.whole || h.whole
				}
			}
			return zap.Errors(k, errs)
		}
		h := r.hostile(nil)
		if s, ok := h.make().(fmt.Stringer); ok {
			r.whole = r.whole || h.mark == markPanic // Stringers does not recover
			return zap.Stringers(k, []fmt.Stringer{s, s})
		}
		return zap.Strings(k, []string{r.str(), r.str()})
	case 13, 14:
		k := r.key(false)
		h := r.hostile(fzZapHostiles)
		if r.inWith && h.withLost {
			r.expect(h.mark, false)
		} else {
			r.expect(h.mark, checked)
		}
		r.whole = r.whole || h.whole
		return zap.Any(k, h.make())
	default:
		k := r.key(false)
		switch r.byte() % 3 {
		case 0:
			return zap.Reflect(k, fzZapMap(r.zapFields(depth+1, false)))
		case 1:
			r.whole = true
			return zapcore.Field{Key: k, Type: zapcore.FieldType(200), Interface: r.str()} // unknown type: AddTo panics
		}
		return zap.StackSkip(k, int(r.byte()%4))
	}
}

// zapFields reads up to 4 fields.
func (r *fzReader) zapFields(depth int, checked bool) []zap.Field {
	n := int(r.byte() % 5)
	var fields []zap.Field
	for i := 0; i < n && r.more(); i++ {
		fields = append(fields, r.zapField(depth, checked))
	}
	return fields
}

// topFields reads up to 4 fields of a call. The marks of a field on which
// the encoder panics (whole) are dropped: the field becomes one placeholder.
func (r *fzReader) topFields() []zap.Field {
	n := int(r.byte() % 5)
	var fields []zap.Field
	for i := 0; i < n && r.more(); i++ {
		marks := len(r.marks)
		r.whole = false
		fields = append(fields, r.zapField(0, true))
		if r.whole {
			r.marks = r.marks[:marks]
		}
	}
	return fields
}

// zapArray reads up to 4 array elements.
func (r *fzReader) zapArray(depth int) fzArray {
	n := int(r.byte() % 5)
	var a fzArray
	for i := 0; i < n && r.more(); i++ {
		r.nodes--
		switch r.byte() % 10 {
		case 0:
			a = append(a, r.str())
		case 1:
			a = append(a, []byte(r.str()))
		case 2:
			a = append(a, int64(r.u64()))
		case 3:
			a = append(a, r.u64()|1<<63)
		case 4:
			a = append(a, r.float())
		case 5:
			a = append(a, complex(r.float(), r.float()))
		case 6:
			a = append(a, r.time())
		case 7:
			if depth < fzMaxDepth {
				a = append(a, zap.DictObject(r.zapFields(depth+1, false)...))
			}
		case 8:
			if depth < fzMaxDepth {
				a = append(a, r.zapArray(depth+1))
			}
		default:
			h := r.hostile(fzZapHostiles)
			r.whole = r.whole || h.whole
			a = append(a, h.make())
		}
	}
	return a
}

// fzZapMap turns fields into a map, for zap.Reflect.
func fzZapMap(fields []zap.Field) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		switch {
		case f.Interface != nil:
			m[f.Key] = f.Interface
		case f.String != "":
			m[f.Key] = f.String
		default:
			m[f.Key] = f.Integer
		}
	}
	return m
}

// fzZapEntry is a decoded program: the logger after its With and Named
// calls, and the entry to log through it.
type fzZapEntry struct {
	logger *zap.Logger
	level  zapcore.Level
	msg    string
	fields []zap.Field
	direct bool      // write an entry of time t to the core, not through the logger
	t      time.Time // for direct
	marks  []string
}

// decodeZap decodes data into calls on logger.
func decodeZap(data []byte, logger *zap.Logger, unique bool) fzZapEntry {
	r := newFzReader(data, unique)
	flags := r.byte()
	e := fzZapEntry{level: zapcore.ErrorLevel, direct: flags&1 == 1}
	if flags&2 != 0 {
		e.level = zapcore.DPanicLevel // does not panic: no zap.Development
	}
	if e.direct {
		e.t = r.time()
	}
	e.msg = r.str()
	for r.more() {
		switch r.byte() % 8 {
		case 0:
			r.inWith = true
			logger = logger.With(r.topFields()...)
			r.inWith = false
		case 1:
			logger = logger.Named(r.str())
		default:
			e.fields = append(e.fields, r.topFields()...)
		}
	}
	e.logger, e.marks = logger, r.marks
	return e
}

// log logs the entry with ctx, which names the hub, as its last field.
func (e *fzZapEntry) log(ctx context.Context) {
	fields := append(slices.Clip(e.fields), zapsentry.Context(ctx))
	if e.direct {
		ent := zapcore.Entry{Level: e.level, Time: e.t, LoggerName: e.logger.Name(), Message: e.msg}
		if ce := e.logger.Core().Check(ent, nil); ce != nil {
			ce.Write(fields...)
		}
		return
	}
	e.logger.Log(e.level, e.msg, fields...)
}

// FuzzCore decodes the input into zap fields of every type (namespaces,
// dicts, inline objects, arrays, errors, stacks, reflected values, hostile
// values of zap's and Go's interfaces), With and Named calls and one error
// entry, and logs it through two cores: one with the default redaction,
// and one without, whose keys are made unique so that the placeholder of
// each hostile value can be looked for in the event.
func FuzzCore(f *testing.F) {
	env := newFzEnv(f)
	opts := []logsentry.Option{zapsentry.WithLogLevel(zapcore.ErrorLevel)}
	redacted := zap.New(zapsentry.NewCore(slices.Concat(opts, env.options(false))...), zap.AddCaller())
	plain := zap.New(zapsentry.NewCore(slices.Concat(opts, env.options(true))...), zap.AddCaller())

	f.Fuzz(func(t *testing.T, data []byte) {
		e := decodeZap(data, redacted, false)
		env.run(t, "redacted", nil, e.log)
		e = decodeZap(data, plain, true)
		env.run(t, "plain", e.marks, e.log)
	})
}
