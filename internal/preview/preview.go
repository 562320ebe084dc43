// Package preview is a sentry.Transport that prints, readably, what would be
// sent to Sentry instead of sending it. The examples use it when SENTRY_DSN
// is unset, so they show their effect without an account or a network.
package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
)

// Transport prints events (their exceptions, breadcrumbs, contexts and
// trace), transactions and Sentry logs to W.
type Transport struct {
	mu sync.Mutex
	W  io.Writer
}

var _ sentry.Transport = (*Transport)(nil)

// Configure is a no-op.
func (t *Transport) Configure(sentry.ClientOptions) {}

// Flush reports that everything was sent: printing is synchronous.
func (t *Transport) Flush(time.Duration) bool { return true }

// FlushWithContext reports that everything was sent.
func (t *Transport) FlushWithContext(context.Context) bool { return true }

// Close is a no-op.
func (t *Transport) Close() {}

// SendEvent prints e.
func (t *Transport) SendEvent(e *sentry.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.W
	if e.Type == "log" {
		for _, l := range e.Logs {
			fmt.Fprintf(w, "── Sentry log [%s] %s\n", l.Level, l.Body)
			for _, k := range slices.Sorted(maps.Keys(l.Attributes)) {
				if strings.HasPrefix(k, "sentry.") && k != "sentry.origin" {
					continue
				}
				// As on the wire: the JSON value and Sentry's type name
				// (integer, double, boolean, string, array).
				var wire struct {
					Value json.RawMessage `json:"value"`
					Type  string          `json:"type"`
				}
				raw, err := json.Marshal(l.Attributes[k])
				if err == nil {
					err = json.Unmarshal(raw, &wire)
				}
				if err != nil {
					fmt.Fprintf(w, "     %s: %v\n", k, err)
					continue
				}
				fmt.Fprintf(w, "     %s = %s (%s)\n", k, wire.Value, wire.Type)
			}
		}
		return
	}
	trace := e.Contexts["trace"]
	if e.Type == "transaction" {
		fmt.Fprintf(w, "── Sentry transaction %q op=%v status=%v, %d child span(s), %v\n   trace_id=%v span_id=%v\n",
			e.Transaction, trace["op"], trace["status"], len(e.Spans),
			e.Timestamp.Sub(e.StartTime).Round(time.Microsecond), trace["trace_id"], trace["span_id"])
		return
	}
	fmt.Fprintf(w, "── Sentry event [%s] %q logger=%s\n", e.Level, e.Message, e.Logger)
	defer func() {
		if trace != nil {
			fmt.Fprintf(w, "   trace_id=%v span_id=%v\n", trace["trace_id"], trace["span_id"])
		}
	}()
	for i := len(e.Exception) - 1; i >= 0; i-- {
		ex := e.Exception[i]
		fmt.Fprintf(w, "   exception %s: %s\n", ex.Type, ex.Value)
		if ex.Stacktrace != nil && len(ex.Stacktrace.Frames) > 0 {
			f := ex.Stacktrace.Frames[len(ex.Stacktrace.Frames)-1]
			fmt.Fprintf(w, "     at %s.%s (%s:%d)\n", f.Module, f.Function, shortPath(f), f.Lineno)
		}
	}
	for _, th := range e.Threads {
		if th.Stacktrace != nil && len(th.Stacktrace.Frames) > 0 {
			f := th.Stacktrace.Frames[len(th.Stacktrace.Frames)-1]
			fmt.Fprintf(w, "   logged at %s.%s (%s:%d)\n", f.Module, f.Function, shortPath(f), f.Lineno)
		}
	}
	if len(e.Fingerprint) > 0 {
		fmt.Fprintf(w, "   fingerprint %q\n", e.Fingerprint)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Tags)) {
		fmt.Fprintf(w, "   tag %s=%s\n", k, e.Tags[k])
	}
	if !e.User.IsEmpty() {
		// Only what the event carries: the SDK leaves empty fields out.
		fmt.Fprint(w, "   user")
		for _, kv := range [][2]string{{"id", e.User.ID}, {"username", e.User.Username}, {"email", e.User.Email}, {"ip_address", e.User.IPAddress}} {
			if kv[1] != "" {
				fmt.Fprintf(w, " %s=%q", kv[0], kv[1])
			}
		}
		fmt.Fprintln(w)
	}
	for _, k := range []string{"attributes", "log"} {
		if c, ok := e.Contexts[k]; ok {
			fmt.Fprintf(w, "   context %s: %v\n", k, c)
		}
	}
	for _, b := range e.Breadcrumbs {
		fmt.Fprintf(w, "   breadcrumb [%s] %s: %s %v\n", b.Level, b.Category, b.Message, b.Data)
	}
}

func shortPath(f sentry.Frame) string {
	p := f.AbsPath
	if p == "" {
		p = f.Filename
	}
	if i := strings.LastIndex(p, "/"); i >= 0 {
		if j := strings.LastIndex(p[:i], "/"); j >= 0 {
			return p[j+1:]
		}
	}
	return p
}
