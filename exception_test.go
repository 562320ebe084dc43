package logsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	pkgerrors "github.com/pkg/errors"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

type baseErr struct{ code int }

func (e *baseErr) Error() string { return fmt.Sprintf("base %d", e.code) }

// causer has only the pkg/errors Cause method.
type causer struct {
	msg   string
	cause error
}

func (e *causer) Error() string { return e.msg }
func (e *causer) Cause() error  { return e.cause }

// selfErr unwraps to itself.
type selfErr struct{}

func (e *selfErr) Error() string { return "self" }
func (e *selfErr) Unwrap() error { return e }

// valueSelf is a non-pointer error that unwraps to an equal copy.
type valueSelf struct{ msg string }

func (e valueSelf) Error() string { return e.msg }
func (e valueSelf) Unwrap() error { return valueSelf(e) }

// pingPong errors unwrap to each other.
type pingPong struct {
	name  string
	other *pingPong
}

func (e *pingPong) Error() string { return e.name }
func (e *pingPong) Unwrap() error { return e.other }

type nilErr struct{ msg string }

func (e *nilErr) Error() string {
	if e == nil {
		return "nil nilErr"
	}
	return e.msg
}

type panicUnwrap struct{}

func (panicUnwrap) Error() string { return "unwrap panics" }
func (panicUnwrap) Unwrap() error { panic("unwrap boom") }

type panicUnwrapMulti struct{}

func (panicUnwrapMulti) Error() string   { return "multi unwrap panics" }
func (panicUnwrapMulti) Unwrap() []error { panic("multi boom") }

type panicError struct{}

func (panicError) Error() string { panic("error boom") }

// endless unwraps to a new, different error forever.
type endless struct{ n int }

func (e endless) Error() string { return fmt.Sprint("endless ", e.n) }
func (e endless) Unwrap() error { return endless{e.n + 1} }

// exceptionEvent emits one error record for err and returns its event.
func exceptionEvent(t *testing.T, err error, opts ...logsentry.Option) sentrytest.Event {
	t.Helper()
	return exceptionEventFor(t, sentry.ClientOptions{}, err, opts...)
}

func exceptionEventFor(t *testing.T, co sentry.ClientOptions, err error, opts ...logsentry.Option) sentrytest.Event {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, co)
	b := logsentry.New(append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)...)
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "failed", Err: err})
	sentrytest.Flush(t, hub)
	return rcv.WaitEvents(t, 1, waitFor)[0]
}

type wantEx struct {
	typ, value string
	id         int
	parent     int // -1: none
	source     string
	group      bool
}

func checkExceptions(t *testing.T, got []sentrytest.Exception, want []wantEx) {
	t.Helper()
	if len(got) != len(want) {
		var s []string
		for _, e := range got {
			s = append(s, e.Type+": "+e.Value)
		}
		t.Fatalf("got %d exceptions %q, want %d", len(got), s, len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Type != w.typ || e.Value != w.value {
			t.Errorf("exception %d = %s %q, want %s %q", i, e.Type, e.Value, w.typ, w.value)
		}
		m := e.Mechanism
		if len(want) == 1 {
			if m != nil {
				t.Errorf("single exception has mechanism %+v", m)
			}
			continue
		}
		if m == nil {
			t.Errorf("exception %d has no mechanism", i)
			continue
		}
		parent := -1
		if m.ParentID != nil {
			parent = *m.ParentID
		}
		wantType := "chained"
		if w.parent < 0 {
			wantType = "generic"
		}
		if m.ExceptionID != w.id || parent != w.parent || m.Source != w.source || m.IsExceptionGroup != w.group || m.Type != wantType {
			t.Errorf("exception %d mechanism = {id %d parent %d source %q group %v type %s}, want {id %d parent %d source %q group %v type %s}",
				i, m.ExceptionID, parent, m.Source, m.IsExceptionGroup, m.Type, w.id, w.parent, w.source, w.group, wantType)
		}
	}
}

func TestExceptionChain(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	err := fmt.Errorf("outer: %w", fmt.Errorf("mid: %w", &baseErr{7}))
	line := sentrytest.NextLine()
	emit(context.Background(), b, logsentry.Record{Severity: logsentry.SeverityError, Message: "chain", Err: err})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	checkExceptions(t, ev.Exception, []wantEx{
		{"*logsentry_test.baseErr", "base 7", 2, 1, "unwrap", false},
		{"*fmt.wrapError", "mid: base 7", 1, 0, "unwrap", false},
		{"*fmt.wrapError", "outer: mid: base 7", 0, -1, "", false},
	})
	for i, e := range ev.Exception[:2] {
		if e.Stacktrace != nil && len(e.Stacktrace.Frames) > 0 {
			t.Errorf("inner exception %d has a stack trace", i)
		}
	}
	checkFrames(t, ev.Exception[2].Stacktrace.Frames, "TestExceptionChain", line)
	if strings.Contains(string(ev.Raw), `"threads"`) {
		t.Errorf("an exception event also has threads")
	}
}

func TestExceptionJoin(t *testing.T) {
	e1, e2 := errors.New("first"), &baseErr{2}
	err := fmt.Errorf("batch: %w", errors.Join(e1, nil, e2))
	ev := exceptionEvent(t, err)
	checkExceptions(t, ev.Exception, []wantEx{
		{"*logsentry_test.baseErr", "base 2", 3, 1, "errors[1]", false},
		{"*errors.errorString", "first", 2, 1, "errors[0]", false},
		{"*errors.joinError", "first\nbase 2", 1, 0, "unwrap", true},
		{"*fmt.wrapError", "batch: first\nbase 2", 0, -1, "", false},
	})
	if ev.TopFrame().Function != "exceptionEventFor" {
		t.Errorf("top frame = %+v", ev.TopFrame())
	}
	if want := []string{"failed", "*errors.joinError", "first\nbase <int>"}; !reflect.DeepEqual(ev.Fingerprint, want) {
		t.Errorf("fingerprint = %q", ev.Fingerprint)
	}
}

func TestExceptionCause(t *testing.T) {
	err := &causer{"top", &causer{"middle", &baseErr{3}}}
	ev := exceptionEvent(t, err)
	checkExceptions(t, ev.Exception, []wantEx{
		{"*logsentry_test.baseErr", "base 3", 2, 1, "cause", false},
		{"*logsentry_test.causer", "middle", 1, 0, "cause", false},
		{"*logsentry_test.causer", "top", 0, -1, "", false},
	})
}

func TestExceptionPkgErrorsStack(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	rootLine := sentrytest.NextLine()
	root := pkgerrors.New("root cause")
	wrapLine := sentrytest.NextLine()
	err := pkgerrors.Wrap(root, "loading")
	emit(context.Background(), b, logsentry.Record{Severity: logsentry.SeverityError, Message: "pkg", Err: err})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	// withStack -> withMessage -> fundamental: the withMessage, of the
	// same text as its withStack and without a stack, is left out (the
	// SDK would show "loading: root cause" twice).
	checkExceptions(t, ev.Exception, []wantEx{
		{"*errors.fundamental", "root cause", 1, 0, "unwrap", false},
		{"*errors.withStack", "loading: root cause", 0, -1, "", false},
	})
	top := ev.TopFrame()
	if top.Function != "TestExceptionPkgErrorsStack" || top.Lineno != wrapLine {
		t.Errorf("outermost exception's top frame = %s:%d, want the Wrap call at line %d (its own stack, not the call site)",
			top.Function, top.Lineno, wrapLine)
	}
	st := ev.Exception[0].Stacktrace
	if st == nil || len(st.Frames) == 0 || st.Frames[len(st.Frames)-1].Lineno != rootLine {
		t.Errorf("root exception's stack = %+v, want its own, ending at line %d", st, rootLine)
	}
}

// TestExceptionTwins: a wrapper of its parent's text and no stack is left
// out only under an error that carries a stack, and never when it is the
// root cause.
func TestExceptionTwins(t *testing.T) {
	root := errors.New("root")
	tests := []struct {
		name string
		err  error
		want []wantEx
	}{
		{"Wrap of Wrap", pkgerrors.Wrap(pkgerrors.Wrap(root, "a"), "b"), []wantEx{
			{"*errors.errorString", "root", 2, 1, "unwrap", false},
			{"*errors.withStack", "a: root", 1, 0, "unwrap", false},
			{"*errors.withStack", "b: a: root", 0, -1, "", false},
		}},
		{"WithStack of a root cause keeps it", pkgerrors.WithStack(root), []wantEx{
			{"*errors.errorString", "root", 1, 0, "unwrap", false},
			{"*errors.withStack", "root", 0, -1, "", false},
		}},
		{"WithMessage has no stack: kept whole", pkgerrors.WithMessage(fmt.Errorf("w: %w", root), "m"), []wantEx{
			{"*errors.errorString", "root", 2, 1, "unwrap", false},
			{"*fmt.wrapError", "w: root", 1, 0, "unwrap", false},
			{"*errors.withMessage", "m: w: root", 0, -1, "", false},
		}},
		{"%w of the same text without a stack: kept", fmt.Errorf("%w", fmt.Errorf("%w", &baseErr{1})), []wantEx{
			{"*logsentry_test.baseErr", "base 1", 2, 1, "unwrap", false},
			{"*fmt.wrapError", "base 1", 1, 0, "unwrap", false},
			{"*fmt.wrapError", "base 1", 0, -1, "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkExceptions(t, exceptionEvent(t, tt.err).Exception, tt.want)
		})
	}
}

func TestExceptionCycles(t *testing.T) {
	a := &pingPong{name: "ping"}
	a.other = &pingPong{name: "pong", other: a}
	tests := []struct {
		name string
		err  error
		want []wantEx
	}{
		{"unwraps to itself", &selfErr{}, []wantEx{{"*logsentry_test.selfErr", "self", 0, -1, "", false}}},
		{"value unwraps to an equal value", valueSelf{"v"}, []wantEx{{"logsentry_test.valueSelf", "v", 0, -1, "", false}}},
		{"two errors unwrap to each other", a, []wantEx{
			{"*logsentry_test.pingPong", "pong", 1, 0, "unwrap", false},
			{"*logsentry_test.pingPong", "ping", 0, -1, "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkExceptions(t, exceptionEvent(t, tt.err).Exception, tt.want)
		})
	}
}

func TestExceptionDepth(t *testing.T) {
	var err error = &baseErr{0}
	for i := 1; i <= 20; i++ {
		err = fmt.Errorf("wrap %d: %w", i, err)
	}
	const baseType = "*logsentry_test.baseErr"
	tests := []struct {
		name    string
		client  sentry.ClientOptions
		opts    []logsentry.Option
		want    int
		skipped int // on the root cause, when the chain is cut
	}{
		{"client default (100)", sentry.ClientOptions{}, nil, 21, 0},
		{"client MaxErrorDepth 3", sentry.ClientOptions{MaxErrorDepth: 3}, nil, 4, 17},
		{"client MaxErrorDepth -1 is unbounded", sentry.ClientOptions{MaxErrorDepth: -1}, nil, 21, 0},
		{"WithMaxErrorDepth(3) beats the client's", sentry.ClientOptions{MaxErrorDepth: 50}, []logsentry.Option{logsentry.WithMaxErrorDepth(3)}, 4, 17},
		{"WithMaxErrorDepth(1)", sentry.ClientOptions{}, []logsentry.Option{logsentry.WithMaxErrorDepth(1)}, 2, 19},
		{"WithMaxErrorDepth(0)", sentry.ClientOptions{}, []logsentry.Option{logsentry.WithMaxErrorDepth(0)}, 1, 0},
		{"WithMaxErrorDepth(-1) is unbounded", sentry.ClientOptions{MaxErrorDepth: 3}, []logsentry.Option{logsentry.WithMaxErrorDepth(-1)}, 21, 0},
		{"WithMaxErrorDepth(20) is just enough", sentry.ClientOptions{}, []logsentry.Option{logsentry.WithMaxErrorDepth(20)}, 21, 0},
		{"WithMaxErrorDepth(19) skips one", sentry.ClientOptions{}, []logsentry.Option{logsentry.WithMaxErrorDepth(19)}, 20, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := exceptionEventFor(t, tt.client, err, tt.opts...)
			if len(ev.Exception) != tt.want {
				t.Fatalf("got %d exceptions, want %d", len(ev.Exception), tt.want)
			}
			if last := ev.Exception[len(ev.Exception)-1]; last.Value != err.Error() {
				t.Errorf("outermost = %q", last.Value)
			}
			// The fingerprint names the root cause whatever the depth.
			if want := []string{"failed", baseType, "base <int>"}; !reflect.DeepEqual(ev.Fingerprint, want) {
				t.Errorf("fingerprint = %q, want %q", ev.Fingerprint, want)
			}
			if tt.want == 1 {
				return
			}
			// The innermost exception is the root cause, its parent the
			// last level kept, and the errors between them are counted.
			root := ev.Exception[0]
			if root.Type != baseType || root.Value != "base 0" {
				t.Errorf("innermost = %s %q, want the root cause", root.Type, root.Value)
			}
			var skipped any
			if m := root.Mechanism; m != nil && m.Data != nil {
				skipped = m.Data["skipped_errors"]
			}
			switch {
			case tt.skipped == 0 && skipped != nil:
				t.Errorf("skipped_errors = %v on a whole chain", skipped)
			case tt.skipped > 0 && fmt.Sprint(skipped) != fmt.Sprint(tt.skipped):
				t.Errorf("skipped_errors = %v, want %d", skipped, tt.skipped)
			}
			if p, want := root.Mechanism.ParentID, ev.Exception[1].Mechanism.ExceptionID; p == nil || *p != want {
				t.Errorf("root's parent = %v, want %d", p, want)
			}
		})
	}
	t.Run("a chain longer than 100 keeps its root cause", func(t *testing.T) {
		var long error = &baseErr{0}
		for i := range 120 {
			long = fmt.Errorf("w%d: %w", i, long)
		}
		for _, opts := range [][]logsentry.Option{nil, {logsentry.WithMaxErrorDepth(-1)}} {
			ev := exceptionEvent(t, long, opts...)
			if n := len(ev.Exception); n != 100 {
				t.Errorf("%d exceptions, want 100", n)
			}
			if root := ev.Exception[0]; root.Type != baseType || root.Value != "base 0" {
				t.Errorf("innermost = %s %q, want the root cause", root.Type, root.Value)
			}
			if want := []string{"failed", baseType, "base <int>"}; !reflect.DeepEqual(ev.Fingerprint, want) {
				t.Errorf("fingerprint = %q, want %q", ev.Fingerprint, want)
			}
		}
	})
	t.Run("a join at the cut keeps each member's root cause", func(t *testing.T) {
		join := errors.Join(fmt.Errorf("a: %w", &baseErr{1}), fmt.Errorf("b: %w", fmt.Errorf("c: %w", &baseErr{2})))
		ev := exceptionEvent(t, fmt.Errorf("top: %w", join), logsentry.WithMaxErrorDepth(2))
		var got []string
		for _, ex := range ev.Exception {
			got = append(got, ex.Value)
		}
		slices.Sort(got)
		want := []string{"a: base 1\nb: c: base 2", "base 1", "base 2", "top: a: base 1\nb: c: base 2"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("exceptions %q, want %q", got, want)
		}
	})
	t.Run("endless chain is bounded without a depth limit", func(t *testing.T) {
		ev := exceptionEvent(t, endless{}, logsentry.WithMaxErrorDepth(-1))
		if n := len(ev.Exception); n == 0 || n > 100 {
			t.Errorf("got %d exceptions", n)
		}
	})
	t.Run("wide join is bounded", func(t *testing.T) {
		errs := make([]error, 150)
		for i := range errs {
			errs[i] = fmt.Errorf("e%d", i)
		}
		ev := exceptionEvent(t, errors.Join(errs...))
		if n := len(ev.Exception); n != 100 {
			t.Errorf("got %d exceptions, want 100", n)
		}
	})
}

func TestExceptionHostile(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []wantEx
	}{
		{"typed nil error", (*nilErr)(nil), []wantEx{{"*logsentry_test.nilErr", "<nil>", 0, -1, "", false}}},
		{"typed nil in a chain", fmt.Errorf("w: %w", (*nilErr)(nil)), []wantEx{
			{"*logsentry_test.nilErr", "<nil>", 1, 0, "unwrap", false},
			{"*fmt.wrapError", "w: nil nilErr", 0, -1, "", false},
		}},
		{"panicking Unwrap", fmt.Errorf("w: %w", panicUnwrap{}), []wantEx{
			{"logsentry_test.panicUnwrap", "unwrap panics", 1, 0, "unwrap", false},
			{"*fmt.wrapError", "w: unwrap panics", 0, -1, "", false},
		}},
		{"panicking Unwrap []error", panicUnwrapMulti{}, []wantEx{
			{"logsentry_test.panicUnwrapMulti", "multi unwrap panics", 0, -1, "", true},
		}},
		{"panicking Error", panicError{}, []wantEx{
			{"logsentry_test.panicError", "!PANIC in Error method of logsentry_test.panicError: error boom", 0, -1, "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := exceptionEvent(t, tt.err)
			checkExceptions(t, ev.Exception, tt.want)
			if ev.TopFrame().Function != "exceptionEventFor" { // where Emit is called
				t.Errorf("top frame = %+v", ev.TopFrame())
			}
		})
	}
}

// TestErrorSelection: which error becomes the exception, and what happens
// to the others.
func TestErrorSelection(t *testing.T) {
	errA, errB, errC := errors.New("a"), errors.New("b"), errors.New("c")
	tests := []struct {
		name  string
		opts  []logsentry.Option
		rec   logsentry.Record
		want  string // the exception's value
		attrs string // JSON of the remaining attributes
	}{
		{"Record.Err beats fields", nil,
			logsentry.Record{Err: errA, Attrs: []slog.Attr{slog.Any("err", errB)}}, "a", `{"err":"b"}`},
		{"error key beats an earlier field", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.Any("cause", errA), slog.Any("err", errB)}}, "b", `{"cause":"a"}`},
		{"error beats err", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.Any("err", errA), slog.Any("error", errB)}}, "b", `{"err":"a"}`},
		{"keys are case-insensitive", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.Any("cause", errA), slog.Any("ERR", errB)}}, "b", `{"cause":"a"}`},
		{"first error field without a key", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.String("x", "y"), slog.Any("cause", errA), slog.Any("other", errB)}}, "a", `{"other":"b","x":"y"}`},
		{"WithErrorKeys", []logsentry.Option{logsentry.WithErrorKeys("failure")},
			logsentry.Record{Attrs: []slog.Attr{slog.Any("err", errA), slog.Any("failure", errB)}}, "b", `{"err":"a"}`},
		{"error in a group", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.Group("req", slog.Any("err", errC), slog.Int("n", 1))}}, "c", `{"req":{"n":1}}`},
		{"non-error under an error key", nil,
			logsentry.Record{Attrs: []slog.Attr{slog.String("err", "just text")}}, "", `{"err":"just text"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rec.Severity, tt.rec.Message = logsentry.SeverityError, tt.name
			evs := capture(t, sentry.ClientOptions{}, tt.opts, tt.rec)
			e := evs[0]
			got := ""
			if len(e.Exception) > 0 {
				got = e.Exception[len(e.Exception)-1].Value
			}
			if got != tt.want {
				t.Errorf("exception = %q, want %q", got, tt.want)
			}
			if a := jsonOf(t, e.Context("attributes")); a != tt.attrs {
				t.Errorf("attributes = %s, want %s", a, tt.attrs)
			}
			if tt.want == "" {
				if frames := threadFrames(t, e); len(frames) > 0 && frames[len(frames)-1].Module == "github.com/logsentry/logsentry" {
					t.Errorf("message event's stack ends in the bridge")
				}
			}
		})
	}
}

// TestExceptionBounds: an event's exceptions keep about 96 KB of text and
// 256 stack frames, so that a long chain cannot make the event too big for
// Sentry (1 MB).
func TestExceptionBounds(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	errs := make([]error, 99)
	for i := range errs {
		errs[i] = fmt.Errorf("%02d %s", i, strings.Repeat("<", 12<<10))
	}
	deep := make([]error, 20)
	for i := range deep {
		deep[i] = deepError(20) // each with a stack of its own, 20+ frames deep
	}
	err := errors.Join(deep...)
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "joined", Err: errors.Join(errs...)})
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "wrapped", Err: err})
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	joined, wrapped := sentrytest.EventByMessage(t, evs, "joined"), sentrytest.EventByMessage(t, evs, "wrapped")
	if size := len(joined.Raw); size > 300<<10 {
		t.Errorf("event of %d bytes, want about 96 KB of exceptions and little else", size)
	}
	if n := len(joined.Exception); n != 100 {
		t.Fatalf("%d exceptions, want 100", n)
	}
	if last := joined.Exception[99]; len(last.Value) < 12<<10 || last.Type != "*errors.joinError" {
		t.Errorf("outermost exception %s of %d bytes, want the join's text kept whole", last.Type, len(last.Value))
	}
	if first := joined.Exception[0].Value; first != "…[truncated]" {
		t.Errorf("innermost exception = %.40q, want it cut to the truncation mark", first)
	}
	frames := 0
	for _, ex := range wrapped.Exception {
		if ex.Stacktrace != nil {
			frames += len(ex.Stacktrace.Frames)
		}
	}
	if frames > 256 || frames < 200 || wrapped.Exception[0].Stacktrace == nil {
		t.Errorf("%d frames over %d exceptions, want at most 256 (and most of them), the innermost stack kept", frames, len(wrapped.Exception))
	}
}

// deepError returns a pkg/errors error made depth calls deep, with the
// stack of that place.
func deepError(depth int) error {
	if depth == 0 {
		return pkgerrors.New("root")
	}
	return deepError(depth - 1)
}

// TestExceptionCallSiteOverInnerStack: when only an inner error carries a
// stack (pkg/errors made deep in a dependency, wrapped with %w), the
// outermost exception, the title, still shows the logging line, as
// sentry-go's CaptureException does; the inner one keeps its own stack.
func TestExceptionCallSiteOverInnerStack(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	rootLine := sentrytest.NextLine()
	err := fmt.Errorf("handler: %w", pkgerrors.Errorf("row %d missing", 7))
	line := sentrytest.NextLine()
	emit(context.Background(), b, logsentry.Record{Severity: logsentry.SeverityError, Message: "lookup", Err: err})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if len(ev.Exception) != 2 {
		t.Fatalf("%d exceptions, want 2", len(ev.Exception))
	}
	if st := ev.Exception[1].Stacktrace; st == nil || len(st.Frames) == 0 {
		t.Fatal("the outermost exception has no stack")
	}
	checkFrames(t, ev.Exception[1].Stacktrace.Frames, "TestExceptionCallSiteOverInnerStack", line)
	st := ev.Exception[0].Stacktrace
	if st == nil || len(st.Frames) == 0 || st.Frames[len(st.Frames)-1].Lineno != rootLine {
		t.Errorf("inner exception's stack = %+v, want its own, ending at line %d", st, rootLine)
	}
}
