package logsentry_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, sentrytest.LeakOptions...) }

// waitFor bounds every wait on the receiver.
const waitFor = sentrytest.WaitFor

// nilCtx is a nil context, which Emit, Flush and Hub accept.
var nilCtx context.Context

// noRate switches the per-fingerprint event rate limit off, for tests that
// send many events of one fingerprint.
var noRate = logsentry.WithEventRate(0, 0)

// emit calls b.Emit as an adapter does from inside a logging call: the
// record's PC is the call site of emit, which is on the stack while Emit
// runs.
//
//go:noinline
func emit(ctx context.Context, b *logsentry.Bridge, r logsentry.Record) {
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	r.PC = pcs[0]
	b.Emit(ctx, r)
}

// jsonOf returns the compact JSON of v, with map keys sorted; numbers
// decoded as json.Number keep their text.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%#v): %v", v, err)
	}
	return string(b)
}

// threadFrames returns the frames of the first thread's stack trace of a
// message-only event, read from its raw JSON.
func threadFrames(t testing.TB, ev sentrytest.Event) []sentrytest.Frame {
	t.Helper()
	frames, _ := threadOf(t, ev)
	return frames
}

// threadOf returns the frames and the crashed flag of the first thread of a
// message-only event.
func threadOf(t testing.TB, ev sentrytest.Event) (frames []sentrytest.Frame, crashed bool) {
	t.Helper()
	var raw struct {
		Threads json.RawMessage `json:"threads"`
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil {
		t.Fatalf("event JSON: %v", err)
	}
	type thread struct {
		Stacktrace *sentrytest.Stacktrace `json:"stacktrace"`
		Current    bool                   `json:"current"`
		Crashed    bool                   `json:"crashed"`
	}
	var threads []thread
	if len(raw.Threads) > 0 && raw.Threads[0] == '{' {
		var w struct {
			Values []thread `json:"values"`
		}
		if err := json.Unmarshal(raw.Threads, &w); err != nil {
			t.Fatalf("threads: %v", err)
		}
		threads = w.Values
	} else if len(raw.Threads) > 0 {
		if err := json.Unmarshal(raw.Threads, &threads); err != nil {
			t.Fatalf("threads: %v", err)
		}
	}
	if len(threads) == 0 || threads[0].Stacktrace == nil {
		t.Fatalf("event has no thread stack trace: %s", ev.Raw)
	}
	if !threads[0].Current {
		t.Errorf("thread not marked current: %s", raw.Threads)
	}
	return threads[0].Stacktrace.Frames, threads[0].Crashed
}

// checkFrames fails t if frames is empty, if its last (most recent) frame is
// not function fn at line, or if any frame belongs to this module's
// non-test packages, to the runtime or to package testing.
func checkFrames(t testing.TB, frames []sentrytest.Frame, fn string, line int) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatal("no frames")
	}
	top := frames[len(frames)-1]
	if top.Function != fn || top.Lineno != line || !strings.HasSuffix(top.AbsPath, "_test.go") {
		t.Errorf("top frame = %s %s:%d (%s), want %s line %d", top.Function, top.Filename, top.Lineno, top.Module, fn, line)
	}
	for _, f := range frames {
		if f.Module == "github.com/logsentry/logsentry" || strings.HasPrefix(f.Module, "github.com/logsentry/logsentry/") ||
			f.Module == "runtime" || f.Module == "testing" {
			t.Errorf("frame of %s in stack: %+v", f.Module, f)
		}
	}
}

// recorder collects what a WithErrorHandler function is told.
type recorder struct {
	mu   sync.Mutex
	errs []error
}

func (r *recorder) handle(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *recorder) all() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// contains reports whether one of the recorded errors' text contains s.
func (r *recorder) contains(s string) bool {
	for _, err := range r.all() {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}
