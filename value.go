package logsentry

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds that keep one record's conversion small whatever a field holds.
const (
	maxDepth       = 8        // nesting of groups, maps, slices and structs
	maxItems       = 100      // elements kept per map, slice or struct
	maxStringBytes = 16 << 10 // bytes kept per string
	// maxNodes and maxValueBytes bound one field's whole value. Depth and
	// width alone do not: a slice or map that holds itself (or shares one
	// big child) n times would expand to n^maxDepth values.
	maxNodes      = 2048     // values converted per field
	maxValueBytes = 64 << 10 // string bytes kept per field
)

// placeholders for values that cannot be sent as they are.
const (
	truncatedMark = "…[truncated]"
	depthMark     = "[max depth]"
)

// truncate returns s if it has at most n bytes, else its first n bytes or
// fewer (a whole number of UTF-8 sequences) followed by truncatedMark.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncatedMark
}

// str returns s as a valid, bounded, redacted UTF-8 string.
func (b *Bridge) str(s string) string {
	long := len(s) > maxStringBytes
	if long {
		// Redact before the cut, or a secret that straddles it would
		// lose the part its pattern needs ("@host" after a URL's
		// password, a token's last characters) and go out unfiltered;
		// but not the whole of a huge string: a window of redactMargin
		// bytes past the cut sees every secret that starts before it.
		s = s[:runeStart(s, maxStringBytes+redactMargin)]
	}
	if !utf8.ValidString(s) {
		s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	s = b.redactor.String(s)
	if long {
		s = truncate(s, maxStringBytes)
	}
	return s
}

// redactMargin is how far past the cut of a long string redaction looks:
// more than the longest secret it finds (a PEM block of a 4096-bit RSA key
// is about 3.3 KB).
const redactMargin = 8 << 10

// runeStart returns the largest i <= n, at most len(s), at which a UTF-8
// sequence of s starts.
func runeStart(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
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

// Snapshot returns v as Emit converts a field's value: nil, a bool, a
// number, a string, or []any and map[string]any of these, bounded, cycle-
// and panic-safe, with secrets redacted. No later change to v (a map or a
// slice the caller goes on using) affects it. Adapters whose loggers keep
// fields beyond one call (zap's With) take their values' snapshots then, so
// that those fields read the same as the same values given to one call.
// An error or an *http.Request is returned as it is: Emit makes the first
// the exception and the second the event's request.
func (b *Bridge) Snapshot(v any) (out any) {
	switch v.(type) {
	case error, *http.Request:
		return v
	}
	defer func() {
		if r := recover(); r != nil {
			out = b.panicked(v, r)
		}
	}()
	return b.safeAny(v, 0)
}

// SnapshotAttrs returns attrs with their LogValuers resolved and every
// other value that holds references replaced by its [Bridge.Snapshot], in
// groups too; errors and *http.Request values, which Emit treats apart
// (the exception, the event's request), are kept as they are. A handler
// whose WithAttrs keeps attrs for later records uses it, as slog's own
// handlers format them once: a map the caller changes later, even
// concurrently, is never read again. attrs is not modified.
//
// groups are the groups open where attrs are added (slog's WithGroup): the
// replace function ([WithReplaceAttr]) sees each value first, as logged,
// with its group path, as slog's handlers call ReplaceAttr when they
// format attrs; Emit calls it again, on what it returned, converted.
func (b *Bridge) SnapshotAttrs(groups []string, attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		if a, ok := b.snapshotAttr(groups, a, 0); ok {
			out = append(out, a)
		}
	}
	return out
}

func (b *Bridge) snapshotAttr(groups []string, a slog.Attr, depth int) (slog.Attr, bool) {
	if _, isErr := errorValue(a.Value); isErr && (a.Value.Kind() == slog.KindLogValuer || b.cfg.replaceAttr == nil) {
		return a, true // the exception, kept; a plain one goes through replace
	}
	a, v := b.resolveAttr(groups, a, true)
	if a.Key == "" && v.Kind() != slog.KindGroup {
		return a, false // dropped by the replace function
	}
	switch v.Kind() {
	case slog.KindGroup:
		if depth >= maxDepth {
			return slog.String(a.Key, truncatedMark), true
		}
		g := v.Group()
		inner := groups
		if a.Key != "" {
			inner = append(slices.Clip(groups), a.Key)
		}
		out := make([]slog.Attr, 0, len(g))
		for _, ga := range g {
			if ga, ok := b.snapshotAttr(inner, ga, depth+1); ok {
				out = append(out, ga)
			}
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}, true
	case slog.KindAny:
		if x := v.Any(); x != nil {
			v = slog.AnyValue(b.Snapshot(x)) // errors and requests as they are
		}
	}
	return slog.Attr{Key: a.Key, Value: v}, true // a scalar: no reference to follow
}

// safeAny converts an arbitrary Go value into one encoding/json can always
// encode: nil, bool, int64, uint64, float64, string, []any or map[string]any.
// It follows encoding/json's rules (json.Marshaler, encoding.TextMarshaler,
// exported struct fields, embedded structs and the json tag's name, "-",
// omitempty and omitzero), except that errors give their Error text, as
// slog's JSON handler does. Methods that panic, cycles and oversized values
// yield placeholders; nothing it calls can crash the caller. The whole
// conversion is bounded by maxNodes values and maxValueBytes string bytes.
func (b *Bridge) safeAny(v any, depth int) any {
	c := converter{b: b, nodes: maxNodes, bytes: maxValueBytes}
	return c.any(v, depth)
}

// converter is one safeAny conversion and what is left of its budget.
type converter struct {
	b     *Bridge
	nodes int // values left to convert
	bytes int // string bytes left
}

// take spends one value of the budget; false when it is spent.
func (c *converter) take() bool {
	if c.nodes <= 0 {
		return false
	}
	c.nodes--
	return true
}

// str is [Bridge.str] within the conversion's string budget.
func (c *converter) str(s string) string { return c.spend(c.b.str(s)) }

// spend returns s, a string made ready to go out, cut to what is left of
// the conversion's string budget, and takes its length from the budget.
func (c *converter) spend(s string) string {
	s = truncate(s, c.bytes)
	c.bytes -= len(s)
	return s
}

func (c *converter) any(v any, depth int) (out any) {
	if v == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			out = c.b.panicked(v, r)
		}
	}()
	if !c.take() {
		return truncatedMark
	}
	if depth > maxDepth {
		return depthMark
	}
	switch x := v.(type) {
	case string:
		return c.str(x)
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
		return c.str(x.Error())
	case json.Marshaler:
		if isNilPointer(v) {
			return nil
		}
		raw, err := x.MarshalJSON()
		if err != nil {
			return c.str("!ERROR in MarshalJSON: " + err.Error())
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			return c.str(string(raw))
		}
		return c.any(tree, depth+1)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		if f, err := x.Float64(); err == nil {
			return float(f)
		}
		return c.str(string(x))
	case encoding.TextMarshaler:
		if isNilPointer(v) {
			return nil
		}
		text, err := x.MarshalText()
		if err != nil {
			return c.str("!ERROR in MarshalText: " + err.Error())
		}
		return c.str(string(text))
	case []byte:
		return c.str(string(x))
	case *http.Request:
		if x == nil {
			return nil
		}
		return c.requestSummary(x)
	case http.Request:
		return c.requestSummary(&x)
	case slog.Value:
		return c.slogValue(x, depth)
	case slog.Attr:
		return c.slogAttrs([]slog.Attr{x}, depth)
	case []slog.Attr:
		return c.slogAttrs(x, depth)
	}
	return c.reflect(reflect.ValueOf(v), depth)
}

// requestType is http.Request, which a field never shows whole.
var requestType = reflect.TypeFor[http.Request]()

func (c *converter) reflect(rv reflect.Value, depth int) any {
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
		return c.str(rv.String())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		// Not a level of nesting in JSON; cycles of pointers are bounded
		// by the budget.
		return c.elem(rv.Elem(), depth)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		n := rv.Len()
		out := make([]any, 0, min(n, maxItems)+1)
		for i := range n {
			if i == maxItems || c.nodes <= 0 {
				out = append(out, fmt.Sprintf("…[%d more]", n-i))
				break
			}
			out = append(out, c.elem(rv.Index(i), depth+1))
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return nil
		}
		out := make(map[string]any, min(rv.Len(), maxItems))
		iter := rv.MapRange()
		for iter.Next() {
			if len(out) == maxItems || c.nodes <= 0 {
				out["…"] = fmt.Sprintf("[%d more]", rv.Len()-len(out))
				break
			}
			k := c.mapKey(iter.Key())
			if c.b.redactor.SensitiveKey(k) {
				out[k] = filtered
				continue
			}
			out[k] = c.elem(iter.Value(), depth+1)
		}
		return out
	case reflect.Struct:
		out := make(map[string]any, min(rv.NumField(), maxItems))
		if !c.fields(rv, out, depth, 0) && rv.CanInterface() {
			// No field encoding/json would show: the String method, if
			// any, says more than {}.
			if s, ok := rv.Interface().(fmt.Stringer); ok {
				return c.str(s.String())
			}
		}
		return out
	case reflect.Invalid:
		return nil
	default: // chan, func, unsafe pointer
		return "<" + rv.Type().String() + ">"
	}
}

// fields adds the fields of struct rv that encoding/json would encode to
// out, the fields of embedded structs promoted unless a shallower field has
// the same name. It reports whether rv has any such field, empty or not.
func (c *converter) fields(rv reflect.Value, out map[string]any, depth, embedded int) (visible bool) {
	t := rv.Type()
	var promoted []reflect.Value
	for i := 0; i < t.NumField() && len(out) < maxItems && c.nodes > 0; i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			// An embedded http.Request is not promoted, as encoding/json
			// would: it is a field of its own, kept to its summary
			// (headers and the client's address stay out).
			if ft.Kind() == reflect.Struct && ft != requestType {
				visible = true
				fv := rv.Field(i)
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() || !f.IsExported() {
						continue
					}
					fv = fv.Elem()
				}
				promoted = append(promoted, fv)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		visible = true
		if name == "" {
			name = f.Name
		}
		if _, dup := out[name]; dup {
			continue // a shallower field of that name wins
		}
		fv := rv.Field(i)
		if omitted(fv, opts) {
			continue
		}
		if c.b.redactor.SensitiveKey(name) {
			out[name] = filtered
			continue
		}
		out[name] = c.elem(fv, depth+1)
	}
	if embedded < maxDepth {
		for _, fv := range promoted {
			if c.fields(fv, out, depth, embedded+1) {
				visible = true
			}
		}
	}
	return visible
}

// omitted reports whether the json tag options opts leave out field value v.
func omitted(v reflect.Value, opts string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		switch o {
		case "omitzero":
			if v.IsZero() {
				return true
			}
		case "omitempty":
			switch v.Kind() {
			case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
				if v.Len() == 0 {
					return true
				}
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
				reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
				if v.IsZero() {
					return true
				}
			}
		}
	}
	return false
}

// elem converts a collection element, using its methods when it can be
// taken as an interface (fields reached through an unexported embedded
// struct cannot).
func (c *converter) elem(rv reflect.Value, depth int) any {
	if rv.CanInterface() {
		return c.any(rv.Interface(), depth)
	}
	if !c.take() {
		return truncatedMark
	}
	if depth > maxDepth {
		return depthMark
	}
	return c.reflect(rv, depth)
}

func (c *converter) mapKey(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return c.spend(c.b.redactKey(k.String()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok && !isNilPointer(tm) {
			if text, err := tm.MarshalText(); err == nil {
				return c.str(string(text))
			}
		}
	}
	return c.str(fmt.Sprint(k))
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
	b.stats.panics.Add(1)
	msg := fmt.Sprintf("!PANIC converting %T: %s", v, panicText(r))
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

// panicText returns the text of a recovered panic value. A value whose own
// String or Error method panics (fmt then panics while printing it) gets
// its type instead.
func panicText(r any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("(%T)", r)
		}
	}()
	return fmt.Sprint(r)
}

// slogValue converts a slog.Value found inside another value (a []slog.Attr
// in a slice, say), within this conversion's depth and budget: its String
// method would format cyclic data without end.
func (c *converter) slogValue(v slog.Value, depth int) any {
	v = c.b.resolve(v)
	switch v.Kind() {
	case slog.KindGroup:
		return c.slogAttrs(v.Group(), depth+1)
	case slog.KindAny:
		return c.any(v.Any(), depth+1)
	case slog.KindString:
		return c.str(v.String())
	}
	return c.b.value(v).Any() // a scalar
}

// slogAttrs converts attrs found inside another value into a map.
func (c *converter) slogAttrs(attrs []slog.Attr, depth int) any {
	if depth > maxDepth {
		return depthMark
	}
	out := make(map[string]any, min(len(attrs), maxItems))
	for _, a := range attrs {
		if len(out) == maxItems || !c.take() {
			out["…"] = fmt.Sprintf("[%d more]", len(attrs)-len(out))
			break
		}
		k, sensitive := c.b.key(a.Key)
		if sensitive {
			out[k] = filtered
			continue
		}
		out[k] = c.slogValue(a.Value, depth)
	}
	return out
}
