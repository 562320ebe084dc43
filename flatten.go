package logsentry

import (
	"log/slog"
	"slices"
	"strings"
)

// Breadcrumbs and Sentry Logs carry a record's fields as one flat set of
// keys, where events keep them nested (contexts). A group's fields are
// already separate fields with a dotted path; a map or struct value (what
// safeAny made a map[string]any) is flattened the same way here, so that
// the same data gives the same keys whether it came as a slog group, a zap
// Namespace or ObjectMarshaler, a logrus map, a struct, or a zerolog
// object.

// flatFields calls yield with the dotted key and value of every leaf of
// every field of n, in field order (see flatLeaves).
func (n *normalized) flatFields(yield func(key string, v slog.Value)) {
	if n.hasUser {
		// The record's user goes out as user.* too (flatUser): a field
		// named so ("user.id", an OTel key) goes under field., so that
		// neither overwrites the other. Without a record user, it stays
		// as it is: that field is how the program names its user.
		inner := yield
		yield = func(key string, v slog.Value) {
			if strings.HasPrefix(key, userKey+".") {
				key = fieldPrefix + key
			}
			inner(key, v)
		}
	}
	for i := range n.fields {
		n.fields[i].flatLeaves(yield)
	}
}

// flatLeaves calls yield with the dotted key and value of every leaf of
// field f: f itself when its value is not a non-empty map, else each
// scalar, list or empty map inside it, in key order.
func (f *field) flatLeaves(yield func(key string, v slog.Value)) {
	key := f.key
	if len(f.groups) > 0 {
		key = f.path()
	}
	if f.val.Kind() == slog.KindAny {
		if m, ok := f.val.Any().(map[string]any); ok && len(m) > 0 {
			flattenMap(key, m, yield)
			return
		}
	}
	yield(key, f.val)
}

func flattenMap(prefix string, m map[string]any, yield func(string, slog.Value)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key := prefix + "." + k
		if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
			flattenMap(key, sub, yield)
			continue
		}
		yield(key, slog.AnyValue(m[k]))
	}
}
