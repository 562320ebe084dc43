package logsentry

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// Bounds that keep one record's conversion small whatever a field holds.
const (
	maxDepth       = 8        // nesting of groups, maps, slices and structs
	maxItems       = 100      // elements kept per map, slice or struct
	maxStringBytes = 16 << 10 // bytes kept per string
)

// placeholders for values that cannot be sent as they are.
const (
	truncatedMark = "…[truncated]"
	depthMark     = "[max depth]"
)

// str returns s as a valid, bounded, redacted UTF-8 string.
func (b *Bridge) str(s string) string {
	if len(s) > maxStringBytes {
		cut := maxStringBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + truncatedMark
	}
	if !utf8.ValidString(s) {
		s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	return b.redactor.String(s)
}

// float returns f, or its name when JSON cannot carry it (NaN, ±Inf): the
// SDK drops a whole event whose JSON encoding fails.
func float(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return f
}

// safeAny converts an arbitrary Go value into one encoding/json can always
// encode: nil, bool, int64, uint64, float64, string, []any or map[string]any.
// It follows encoding/json's rules (json.Marshaler, encoding.TextMarshaler,
// exported struct fields and their json tags), except that errors give their
// Error text, as slog's JSON handler does. Methods that panic, cycles and
// oversized values yield placeholders; nothing it calls can crash the caller.
func (b *Bridge) safeAny(v any, depth int) (out any) {
	if v == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			out = b.panicked(v, r)
		}
	}()
	if depth > maxDepth {
		return depthMark
	}
	switch x := v.(type) {
	case string:
		return b.str(x)
	case bool, int64, uint64:
		return x
	case int:
		return int64(x)
	case float64:
		return float(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case error:
		if isNilPointer(v) {
			return "<nil>"
		}
		return b.str(x.Error())
	case json.Marshaler:
		if isNilPointer(v) {
			return nil
		}
		raw, err := x.MarshalJSON()
		if err != nil {
			return b.str("!ERROR in MarshalJSON: " + err.Error())
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			return b.str(string(raw))
		}
		return b.safeAny(tree, depth+1)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return float(f)
		}
		return string(x)
	case encoding.TextMarshaler:
		if isNilPointer(v) {
			return nil
		}
		text, err := x.MarshalText()
		if err != nil {
			return b.str("!ERROR in MarshalText: " + err.Error())
		}
		return b.str(string(text))
	case []byte:
		return b.str(string(x))
	}
	return b.reflectValue(reflect.ValueOf(v), depth)
}

func (b *Bridge) reflectValue(rv reflect.Value, depth int) any {
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return float(rv.Float())
	case reflect.Complex64, reflect.Complex128:
		return fmt.Sprint(rv.Complex())
	case reflect.String:
		return b.str(rv.String())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return b.safeAny(rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		n := min(rv.Len(), maxItems)
		out := make([]any, n, n+1)
		for i := range n {
			out[i] = b.safeElem(rv.Index(i), depth+1)
		}
		if rv.Len() > n {
			out = append(out, fmt.Sprintf("…[%d more]", rv.Len()-n))
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return nil
		}
		out := make(map[string]any, min(rv.Len(), maxItems))
		iter := rv.MapRange()
		for iter.Next() {
			if len(out) == maxItems {
				out["…"] = fmt.Sprintf("[%d more]", rv.Len()-maxItems)
				break
			}
			k := b.mapKey(iter.Key())
			if b.redactor.SensitiveKey(k) {
				out[k] = filtered
				continue
			}
			out[k] = b.safeElem(iter.Value(), depth+1)
		}
		return out
	case reflect.Struct:
		t := rv.Type()
		out := make(map[string]any, min(t.NumField(), maxItems))
		for i := 0; i < t.NumField() && len(out) < maxItems; i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, ok := f.Tag.Lookup("json"); ok {
				tagName, _, _ := cutComma(tag)
				if tagName == "-" {
					continue
				}
				if tagName != "" {
					name = tagName
				}
			}
			if b.redactor.SensitiveKey(name) {
				out[name] = filtered
				continue
			}
			out[name] = b.safeElem(rv.Field(i), depth+1)
		}
		if len(out) == 0 {
			if s, ok := rv.Interface().(fmt.Stringer); ok {
				return b.str(s.String())
			}
		}
		return out
	case reflect.Invalid:
		return nil
	default: // chan, func, unsafe pointer
		return "<" + rv.Type().String() + ">"
	}
}

// safeElem converts a collection element, using its methods when it can be
// taken as an interface (unexported struct fields cannot).
func (b *Bridge) safeElem(rv reflect.Value, depth int) any {
	if rv.CanInterface() {
		return b.safeAny(rv.Interface(), depth)
	}
	if depth > maxDepth {
		return depthMark
	}
	return b.reflectValue(rv, depth)
}

func (b *Bridge) mapKey(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return b.str(k.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok && !isNilPointer(tm) {
			if text, err := tm.MarshalText(); err == nil {
				return b.str(string(text))
			}
		}
	}
	return b.str(fmt.Sprint(k))
}

func cutComma(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// isNilPointer reports whether v is a typed nil (a nil pointer, map, slice,
// func or channel in a non-nil interface), whose methods may well panic.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// panicked reports a panic raised by a user method while converting v, and
// returns the placeholder that takes v's place.
func (b *Bridge) panicked(v any, r any) string {
	msg := fmt.Sprintf("!PANIC converting %T: %v", v, r)
	b.reportError(fmt.Errorf("logsentry: %s", msg))
	return b.str(msg)
}

func (b *Bridge) reportError(err error) {
	if h := b.cfg.errorHandler; h != nil {
		func() {
			defer func() { _ = recover() }()
			h(err)
		}()
	}
}
