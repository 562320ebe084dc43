package zapsentry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// frame holds the attrs of one level of a record: the root, or a namespace
// opened with zap.Namespace, whose attrs end up in a group named key.
type frame struct {
	key   string
	attrs []slog.Attr
}

// encoder is a zapcore.ObjectEncoder that turns zap fields into slog attrs.
// Fields go to the innermost open namespace (the last frame); close nests the
// namespaces into groups.
type encoder struct {
	frames []frame
	buf    [2]frame // backing store for frames in the common cases

	// ctx is the last context.Context found among the fields, which are then
	// not attrs; nil if none.
	ctx context.Context

	// snap is set while converting the fields of Core.With, which outlive
	// the call: reflected values are converted then by the bridge's own
	// conversion (Bridge.Snapshot), so that a map or slice the caller
	// changes later (maybe concurrently) is never read again, and a value
	// reads the same in With as in the call.
	snap func(any) any

	// For encoders of Write, recycled through writeEncoders: scratch backs
	// the attrs of frames[own], the innermost frame of the core, to which
	// the entry's fields are appended.
	scratch []slog.Attr
	own     int
}

// maxPooledAttrs bounds the scratch slice an encoder keeps for reuse.
const maxPooledAttrs = 64

// writeEncoders recycles the encoders of Write: the bridge keeps nothing of
// a record's attrs once Emit returns.
var writeEncoders = sync.Pool{New: func() any { return new(encoder) }}

// acquireEncoder returns an encoder for an entry with n fields, whose fields
// go after those of frames (the core's). Call release once the attrs are
// no longer used.
func acquireEncoder(frames []frame, ctx context.Context, n int) *encoder {
	e := writeEncoders.Get().(*encoder)
	e.ctx, e.snap = ctx, nil
	if len(frames) == 0 {
		e.frames = append(e.buf[:0], frame{})
	} else {
		e.frames = append(e.buf[:0], frames...)
	}
	e.own = len(e.frames) - 1
	f := &e.frames[e.own]
	e.scratch = append(slices.Grow(e.scratch[:0], len(f.attrs)+n), f.attrs...)
	f.attrs = e.scratch
	return e
}

// release clears the encoder, dropping every reference to the entry's
// values, and recycles it.
func (e *encoder) release() {
	s := e.frames[e.own].attrs // scratch, maybe regrown by appends
	clear(s)
	if cap(s) <= maxPooledAttrs {
		e.scratch = s[:0]
	} else {
		e.scratch = nil
	}
	clear(e.buf[:])
	e.frames, e.ctx = nil, nil
	writeEncoders.Put(e)
}

var _ zapcore.ObjectEncoder = (*encoder)(nil)

// newEncoder returns an encoder for n fields that go after those of frames.
// The attrs slices of frames must have no spare capacity, so appending
// copies.
func newEncoder(frames []frame, ctx context.Context, snap func(any) any, n int) *encoder {
	e := &encoder{ctx: ctx, snap: snap}
	if len(frames) == 0 {
		e.frames = e.buf[:1]
	} else {
		e.frames = append(e.buf[:0], frames...)
	}
	f := &e.frames[len(e.frames)-1]
	f.attrs = slices.Grow(f.attrs, n)
	return e
}

func (e *encoder) add(a slog.Attr) {
	f := &e.frames[len(e.frames)-1]
	f.attrs = append(f.attrs, a)
}

// close nests the open namespaces into groups and returns the root attrs. A
// namespace that holds nothing is dropped, as slog drops empty groups.
func (e *encoder) close() []slog.Attr {
	for i := len(e.frames) - 1; i > 0; i-- {
		if f := e.frames[i]; len(f.attrs) > 0 {
			p := &e.frames[i-1]
			p.attrs = append(p.attrs, slog.Attr{Key: f.key, Value: slog.GroupValue(f.attrs...)})
		}
	}
	return e.frames[0].attrs
}

// addFields adds zap fields. A field whose marshaling panics is replaced by
// a placeholder string and the following fields are still added.
func (e *encoder) addFields(fields []zapcore.Field) {
	for i := 0; i < len(fields); {
		i = e.addFrom(fields, i)
	}
}

func (e *encoder) addFrom(fields []zapcore.Field, i int) (next int) {
	defer func() {
		if r := recover(); r != nil {
			key := fields[next].Key
			if key == "" {
				key = inlinePanicKey // zap.Inline: an empty key would drop it
			}
			e.add(slog.String(key, panicText(fields[next].Interface, r)))
			next++
		}
	}()
	for next = i; next < len(fields); next++ {
		e.addField(&fields[next])
	}
	return next
}

func (e *encoder) addField(f *zapcore.Field) {
	switch f.Type {
	case zapcore.SkipType, zapcore.StringerType, zapcore.ReflectType:
		// Context(ctx) is a SkipType field; zap.Any("ctx", ctx) makes a
		// StringerType one (the standard contexts have a String method),
		// or a ReflectType one for other contexts.
		if ctx, ok := f.Interface.(context.Context); ok {
			if !isNilPointer(ctx) {
				e.ctx = ctx
			}
			return
		}
	case zapcore.ErrorType:
		// Kept as the error itself: the bridge makes it the exception.
		e.add(slog.Any(f.Key, f.Interface))
		return
	case zapcore.ArrayMarshalerType:
		if err, ok := joinErrors(f.Interface); ok {
			e.add(slog.Any(f.Key, err))
			return
		}
	case zapcore.ObjectMarshalerType:
		// An error that is also an ObjectMarshaler (zap.Any and the sugared
		// logger choose the marshaler): the error itself, for the
		// exception, then its object form as the field under the same key.
		if err, ok := f.Interface.(error); ok {
			e.add(slog.Any(f.Key, err))
		}
	case zapcore.InlineMarshalerType:
		// zap.Inline(zap.DictObject(...)): its fields go through addFields,
		// as zap.Object's do, so an error or a context among them stays one.
		if m, ok := f.Interface.(zapcore.ObjectMarshaler); ok {
			if fields, ok := dictFields(m); ok {
				e.addFields(fields)
				return
			}
		}
	}
	f.AddTo(e)
}

// inlinePanicKey is the key of the placeholder of a zap.Inline field whose
// marshaling panicked.
const inlinePanicKey = "!PANIC"

// AddArray adds the elements of m as a []any.
func (e *encoder) AddArray(key string, m zapcore.ArrayMarshaler) error {
	a := &arrayEncoder{elems: []any{}, snap: e.snap}
	err := m.MarshalLogArray(a)
	e.add(slog.Any(key, a.elems))
	return err
}

// AddObject adds the fields of m as a group.
func (e *encoder) AddObject(key string, m zapcore.ObjectMarshaler) error {
	attrs, ctx, err := marshalObject(m, e.snap)
	if ctx != nil {
		e.ctx = ctx // zap.Dict("req", zapsentry.Context(ctx)): the record's context
	}
	e.add(slog.Attr{Key: key, Value: slog.GroupValue(attrs...)})
	return err
}

// marshalObject returns the fields of m as attrs, and the last context
// among them, if any.
func marshalObject(m zapcore.ObjectMarshaler, snap func(any) any) ([]slog.Attr, context.Context, error) {
	sub := newEncoder(nil, nil, snap, 0)
	if fields, ok := dictFields(m); ok {
		// zap.Dict: its fields go through addFields, which keeps an
		// error a value (MarshalLogObject would write its text).
		sub.addFields(fields)
		return sub.close(), sub.ctx, nil
	}
	err := m.MarshalLogObject(sub)
	return sub.close(), sub.ctx, err
}

var (
	fieldsType = reflect.TypeFor[[]zapcore.Field]()
	// dictType is zap's unexported dictObject, the ObjectMarshaler of
	// zap.Dict: a []zapcore.Field.
	dictType = reflect.TypeOf(zap.Dict("").Interface)
)

// dictFields returns the fields of a zap.Dict object. A type of the user's
// that is a slice of fields too has a MarshalLogObject of its own (one that
// masks a value, say), which is used.
func dictFields(m zapcore.ObjectMarshaler) ([]zapcore.Field, bool) {
	v := reflect.ValueOf(m)
	if v.Type() != dictType {
		return nil, false
	}
	return v.Convert(fieldsType).Interface().([]zapcore.Field), true
}

// AddBinary adds an opaque blob, base64-encoded as zap's JSON encoder does.
func (e *encoder) AddBinary(key string, v []byte) {
	e.add(slog.String(key, base64.StdEncoding.EncodeToString(v)))
}

// AddByteString adds UTF-8 bytes as a string.
func (e *encoder) AddByteString(key string, v []byte) { e.add(slog.String(key, string(v))) }

// AddBool adds a bool.
func (e *encoder) AddBool(key string, v bool) { e.add(slog.Bool(key, v)) }

// AddComplex128 adds a complex number as its string form ("1+2i").
func (e *encoder) AddComplex128(key string, v complex128) {
	e.add(slog.String(key, strconv.FormatComplex(v, 'g', -1, 128)))
}

// AddComplex64 adds a complex number as its string form ("1+2i").
func (e *encoder) AddComplex64(key string, v complex64) {
	e.add(slog.String(key, strconv.FormatComplex(complex128(v), 'g', -1, 64)))
}

// AddDuration adds a duration.
func (e *encoder) AddDuration(key string, v time.Duration) { e.add(slog.Duration(key, v)) }

// AddFloat64 adds a float.
func (e *encoder) AddFloat64(key string, v float64) { e.add(slog.Float64(key, v)) }

// AddFloat32 adds a float.
func (e *encoder) AddFloat32(key string, v float32) { e.add(slog.Float64(key, float64(v))) }

// AddInt adds an integer.
func (e *encoder) AddInt(key string, v int) { e.add(slog.Int64(key, int64(v))) }

// AddInt64 adds an integer.
func (e *encoder) AddInt64(key string, v int64) { e.add(slog.Int64(key, v)) }

// AddInt32 adds an integer.
func (e *encoder) AddInt32(key string, v int32) { e.add(slog.Int64(key, int64(v))) }

// AddInt16 adds an integer.
func (e *encoder) AddInt16(key string, v int16) { e.add(slog.Int64(key, int64(v))) }

// AddInt8 adds an integer.
func (e *encoder) AddInt8(key string, v int8) { e.add(slog.Int64(key, int64(v))) }

// AddString adds a string.
func (e *encoder) AddString(key, v string) { e.add(slog.String(key, v)) }

// AddTime adds a time.
func (e *encoder) AddTime(key string, v time.Time) { e.add(slog.Time(key, v)) }

// AddUint adds an unsigned integer.
func (e *encoder) AddUint(key string, v uint) { e.add(slog.Uint64(key, uint64(v))) }

// AddUint64 adds an unsigned integer.
func (e *encoder) AddUint64(key string, v uint64) { e.add(slog.Uint64(key, v)) }

// AddUint32 adds an unsigned integer.
func (e *encoder) AddUint32(key string, v uint32) { e.add(slog.Uint64(key, uint64(v))) }

// AddUint16 adds an unsigned integer.
func (e *encoder) AddUint16(key string, v uint16) { e.add(slog.Uint64(key, uint64(v))) }

// AddUint8 adds an unsigned integer.
func (e *encoder) AddUint8(key string, v uint8) { e.add(slog.Uint64(key, uint64(v))) }

// AddUintptr adds an unsigned integer.
func (e *encoder) AddUintptr(key string, v uintptr) { e.add(slog.Uint64(key, uint64(v))) }

// AddReflected adds any value; the bridge converts it safely when the record
// is emitted (see [encoder.with] for With fields).
func (e *encoder) AddReflected(key string, v any) error {
	if e.snap != nil {
		v = e.snap(v)
	}
	e.add(slog.Any(key, v))
	return nil
}

// OpenNamespace makes the fields that follow, in this call and (for With)
// in later ones, a group named key.
func (e *encoder) OpenNamespace(key string) {
	e.frames = append(e.frames, frame{key: key})
}

// arrayEncoder is a zapcore.ArrayEncoder that collects JSON-like values:
// objects become map[string]any, arrays []any.
type arrayEncoder struct {
	elems []any
	snap  func(any) any // see encoder.snap
}

var _ zapcore.ArrayEncoder = (*arrayEncoder)(nil)

func (a *arrayEncoder) AppendBool(v bool)              { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendByteString(v []byte)      { a.elems = append(a.elems, string(v)) }
func (a *arrayEncoder) AppendFloat64(v float64)        { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendFloat32(v float32)        { a.elems = append(a.elems, float64(v)) }
func (a *arrayEncoder) AppendInt(v int)                { a.elems = append(a.elems, int64(v)) }
func (a *arrayEncoder) AppendInt64(v int64)            { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendInt32(v int32)            { a.elems = append(a.elems, int64(v)) }
func (a *arrayEncoder) AppendInt16(v int16)            { a.elems = append(a.elems, int64(v)) }
func (a *arrayEncoder) AppendInt8(v int8)              { a.elems = append(a.elems, int64(v)) }
func (a *arrayEncoder) AppendString(v string)          { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendUint(v uint)              { a.elems = append(a.elems, uint64(v)) }
func (a *arrayEncoder) AppendUint64(v uint64)          { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendUint32(v uint32)          { a.elems = append(a.elems, uint64(v)) }
func (a *arrayEncoder) AppendUint16(v uint16)          { a.elems = append(a.elems, uint64(v)) }
func (a *arrayEncoder) AppendUint8(v uint8)            { a.elems = append(a.elems, uint64(v)) }
func (a *arrayEncoder) AppendUintptr(v uintptr)        { a.elems = append(a.elems, uint64(v)) }
func (a *arrayEncoder) AppendDuration(v time.Duration) { a.elems = append(a.elems, v) }
func (a *arrayEncoder) AppendTime(v time.Time)         { a.elems = append(a.elems, v) }

func (a *arrayEncoder) AppendComplex128(v complex128) {
	a.elems = append(a.elems, strconv.FormatComplex(v, 'g', -1, 128))
}

func (a *arrayEncoder) AppendComplex64(v complex64) {
	a.elems = append(a.elems, strconv.FormatComplex(complex128(v), 'g', -1, 64))
}

func (a *arrayEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	sub := &arrayEncoder{elems: []any{}, snap: a.snap}
	err := m.MarshalLogArray(sub)
	a.elems = append(a.elems, sub.elems)
	return err
}

func (a *arrayEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	attrs, _, err := marshalObject(m, a.snap)
	a.elems = append(a.elems, attrMap(attrs))
	return err
}

func (a *arrayEncoder) AppendReflected(v any) error {
	if a.snap != nil {
		v = a.snap(v)
	}
	a.elems = append(a.elems, v)
	return nil
}

// attrMap turns attrs into the map[string]any the bridge expects of an
// object inside a list, groups nested as maps.
func attrMap(attrs []slog.Attr) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		if a.Value.Kind() == slog.KindGroup {
			m[a.Key] = attrMap(a.Value.Group())
			continue
		}
		m[a.Key] = a.Value.Any()
	}
	return m
}

var errorSlice = reflect.TypeFor[[]error]()

// joinErrors returns the error of a zap.Errors field, whose marshaler is a
// slice of errors: the one non-nil error, or all of them joined with
// errors.Join, so the bridge reports the whole list as an exception group.
// ok is false when v is not such a slice or holds no error.
func joinErrors(v any) (err error, ok bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.Type().ConvertibleTo(errorSlice) {
		return nil, false
	}
	errs := rv.Convert(errorSlice).Interface().([]error)
	n := 0
	for _, e := range errs {
		if e != nil {
			n++
			err = e
		}
	}
	switch n {
	case 0:
		return nil, false
	case 1:
		return err, true
	}
	return errors.Join(errs...), true
}

// isNilPointer reports whether v holds a nil pointer, whose methods may
// panic.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// panicText describes a panic raised while marshaling a field holding v.
// Formatting the panic value can itself panic; that gives a plainer text.
func panicText(v any, r any) (s string) {
	what := "zap field"
	if v != nil {
		what = fmt.Sprintf("%T", v)
	}
	defer func() {
		if recover() != nil {
			s = "!PANIC converting " + what
		}
	}()
	return fmt.Sprintf("!PANIC converting %s: %v", what, r)
}
