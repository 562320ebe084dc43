package sentrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
)

// WaitFor is the timeout Flush uses; tests use it to bound their waits on a
// Receiver too.
const WaitFor = 5 * time.Second

// NewReceiverHub starts a receiver and returns it with a hub on a real client
// that sends to it (see NewReceiver and Receiver.NewHub).
func NewReceiverHub(t testing.TB, opts sentry.ClientOptions) (*Receiver, *sentry.Hub) {
	t.Helper()
	rcv := NewReceiver(t)
	return rcv, rcv.NewHub(t, opts)
}

// HubContext returns a background context carrying hub.
func HubContext(hub *sentry.Hub) context.Context {
	return sentry.SetHubOnContext(context.Background(), hub)
}

// Flush sends everything the hub's client buffered, failing t if that takes
// longer than WaitFor.
func Flush(t testing.TB, hub *sentry.Hub) {
	t.Helper()
	if !hub.Flush(WaitFor) {
		t.Fatalf("hub.Flush timed out")
	}
}

// BindCurrent binds client to sentry.CurrentHub, on a fresh scope layer, for
// the rest of t, and restores the previous client and scope afterwards. It
// returns sentry.CurrentHub. Tests that call it must not run in parallel.
func BindCurrent(t testing.TB, client *sentry.Client) *sentry.Hub {
	t.Helper()
	cur := sentry.CurrentHub()
	prev := cur.Client()
	cur.PushScope()
	cur.BindClient(client)
	t.Cleanup(func() {
		cur.PopScope()
		cur.BindClient(prev)
	})
	return cur
}

// EventByMessage returns the event of evs whose message is msg, failing t
// if there is none.
func EventByMessage(t testing.TB, evs []Event, msg string) Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Message == msg {
			return ev
		}
	}
	t.Fatalf("no event with message %q among %d events: %q", msg, len(evs), Messages(evs))
	return Event{}
}

// Messages lists the messages of evs, in order.
func Messages(evs []Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Message
	}
	return out
}

// LogByBody returns the log of logs whose body is body, failing t if there
// is none.
func LogByBody(t testing.TB, logs []Log, body string) Log {
	t.Helper()
	for _, l := range logs {
		if l.Body == body {
			return l
		}
	}
	bodies := make([]string, len(logs))
	for i, l := range logs {
		bodies[i] = l.Body
	}
	t.Fatalf("no log with body %q among %q", body, bodies)
	return Log{}
}

// BreadcrumbMessages lists the messages of ev's breadcrumbs, oldest first.
// It returns an empty, non-nil slice when ev has none.
func BreadcrumbMessages(ev Event) []string {
	out := make([]string, len(ev.Breadcrumbs))
	for i, b := range ev.Breadcrumbs {
		out[i] = b.Message
	}
	return out
}

// ThreadFrames returns the frames of threads[0].stacktrace, where the SDK
// puts the call-site stack of an event without exception, read from ev.Raw.
// It accepts both the list and the {"values": [...]} form and returns nil
// when the event has no thread or the thread no stack trace.
func ThreadFrames(t testing.TB, ev Event) []Frame {
	t.Helper()
	var raw struct {
		Threads json.RawMessage `json:"threads"`
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	if len(raw.Threads) == 0 {
		return nil
	}
	type thread struct {
		Stacktrace *Stacktrace `json:"stacktrace"`
	}
	var threads []thread
	if bytes.HasPrefix(bytes.TrimSpace(raw.Threads), []byte("{")) {
		var w struct {
			Values []thread `json:"values"`
		}
		if err := json.Unmarshal(raw.Threads, &w); err != nil {
			t.Fatalf("decode threads %s: %v", raw.Threads, err)
		}
		threads = w.Values
	} else if err := json.Unmarshal(raw.Threads, &threads); err != nil {
		t.Fatalf("decode threads %s: %v", raw.Threads, err)
	}
	if len(threads) == 0 || threads[0].Stacktrace == nil {
		return nil
	}
	return threads[0].Stacktrace.Frames
}

// ExceptionFrames returns the frames of ev's last exception, the one the
// bridge attaches the stack trace to, or nil.
func ExceptionFrames(ev Event) []Frame {
	if len(ev.Exception) == 0 || ev.Exception[len(ev.Exception)-1].Stacktrace == nil {
		return nil
	}
	return ev.Exception[len(ev.Exception)-1].Stacktrace.Frames
}

// NextLine returns the line after its caller's: call it on the line just
// above a logging call to get that call's line.
func NextLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line + 1
}

// ThisFunc returns the name of the calling function as Sentry frames give
// it: without the package path ("TestX.func1").
func ThisFunc() string {
	pc, _, _, _ := runtime.Caller(1)
	name := runtime.FuncForPC(pc).Name()
	name = name[strings.LastIndex(name, "/")+1:]
	return name[strings.Index(name, ".")+1:]
}

// module is the path of the module whose tests use this package.
const module = "github.com/logsentry/logsentry"

// inModule reports whether the module path m is mod or one of its packages.
func inModule(m, mod string) bool {
	return m == mod || strings.HasPrefix(m, mod+"/")
}

// CheckNoLibraryFrames fails t for every frame that belongs to one of the
// foreign modules (a logging library, as "log/slog"), to sentry-go, to
// runtime or to testing, and for every in-app frame of a non-test package
// of this module: frames a call-site stack trace must not show. A frame of
// this module below the call site (breadcrumbs.Middleware serving the
// request) is shown, as not in app.
func CheckNoLibraryFrames(t testing.TB, frames []Frame, foreign ...string) {
	t.Helper()
	for _, f := range frames {
		for _, m := range foreign {
			if inModule(f.Module, m) {
				t.Errorf("frame of %s: %+v", m, f)
			}
		}
		if inModule(f.Module, module) && !strings.HasSuffix(f.Module, "_test") && f.InApp {
			t.Errorf("in-app frame of this module: %+v", f)
		}
		if inModule(f.Module, "github.com/getsentry/sentry-go") || f.Module == "runtime" || f.Module == "testing" {
			t.Errorf("frame of %s: %+v", f.Module, f)
		}
	}
}

// CheckFrames fails t if frames is empty, if CheckNoLibraryFrames finds a
// frame of foreign, or if the top (most recent) frame is not function
// wantFunc (as ThisFunc gives it) at wantLine of a _test.go file.
func CheckFrames(t testing.TB, frames []Frame, wantFunc string, wantLine int, foreign ...string) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatalf("no frames")
	}
	CheckNoLibraryFrames(t, frames, foreign...)
	top := frames[len(frames)-1]
	if top.Function != wantFunc || top.Lineno != wantLine || !strings.HasSuffix(top.AbsPath, "_test.go") {
		t.Errorf("top frame = %s %s:%d (module %s), want %s at line %d", top.Function, top.AbsPath, top.Lineno, top.Module, wantFunc, wantLine)
	}
}

// Plain converts a decoded JSON value (json.Number inside) to plain Go
// values, as slog would have produced them: int64 or float64 numbers,
// nested map[string]any and []any.
func Plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Plain(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = Plain(e)
		}
		return s
	}
	return v
}

// Attrs returns ev's "attributes" context in Plain Go values; an empty map
// if there is none.
func Attrs(ev Event) map[string]any {
	m, _ := Plain(map[string]any(ev.Contexts["attributes"])).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// Lookup follows path through nested map[string]any values from m and
// returns the value at its end, and whether there is one.
func Lookup(m map[string]any, path ...string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// SyncBuffer is a bytes.Buffer safe for concurrent use, for a logger's
// output that tests read while loggers write.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
