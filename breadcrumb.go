package logsentry

import (
	"log/slog"
	"maps"
	"slices"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/breadcrumbs"
)

// A breadcrumb's bounds. An event carries up to the client's
// MaxBreadcrumbs of them (100 by default), and Sentry rejects an event of
// more than 1 MB whole, losing the error it reports: a request that logs a
// 16 KB body on each of its info lines must not cost it its error event.
// 100 breadcrumbs of at most about 5 KB each leave half of that megabyte to
// the event's own data.
const (
	maxCrumbMessage = 1 << 10 // bytes of the message, as JSON
	maxCrumbData    = 4 << 10 // bytes of the data's keys and values, as JSON
)

func (b *Bridge) addBreadcrumb(hub *sentry.Hub, client *sentry.Client, r *Record, n *normalized) {
	var data map[string]any
	if len(n.fields) > 0 || n.err != nil || n.hasUser {
		size := len(n.fields)
		if n.err != nil {
			size++
		}
		d := crumbData{m: make(map[string]any, size), jsonBudget: jsonBudget{left: maxCrumbData}}
		var errText string
		if n.err != nil {
			// Its room is kept first; it is set last, under "error", or
			// under "exception.message" (as in Sentry logs) when a field
			// holds "error", or "logsentry.error" when both are fields:
			// nothing is lost.
			errText = truncateJSON(b.str(b.shownText(n.err)), maxCrumbData/2)
			d.left -= jsonStringLen(errText) + len(`"exception.message":,`)
		}
		if n.hasUser {
			b.flatUser(client, n.user, d.add)
		}
		n.flatFields(d.add)
		if n.err != nil {
			d.m[freeKey(d.m, "error", "exception.message", "logsentry.error")] = errText
		}
		if d.dropped > 0 {
			d.m[truncatedFields] = droppedNote(d.dropped)
		}
		if len(d.m) > 0 {
			data = d.m
		}
	}
	msg := truncateJSON(n.message, maxCrumbMessage)
	hub.AddBreadcrumb(breadcrumbs.New(r.Severity.SentryLevel(), n.logger, msg, data, jsonTime(r.Time)), nil)
}

// crumbData fills a breadcrumb's data within maxCrumbData bytes of JSON.
type crumbData struct {
	m map[string]any
	jsonBudget
}

func (d *crumbData) add(key string, v slog.Value) {
	if v, ok := d.fit(key, v); ok {
		d.m[key] = v.Any()
	}
}

// freeKey returns the first of keys that m does not hold, or the last one.
func freeKey(m map[string]any, keys ...string) string {
	for _, k := range keys[:len(keys)-1] {
		if _, taken := m[k]; !taken {
			return k
		}
	}
	return keys[len(keys)-1]
}

// flatUser calls yield with the fields of the record's user as breadcrumbs
// and Sentry Logs carry fields: flat, "user.id", "user.plan"; e-mail,
// username, IP address and personal data only when the client's
// DataCollection (or SendDefaultPII) allows user information, as for the
// event's user.
func (b *Bridge) flatUser(client *sentry.Client, u sentry.User, yield func(key string, v slog.Value)) {
	u = b.gateUser(client, u)
	for _, f := range [...]struct{ key, val string }{
		{"user.id", u.ID}, {"user.email", u.Email}, {"user.username", u.Username},
		{"user.ip_address", u.IPAddress}, {"user.name", u.Name},
	} {
		if f.val != "" {
			yield(f.key, slog.StringValue(f.val))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(u.Data)) {
		yield("user."+k, slog.StringValue(u.Data[k]))
	}
}
