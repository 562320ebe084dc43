package zapsentry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/fuzzkit"
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

// fzReader is the shared fuzz reader (internal/fuzzkit) with this
// package's decoding methods.
type fzReader struct {
	*fuzzkit.Reader
	// inWith is set while reading the fields of zap's With; whole when a
	// field read may make zap's encoder panic (see fuzzkit.Hostile).
	inWith, whole bool
}

func newFzReader(data []byte, unique bool) *fzReader {
	return &fzReader{Reader: fuzzkit.NewReader(data, unique)}
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
var fzZapHostiles = []fuzzkit.Hostile{
	{Name: "MarshalLogObject panics", Make: func() any { return fzPanicObject{} }, Mark: fuzzkit.MarkPanic, WithLost: false, Whole: true},
	{Name: "MarshalLogArray panics", Make: func() any { return fzPanicArray{} }, Mark: fuzzkit.MarkPanic, WithLost: false, Whole: true},
	{Name: "MarshalLogObject fails", Make: func() any { return fzFailingObject{} }, Mark: "MarshalLogObject failed", WithLost: false, Whole: false},
	{Name: "MarshalLogArray fails", Make: func() any { return fzFailingArray{} }, Mark: "MarshalLogArray failed", WithLost: false, Whole: false},
	{Name: "typed nil ObjectMarshaler", Make: func() any { return zapcore.ObjectMarshaler((*fzNilObject)(nil)) }, Mark: fuzzkit.MarkPanic, WithLost: false, Whole: true},
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
	r.Nodes--
	op := r.Byte()
	if depth >= fuzzkit.MaxDepth && op%16 >= 10 {
		op = 0
	}
	switch op % 16 {
	case 0:
		return zap.String(r.Key(false), r.Str())
	case 1:
		return zap.Int64(r.Key(false), int64(r.U64()))
	case 2:
		return zap.Uint64(r.Key(false), r.U64()|1<<63)
	case 3:
		return zap.Float64(r.Key(false), r.Float())
	case 4:
		return zap.Float32(r.Key(false), float32(r.Float()))
	case 5:
		return zap.Complex128(r.Key(false), complex(r.Float(), r.Float()))
	case 6:
		return zap.Binary(r.Key(false), []byte(r.Str()))
	case 7:
		return zap.ByteString(r.Key(false), []byte(r.Str()))
	case 8:
		k := r.Key(false)
		switch r.Byte() % 8 {
		case 0:
			return zap.Bool(k, true)
		case 1:
			return zap.Duration(k, time.Duration(r.U64()))
		case 2:
			return zap.Time(k, r.Time())
		case 3:
			return zap.Timep(k, nil)
		case 4:
			return zap.Stringp(k, nil)
		case 5:
			return zap.Uintptr(k, uintptr(r.U64()))
		case 6:
			return zap.Stack(k)
		}
		return zap.Skip()
	case 9:
		return zap.Namespace(r.Key(false))
	case 10: // a dict: its fields are a group
		k := r.Key(false)
		return zap.Dict(k, r.zapFields(depth+1, checked)...)
	case 11: // inline: its fields belong to the parent
		return zap.Inline(zap.DictObject(r.zapFields(depth+1, checked)...))
	case 12:
		k := r.Key(false)
		switch r.Byte() % 4 {
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
			for range int(r.Byte() % 4) {
				h := r.Hostile(nil)
				if err, ok := h.Make().(error); ok {
					errs = append(errs, err)
					r.whole = r.whole || h.Whole
				}
			}
			return zap.Errors(k, errs)
		}
		h := r.Hostile(nil)
		if s, ok := h.Make().(fmt.Stringer); ok {
			r.whole = r.whole || h.Mark == fuzzkit.MarkPanic // Stringers does not recover
			return zap.Stringers(k, []fmt.Stringer{s, s})
		}
		return zap.Strings(k, []string{r.Str(), r.Str()})
	case 13, 14:
		k := r.Key(false)
		h := r.Hostile(fzZapHostiles)
		if r.inWith && h.WithLost {
			r.Expect(h.Mark, false)
		} else {
			r.Expect(h.Mark, checked)
		}
		r.whole = r.whole || h.Whole
		return zap.Any(k, h.Make())
	default:
		k := r.Key(false)
		switch r.Byte() % 3 {
		case 0:
			return zap.Reflect(k, fzZapMap(r.zapFields(depth+1, false)))
		case 1:
			r.whole = true
			return zapcore.Field{Key: k, Type: zapcore.FieldType(200), Interface: r.Str()} // unknown type: AddTo panics
		}
		return zap.StackSkip(k, int(r.Byte()%4))
	}
}

// zapFields reads up to 4 fields.
func (r *fzReader) zapFields(depth int, checked bool) []zap.Field {
	n := int(r.Byte() % 5)
	var fields []zap.Field
	for i := 0; i < n && r.More(); i++ {
		fields = append(fields, r.zapField(depth, checked))
	}
	return fields
}

// topFields reads up to 4 fields of a call. The marks of a field on which
// the encoder panics (whole) are dropped: the field becomes one placeholder.
func (r *fzReader) topFields() []zap.Field {
	n := int(r.Byte() % 5)
	var fields []zap.Field
	for i := 0; i < n && r.More(); i++ {
		marks := len(r.Marks)
		r.whole = false
		fields = append(fields, r.zapField(0, true))
		if r.whole {
			r.Marks = r.Marks[:marks]
		}
	}
	return fields
}

// zapArray reads up to 4 array elements.
func (r *fzReader) zapArray(depth int) fzArray {
	n := int(r.Byte() % 5)
	var a fzArray
	for i := 0; i < n && r.More(); i++ {
		r.Nodes--
		switch r.Byte() % 10 {
		case 0:
			a = append(a, r.Str())
		case 1:
			a = append(a, []byte(r.Str()))
		case 2:
			a = append(a, int64(r.U64()))
		case 3:
			a = append(a, r.U64()|1<<63)
		case 4:
			a = append(a, r.Float())
		case 5:
			a = append(a, complex(r.Float(), r.Float()))
		case 6:
			a = append(a, r.Time())
		case 7:
			if depth < fuzzkit.MaxDepth {
				a = append(a, zap.DictObject(r.zapFields(depth+1, false)...))
			}
		case 8:
			if depth < fuzzkit.MaxDepth {
				a = append(a, r.zapArray(depth+1))
			}
		default:
			h := r.Hostile(fzZapHostiles)
			r.whole = r.whole || h.Whole
			a = append(a, h.Make())
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
	flags := r.Byte()
	e := fzZapEntry{level: zapcore.ErrorLevel, direct: flags&1 == 1}
	if flags&2 != 0 {
		e.level = zapcore.DPanicLevel // does not panic: no zap.Development
	}
	if e.direct {
		e.t = r.Time()
	}
	e.msg = r.Str()
	for r.More() {
		switch r.Byte() % 8 {
		case 0:
			r.inWith = true
			logger = logger.With(r.topFields()...)
			r.inWith = false
		case 1:
			logger = logger.Named(r.Str())
		default:
			e.fields = append(e.fields, r.topFields()...)
		}
	}
	e.logger, e.marks = logger, r.Marks
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
	env := fuzzkit.NewEnv(f)
	opts := []logsentry.Option{zapsentry.WithLogLevel(zapcore.ErrorLevel)}
	redacted := zap.New(zapsentry.NewCore(slices.Concat(opts, env.Options(false))...), zap.AddCaller())
	plain := zap.New(zapsentry.NewCore(slices.Concat(opts, env.Options(true))...), zap.AddCaller())

	f.Fuzz(func(t *testing.T, data []byte) {
		e := decodeZap(data, redacted, false)
		env.Run(t, "redacted", nil, e.log)
		e = decodeZap(data, plain, true)
		env.Run(t, "plain", e.marks, e.log)
	})
}
