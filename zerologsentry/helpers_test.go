package zerologsentry_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		childMain(mode) // exits
	}
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait on the receiver.
const waitFor = 5 * time.Second

// setup starts a receiver and returns it with a hub on a real client that
// sends to it.
func setup(t *testing.T, opts sentry.ClientOptions) (*sentrytest.Receiver, *sentry.Hub) {
	t.Helper()
	rcv := sentrytest.NewReceiver(t)
	return rcv, rcv.NewHub(t, opts)
}

// newLogger returns a zerolog logger that writes to out and w, with w as
// its hook: the documented wiring.
func newLogger(w *zerologsentry.Writer, out io.Writer) zerolog.Logger {
	return zerolog.New(zerolog.MultiLevelWriter(out, w)).Hook(w)
}

// hubCtx returns a context carrying hub.
func hubCtx(hub *sentry.Hub) context.Context {
	return sentry.SetHubOnContext(context.Background(), hub)
}

// flush sends everything the hub's client buffered, failing t on timeout.
func flush(t testing.TB, hub *sentry.Hub) {
	t.Helper()
	if !hub.Flush(waitFor) {
		t.Fatalf("hub.Flush timed out")
	}
}

// eventByMessage returns the event whose message is msg.
func eventByMessage(t testing.TB, evs []sentrytest.Event, msg string) sentrytest.Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Message == msg {
			return ev
		}
	}
	t.Fatalf("no event with message %q among %d events: %q", msg, len(evs), messages(evs))
	return sentrytest.Event{}
}

func messages(evs []sentrytest.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Message
	}
	return out
}

// logByBody returns the log whose body is body.
func logByBody(t testing.TB, logs []sentrytest.Log, body string) sentrytest.Log {
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
	return sentrytest.Log{}
}

// breadcrumbMessages lists the messages of ev's breadcrumbs, oldest first.
func breadcrumbMessages(ev sentrytest.Event) []string {
	out := make([]string, len(ev.Breadcrumbs))
	for i, b := range ev.Breadcrumbs {
		out[i] = b.Message
	}
	return out
}

// threadFrames returns the frames of threads[0].stacktrace, where the SDK
// puts the stack of an event without exception.
func threadFrames(t testing.TB, ev sentrytest.Event) []sentrytest.Frame {
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
	var threads []struct {
		Stacktrace sentrytest.Stacktrace `json:"stacktrace"`
	}
	if err := json.Unmarshal(raw.Threads, &threads); err != nil {
		var w struct {
			Values []struct {
				Stacktrace sentrytest.Stacktrace `json:"stacktrace"`
			} `json:"values"`
		}
		if err := json.Unmarshal(raw.Threads, &w); err != nil {
			t.Fatalf("decode threads %s: %v", raw.Threads, err)
		}
		threads = w.Values
	}
	if len(threads) == 0 {
		return nil
	}
	return threads[0].Stacktrace.Frames
}

// exceptionFrames returns the frames of the event's last exception.
func exceptionFrames(ev sentrytest.Event) []sentrytest.Frame {
	if len(ev.Exception) == 0 || ev.Exception[len(ev.Exception)-1].Stacktrace == nil {
		return nil
	}
	return ev.Exception[len(ev.Exception)-1].Stacktrace.Frames
}

// nextLine returns the line after the caller's: call it on the line just
// above a logging call to get that call's line.
func nextLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line + 1
}

// thisFunc returns the name of the calling function as Sentry frames give
// it: without the package path ("TestX.func1").
func thisFunc() string {
	pc, _, _, _ := runtime.Caller(1)
	name := runtime.FuncForPC(pc).Name()
	name = name[strings.LastIndex(name, "/")+1:]
	return name[strings.Index(name, ".")+1:]
}

// checkFrames fails t if a frame belongs to zerolog or to a non-test
// package of this module, or if the top frame is not want.
func checkFrames(t testing.TB, frames []sentrytest.Frame, wantFunc string, wantLine int) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatalf("no frames")
	}
	for _, f := range frames {
		if strings.HasPrefix(f.Module, "github.com/rs/zerolog") {
			t.Errorf("frame of zerolog: %+v", f)
		}
		if (f.Module == "github.com/logsentry/logsentry" || strings.HasPrefix(f.Module, "github.com/logsentry/logsentry/")) &&
			!strings.HasSuffix(f.Module, "_test") {
			t.Errorf("frame of this module: %+v", f)
		}
		if f.Module == "github.com/getsentry/sentry-go" || f.Module == "runtime" || f.Module == "testing" {
			t.Errorf("frame of %s: %+v", f.Module, f)
		}
	}
	top := frames[len(frames)-1]
	if top.Function != wantFunc || top.Lineno != wantLine || !strings.HasSuffix(top.AbsPath, "_test.go") {
		t.Errorf("top frame = %s %s:%d (module %s), want %s at line %d", top.Function, top.AbsPath, top.Lineno, top.Module, wantFunc, wantLine)
	}
}

// attrs returns the event's "attributes" context.
func attrs(ev sentrytest.Event) map[string]any {
	m := ev.Contexts["attributes"]
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// lookup follows a path through nested maps.
func lookup(m map[string]any, path ...string) (any, bool) {
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

// nopTransport drops everything; for fuzzing and benchmarks, where only
// the conversion is measured.
type nopTransport struct{ events *atomic.Int64 }

func (nopTransport) Configure(sentry.ClientOptions) {}
func (t nopTransport) SendEvent(*sentry.Event) {
	if t.events != nil {
		t.events.Add(1)
	}
}
func (nopTransport) Flush(time.Duration) bool              { return true }
func (nopTransport) FlushWithContext(context.Context) bool { return true }
func (nopTransport) Close()                                {}

// nopHub returns a hub on an enabled client that sends nowhere; the client
// is closed when tb ends.
func nopHub(tb testing.TB) *sentry.Hub {
	tb.Helper()
	client, err := sentry.NewClient(sentry.ClientOptions{Transport: nopTransport{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope())
}
