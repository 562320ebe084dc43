package logsentry

import (
	"log/slog"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/breadcrumbs"
)

func (b *Bridge) addBreadcrumb(hub *sentry.Hub, r *Record, n *normalized) {
	var data map[string]any
	if len(n.fields) > 0 || n.err != nil {
		size := len(n.fields)
		if n.err != nil {
			size++
		}
		data = make(map[string]any, size)
		for i := range n.fields {
			f := &n.fields[i]
			switch {
			case f.nested():
				f.flatLeaves(func(key string, v slog.Value) { data[key] = v.Any() })
			case len(f.groups) == 0:
				data[f.key] = f.any()
			default:
				data[f.path()] = f.any()
			}
		}
		if n.err != nil {
			data["error"] = b.str(b.errorText(n.err))
		}
	}
	hub.AddBreadcrumb(breadcrumbs.New(r.Severity.SentryLevel(), n.logger, n.message, data, jsonTime(r.Time)), nil)
}
