package logsentry

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/getsentry/sentry-go"
)

const filtered = "[Filtered]"

// filteredValue is the value of a field whose key is sensitive.
var filteredValue = slog.StringValue(filtered)

// field is one converted, redacted record field: a JSON-safe value under
// key, inside the groups named by groups (outermost first).
//
// The value is a slog.Value so that scalars (strings above all) are carried
// without boxing: the Sentry Logs path hands them to typed setters and never
// needs an interface. Its kind is String, Int64, Uint64, Float64 (finite),
// Bool, or Any holding nil, []any or map[string]any; see [field.any].
type field struct {
	groups []string // shared between siblings; never appended to in place
	key    string
	val    slog.Value
}

// any returns the field's value as one encoding/json can always encode:
// nil, bool, int64, uint64, float64, string, []any or map[string]any.
func (f *field) any() any { return f.val.Any() }

// path returns the field's dotted key: "http.request.method".
func (f *field) path() string {
	if len(f.groups) == 0 {
		return f.key
	}
	return strings.Join(f.groups, ".") + "." + f.key
}

// normalized is a record after the one conversion pass that every output
// shares: fields resolved, replaced, redacted and made JSON-safe, and the
// special fields (error, user, fingerprint, logger) taken out.
type normalized struct {
	message     string
	logger      string
	err         error
	fields      []field
	buf         *fieldBuf // where fields came from, if pooled
	fingerprint []string
	user        sentry.User
	hasUser     bool
	request     *http.Request // the first top-level *http.Request field

	// userFingerprint is the result of WithFingerprint's function, called
	// once per event record (before the rate limit, which keys on it).
	userFingerprint []string

	// rateLimitedBefore counts events of this fingerprint refused by the
	// rate limit since the last one sent.
	rateLimitedBefore uint64
}

// fieldBufs recycles the field slices of normalized records: every output
// copies what it needs out of them (into maps, log attributes, tags), so a
// slice is free again once Emit has handed the record to the SDK.
var fieldBufs = sync.Pool{New: func() any { return new(fieldBuf) }}

type fieldBuf struct{ fields []field }

// maxPooledFields is the capacity above which a slice is left to the
// garbage collector rather than kept for reuse.
const maxPooledFields = 64

// initFields gives n an empty field slice with room for size fields, from
// the pool when size is small enough.
func (n *normalized) initFields(size int) {
	if size > maxPooledFields {
		n.fields = make([]field, 0, size)
		return
	}
	n.buf = fieldBufs.Get().(*fieldBuf)
	n.fields = n.buf.fields[:0]
}

// release returns n's field slice to the pool, cleared so that the pool
// holds on to no value of a record. n's fields must not be used after.
func (n *normalized) release() {
	if n.buf == nil {
		return
	}
	f := n.fields
	n.fields = nil
	if cap(f) > maxPooledFields {
		f = nil // grew past the bound while walking: let it go
	}
	// Only the used part: past it the slice is still zero, as every slice
	// in the pool is.
	clear(f)
	n.buf.fields = f[:0]
	fieldBufs.Put(n.buf)
	n.buf = nil
}

// userKey is the top-level group whose fields describe the user.
const userKey = "user"

// normalize converts r for the outputs. It is small enough to inline, so
// the normalized value lives on the caller's stack (Emit's): none of its
// consumers retains it.
func (b *Bridge) normalize(r *Record) *normalized {
	n := new(normalized)
	b.normalizeInto(n, r)
	return n
}

func (b *Bridge) normalizeInto(n *normalized, r *Record) {
	n.logger, n.err = r.Logger, r.Err
	errIdx := -1
	if n.err == nil {
		errIdx = b.promotedError(r.Attrs)
		if errIdx >= 0 {
			n.err = r.Attrs[errIdx].Value.Any().(error)
		}
	}
	n.initFields(len(r.Attrs))
	for i, a := range r.Attrs {
		if i == errIdx {
			b.walkPromoted(n, a)
			continue
		}
		b.walk(n, nil, a, true)
	}
	if n.logger == "" {
		n.logger = b.cfg.loggerName
	}
	// The event's logger and every breadcrumb's category: Sentry keeps 64
	// characters of the logger, and 100 breadcrumbs of a 16 KB name would
	// make an event too big to send.
	n.logger = truncate(n.logger, maxLoggerName)
	n.message = r.Message
	if n.message == "" && n.err != nil {
		n.message = b.shownText(n.err)
	}
	n.message = b.str(n.message)
}

// promotedError returns the index of the top-level attr whose error becomes
// the exception: the first under a configured error key (in key order), else
// the first holding an error, never one under a sensitive key (its field
// is filtered); -1 if none.
func (b *Bridge) promotedError(attrs []slog.Attr) int {
	best, bestRank := -1, len(b.cfg.errorKeys)+1
	for i, a := range attrs {
		if _, ok := errorValue(a.Value); !ok || b.sensitive(a.Key) {
			continue // under a sensitive key: a filtered field, no exception
		}
		rank := b.cfg.isErrorKey(a.Key)
		if rank < 0 {
			rank = len(b.cfg.errorKeys)
		}
		if rank < bestRank {
			best, bestRank = i, rank
		}
	}
	return best
}

// errorValue returns the error v holds: an error, or a LogValuer that is an
// error (whose LogValue shows it as a field, as slog's docs suggest for
// types with something to hide or to structure).
func errorValue(v slog.Value) (error, bool) {
	if k := v.Kind(); k != slog.KindAny && k != slog.KindLogValuer {
		return nil, false
	}
	err, ok := v.Any().(error)
	return err, ok
}

// walkPromoted walks the top-level attr a whose error normalize made the
// exception (n.err). A LogValuer error is also a field, as its LogValue
// shows it. The replace function sees a plain error as slog's handlers
// show it: returning it with an empty key, or with a value that is no
// error, takes the exception away (what it returns, if anything, is then a
// field like any other).
func (b *Bridge) walkPromoted(n *normalized, a slog.Attr) {
	if a.Value.Kind() == slog.KindLogValuer {
		b.walk(n, nil, a, true) // the field; n.err is set already
		return
	}
	if b.cfg.replaceAttr == nil {
		return
	}
	ra, err := b.replacePromoted(a)
	if n.err = err; err == nil {
		b.walkAttr(n, nil, ra, true, false)
	}
}

// replacePromoted passes a, the top-level field whose plain error is the
// exception, through the replace function, and returns what it returned
// and the error that still is the exception: the one it holds, or nil when
// it was dropped or made no error.
func (b *Bridge) replacePromoted(a slog.Attr) (slog.Attr, error) {
	ra := b.replace(nil, a)
	if err, ok := ra.Value.Any().(error); ok && ra.Value.Kind() == slog.KindAny && ra.Key != "" {
		return ra, err
	}
	return ra, nil
}

// walk adds attribute a, found inside groups, to n.
func (b *Bridge) walk(n *normalized, groups []string, a slog.Attr, top bool) {
	b.walkAttr(n, groups, a, top, true)
}

// walkAttr is walk; replace says whether the replace function is still to
// be called on a (it was, by walkPromoted).
func (b *Bridge) walkAttr(n *normalized, groups []string, a slog.Attr, top, replace bool) {
	lvErr, _ := errorValue(a.Value) // before LogValue, which hides it
	if a.Value.Kind() != slog.KindLogValuer {
		lvErr = nil // a plain error: found below, as the field's value
	}
	a, v := b.resolveAttr(groups, a, replace)
	if a.Key == "" && v.Kind() != slog.KindGroup {
		return // slog: an attr with an empty key is ignored
	}
	key, sensitive := b.key(a.Key)
	a.Key = key
	if lvErr != nil && n.err == nil && !sensitive && !(top && a.Key == userKey) {
		// No top-level error: the first error anywhere is the exception,
		// and a LogValuer error's LogValue is its field.
		n.err = lvErr
	}
	if v.Kind() == slog.KindGroup {
		attrs := v.Group()
		if len(attrs) == 0 {
			return // slog: an empty group is ignored
		}
		if a.Key == "" { // inline group: its attrs belong to the parent
			for _, ga := range attrs {
				b.walk(n, groups, ga, top)
			}
			return
		}
		if sensitive {
			n.fields = append(n.fields, field{groups: groups, key: a.Key, val: filteredValue})
			return
		}
		if top && a.Key == userKey {
			b.user(n, attrs)
			return
		}
		inner := append(slices.Clip(groups), a.Key)
		for _, ga := range attrs {
			b.walk(n, inner, ga, false)
		}
		return
	}
	if top {
		switch a.Key {
		case "fingerprint":
			if fp := b.fingerprintValue(v); fp != nil {
				n.fingerprint = fp
				return
			}
		case "logger":
			if v.Kind() == slog.KindString && v.String() != "" {
				n.logger = b.str(v.String())
				return
			}
		case userKey:
			// A sentry.User, a struct or a map under "user" is the user
			// too, not a field that would carry its email and IP past
			// the PII check.
			if attrs := b.userAttrs(v); attrs != nil {
				b.user(n, attrs)
				return
			}
		}
	}
	if sensitive {
		n.fields = append(n.fields, field{groups: groups, key: a.Key, val: filteredValue})
		return
	}
	if top && n.request == nil && v.Kind() == slog.KindAny {
		if req, ok := v.Any().(*http.Request); ok && req != nil {
			n.request = req // the event's request; the field keeps a summary
		}
	}
	if n.err == nil && v.Kind() == slog.KindAny {
		// No top-level error: the first error anywhere, say in a group
		// opened with WithGroup, becomes the exception.
		if err, ok := v.Any().(error); ok {
			n.err = err
			return
		}
	}
	n.fields = append(n.fields, field{groups: groups, key: a.Key, val: b.value(v)})
}

// resolveAttr resolves a's value and, with replace, passes a non-group
// value through the replace function (WithReplaceAttr), resolving what it
// returns. It returns the attr and its resolved value.
func (b *Bridge) resolveAttr(groups []string, a slog.Attr, replace bool) (slog.Attr, slog.Value) {
	v := b.resolve(a.Value)
	if replace && v.Kind() != slog.KindGroup && b.cfg.replaceAttr != nil {
		a = b.replace(groups, slog.Attr{Key: a.Key, Value: v})
		v = b.resolve(a.Value)
	}
	return a, v
}

// maxLogValues bounds the LogValue calls that resolve one value, as slog
// does.
const maxLogValues = 100

// resolve is slog.Value.Resolve, except that a panicking LogValue becomes a
// placeholder reported to the error handler: Resolve turns it into an error
// value holding a stack trace, which would pass for the record's error.
func (b *Bridge) resolve(v slog.Value) slog.Value {
	for range maxLogValues {
		if v.Kind() != slog.KindLogValuer {
			return v
		}
		v = b.logValue(v.LogValuer())
	}
	if v.Kind() == slog.KindLogValuer {
		return slog.StringValue(fmt.Sprintf("!ERROR LogValue called too many times on %T", v.Any()))
	}
	return v
}

func (b *Bridge) logValue(lv slog.LogValuer) (out slog.Value) {
	defer func() {
		if r := recover(); r != nil {
			out = slog.StringValue(b.panicked(lv, r))
		}
	}()
	return lv.LogValue()
}

func (b *Bridge) replace(groups []string, a slog.Attr) (out slog.Attr) {
	defer func() {
		if r := recover(); r != nil {
			out = slog.String(a.Key, b.panicked(b.cfg.replaceAttr, r))
		}
	}()
	return b.cfg.replaceAttr(groups, a)
}

// value converts a resolved, non-group slog value into a field value (see
// [field]).
func (b *Bridge) value(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(b.str(v.String()))
	case slog.KindInt64, slog.KindUint64, slog.KindBool:
		return v
	case slog.KindFloat64:
		if f := v.Float64(); math.IsNaN(f) || math.IsInf(f, 0) {
			return slog.AnyValue(float(f)) // its name: a string
		}
		return v
	case slog.KindDuration:
		return slog.StringValue(v.Duration().String())
	case slog.KindTime:
		return slog.StringValue(v.Time().Format(time.RFC3339Nano))
	default:
		// AnyValue keeps a converted scalar scalar, and nil, []any and
		// map[string]any as KindAny.
		return slog.AnyValue(b.safeAny(v.Any(), 0))
	}
}

func (b *Bridge) fingerprintValue(v slog.Value) []string {
	switch v.Kind() {
	case slog.KindString:
		return []string{b.str(v.String())}
	case slog.KindAny:
		if s := stringList(v.Any()); len(s) > 0 {
			fp := make([]string, len(s))
			for i := range s {
				fp[i] = b.str(s[i])
			}
			return fp
		}
	}
	return nil
}

// stringList returns v as a list of strings if it is a []string, or a []any
// of strings only (what zap's and zerolog's arrays become); else nil.
func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil
			}
			out[i] = s
		}
		return out
	}
	return nil
}

// userAttrs returns the fields of a top-level "user" value that is not a
// group: a sentry.User, a *sentry.User, any other struct or a map, as
// encoding/json would encode it; nil for anything else.
func (b *Bridge) userAttrs(v slog.Value) []slog.Attr {
	if v.Kind() != slog.KindAny {
		return nil
	}
	m, ok := b.safeAny(v.Any(), 0).(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	return mapAttrs(m)
}

// mapAttrs returns the entries of m as attrs, in key order.
func mapAttrs(m map[string]any) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		attrs = append(attrs, slog.Any(k, m[k]))
	}
	return attrs
}

// user reads the fields of the top-level "user" group. Fields that are not
// part of Sentry's user interface go to User.Data, and so do those of a
// "data" group or map in it (sentry.User's Data).
func (b *Bridge) user(n *normalized, attrs []slog.Attr) {
	userLeft, dropped := 0, 0
	addData := func(k, s string) {
		key, sensitive := b.key(k)
		if sensitive {
			s = filtered
		}
		if n.user.Data == nil {
			n.user.Data = make(map[string]string)
			userLeft = maxUserData
		}
		if size := jsonStringLen(key) + jsonStringLen(s) + 2; size <= userLeft {
			n.user.Data[key] = s
			userLeft -= size
		} else {
			dropped++
		}
	}
	for _, a := range attrs {
		v := b.resolve(a.Value)
		if strings.EqualFold(a.Key, "data") {
			// A "data" group, or map (sentry.User's Data), is the data.
			var data []slog.Attr
			if v.Kind() == slog.KindGroup {
				data = v.Group()
			} else if m, ok := v.Any().(map[string]any); ok && v.Kind() == slog.KindAny {
				data = mapAttrs(m)
			}
			if data != nil {
				for _, da := range data {
					if dv := b.resolve(da.Value); dv.Kind() != slog.KindGroup {
						addData(da.Key, truncateJSON(plainString(b.value(dv).Any()), maxUserValue))
					}
				}
				continue
			}
		}
		if v.Kind() == slog.KindGroup {
			continue
		}
		// never v.String(): fmt has no cycle check
		s := truncateJSON(plainString(b.value(v).Any()), maxUserValue)
		switch userField(a.Key) {
		case "id":
			n.user.ID = s
		case "email", "emailaddress":
			n.user.Email = s
		case "username":
			n.user.Username = s
		case "name":
			n.user.Name = s
		case "ipaddress", "ip":
			n.user.IPAddress = s
		default:
			addData(a.Key, s)
		}
	}
	if dropped > 0 {
		n.user.Data[truncatedFields] = droppedNote(dropped)
	}
	n.hasUser = !n.user.IsEmpty()
}

// userField is k lower-cased without '_' and '-': the user's fields match
// whatever the case and separators of a struct's field names or a map's
// keys ("IPAddress", "ip_address", "Email").
func userField(k string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, k)
}

// personalData reports whether the user data key k names an e-mail
// address or an IP address, which only go out when user information is
// allowed, as the user's own email and ip_address do.
func personalData(k string) bool {
	k = userField(k)
	if strings.Contains(k, "email") {
		return true
	}
	switch k {
	case "ip", "ipaddr", "ipv4", "ipv6", "clientip", "remoteip", "remoteaddr", "remoteaddress", "realip", "xforwardedfor", "xrealip":
		return true
	}
	return false
}

// Bounds of an event's user: 1 KB of JSON per value, 16 KB for the other
// fields of the "user" group (its data), which are outside the field
// budget.
const (
	maxUserValue = 1 << 10
	maxUserData  = 16 << 10
)

// sensitive reports whether redaction hides the value of the raw key k.
func (b *Bridge) sensitive(k string) bool {
	_, s := b.key(k)
	return s
}

// tree nests the fields into maps by group, for the event's contexts.
// Fields and groups with the same key merge, the later winning.
func tree(fields []field) map[string]any {
	root := make(map[string]any, len(fields))
	b := jsonBudget{left: maxEventFields}
	for i := range fields {
		f := &fields[i]
		m := root
		for _, g := range f.groups {
			sub, ok := m[g].(map[string]any)
			if !ok {
				if b.left <= 0 {
					break // fit drops the field
				}
				b.left -= jsonStringLen(g) + 4 // colon, braces, comma
				sub = make(map[string]any)
				m[g] = sub
			}
			m = sub
		}
		if v, ok := b.fit(f.key, f.val); ok {
			m[f.key] = v.Any()
		}
	}
	if b.dropped > 0 {
		root[truncatedFields] = droppedNote(b.dropped)
	}
	return root
}

// maxEventFields bounds the JSON size of an event's fields (its
// "attributes" context): with its breadcrumbs (see maxCrumbData), an event
// stays under the 1 MB over which Sentry rejects it.
const maxEventFields = 192 << 10

// maxLoggerName bounds a logger name.
const maxLoggerName = 128

// maxKeyBytes bounds a field key or group name.
const maxKeyBytes = 256

// cleanKey returns k as valid UTF-8 of at most maxKeyBytes. Keys are not
// redacted (a key names a value, it is not one) but are bounded: Sentry
// rejects a whole event whose keys are huge.
func cleanKey(k string) string {
	k = truncate(k, maxKeyBytes)
	if !utf8.ValidString(k) {
		k = strings.ToValidUTF8(k, "\uFFFD")
	}
	return k
}

// plainString renders a converted (JSON-safe) value as text: strings as
// they are, composites as JSON.
func plainString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case map[string]any, []any:
		if raw, err := json.Marshal(x); err == nil {
			return string(raw)
		}
	}
	return fmt.Sprint(v)
}
