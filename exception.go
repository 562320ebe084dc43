package logsentry

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/getsentry/sentry-go"
)

// errorText returns err.Error(), or a placeholder when err is a typed nil or
// its Error method panics (the panic is reported to the error handler).
func (b *Bridge) errorText(err error) (s string) {
	if isNilPointer(err) {
		return "<nil>"
	}
	defer func() {
		if r := recover(); r != nil {
			b.stats.panics.Add(1)
			s = fmt.Sprintf("!PANIC in Error method of %T: %s", err, panicText(r))
			b.reportError(errors.New("logsentry: " + s))
			s = b.str(s)
		}
	}()
	return err.Error()
}

// shownText returns the text of err as the bridge sends it (redacted by
// the caller): its Error() text, in which what LogValuer errors of its
// chain hide stays hidden. A type whose LogValue hides part of its Error()
// text (a token, a customer's data) keeps it hidden in titles,
// fingerprints, breadcrumbs and logs: err's own text is what its LogValue
// shows when err is a slog.LogValuer, and the text of a LogValuer error
// below it is replaced where err's text ends with it (the ": %w" of
// fmt.Errorf) or has it as a line (errors.Join). The chain is followed 16
// errors deep; joins are looked into one level.
func (b *Bridge) shownText(err error) string {
	s := b.errorText(err)
	e := err
	for range maxShownSearch {
		if e == nil || isNilPointer(e) {
			break
		}
		if r, ok := b.logValuerText(e); ok {
			if e == err {
				return r.text // all of it is the type's to show
			}
			return r.replaceIn(s)
		}
		if multi, ok := e.(interface{ Unwrap() []error }); ok {
			for _, m := range guardedUnwrapMulti(multi) {
				if m == nil || isNilPointer(m) {
					continue
				}
				if r, ok := b.logValuerText(m); ok {
					s = r.replaceIn(s)
				}
			}
			break
		}
		_, e = guardedUnwrap(e)
	}
	return s
}

// shown is the replacement of an error's Error() text by what its LogValue
// shows.
type shown struct{ raw, text string }

// replaceIn returns s, the text of an error that wraps the LogValuer
// error, with the LogValuer's text replaced where s ends with it or has it
// as a whole line; elsewhere s is left alone (a "42" inside "batch 420" is
// no error's text).
func (r shown) replaceIn(s string) string {
	if r.raw == "" || r.raw == r.text {
		return s
	}
	if !strings.Contains(s, "\n") || strings.Contains(r.raw, "\n") {
		if strings.HasSuffix(s, r.raw) {
			return s[:len(s)-len(r.raw)] + r.text
		}
		return s
	}
	// The text of a join, one error's per line: only a whole line, or one
	// that wraps it ("x: " + raw), is the LogValuer's.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == r.raw {
			lines[i] = r.text
		} else if strings.HasSuffix(l, ": "+r.raw) {
			lines[i] = l[:len(l)-len(r.raw)] + r.text
		}
	}
	return strings.Join(lines, "\n")
}

// maxShownSearch bounds the errors shownText follows.
const maxShownSearch = 16

// logValuerText returns the replacement of err's text if err is a
// slog.LogValuer.
func (b *Bridge) logValuerText(err error) (shown, bool) {
	if _, ok := err.(slog.LogValuer); !ok {
		return shown{}, false
	}
	return shown{raw: b.errorText(err), text: b.valueText(b.resolve(slog.AnyValue(err)), 0)}, true
}

// valueText renders a resolved value as a line of text: a group as
// key=value pairs, as slog's text handler does.
func (b *Bridge) valueText(v slog.Value, depth int) string {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindGroup:
		if depth >= maxShownDepth {
			return "…"
		}
		var sb strings.Builder
		for i, a := range v.Group() {
			if i > 0 {
				sb.WriteByte(' ')
			}
			if a.Key != "" {
				sb.WriteString(a.Key)
				sb.WriteByte('=')
			}
			sb.WriteString(b.valueText(b.resolve(a.Value), depth+1))
		}
		return sb.String()
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return b.errorText(err) // LogValue shows the error as it is
		}
	}
	return plainString(b.value(v).Any())
}

// maxShownDepth bounds the groups valueText enters.
const maxShownDepth = 8

func errorType(err error) string {
	return reflect.TypeOf(err).String()
}

// exceptions converts err and its chain into Sentry exceptions, ordered as
// Sentry wants them: the innermost cause first, err itself last. It walks
// Unwrap() error, Unwrap() []error and Cause(), visiting each error once and
// stopping at maxDepth, like the SDK's own conversion, but keeping the root
// cause of a chain cut by the depth, with every user method guarded and no
// stack trace of its own making.
func (b *Bridge) exceptions(err error, maxDepth int) []sentry.Exception {
	if maxDepth < 0 || maxDepth > maxItems-1 {
		// No more than maxItems exceptions are kept: the depth that
		// keeps a long chain's root cause among them.
		maxDepth = maxItems - 1
	}
	w := exceptionWalker{b: b, maxDepth: maxDepth}
	w.walk(err, -1, "", 0)
	ex := w.out
	// What LogValuer errors hide stays hidden: in their own value, and in
	// those of the errors that wrap them, their ancestors (see shownText);
	// then every value is redacted, the LogValues' texts too.
	for _, l := range w.shown {
		i := l.at
		if l.self {
			ex[i].Value, i = l.text, parentOf(ex, i)
		}
		for ; i >= 0; i = parentOf(ex, i) {
			ex[i].Value = l.replaceIn(ex[i].Value)
		}
	}
	for i := range ex {
		ex[i].Value = b.str(ex[i].Value)
	}
	if len(ex) > 1 {
		// The root's mechanism, made only now: a lone error gets none.
		ex[0].Mechanism = &sentry.Mechanism{Type: "generic", IsExceptionGroup: w.rootGroup}
	}
	for i, j := 0, len(ex)-1; i < j; i, j = i+1, j-1 {
		ex[i], ex[j] = ex[j], ex[i]
	}
	boundExceptions(ex)
	return ex
}

// Bounds of an event's exceptions, which are outside the field budget: a
// chain may hold up to maxItems errors of up to 16 KB of text each, every
// one with a stack of its own (pkg/errors), and Sentry rejects an event of
// more than 1 MB whole.
const (
	maxExceptionText   = 96 << 10 // JSON bytes of all exception values
	maxExceptionFrames = 256      // frames of all exception stacks
)

// boundExceptions cuts the values of ex (innermost first) to
// maxExceptionText, keeping the outermost error's text, the title,
// first; and drops the stacks beyond maxExceptionFrames, keeping the
// innermost ones, where the errors were made.
func boundExceptions(ex []sentry.Exception) {
	left := maxExceptionText
	for i := len(ex) - 1; i >= 0; i-- {
		size := jsonStringLen(ex[i].Value)
		if size > left {
			ex[i].Value = truncateJSON(ex[i].Value, left-2)
			size = jsonStringLen(ex[i].Value)
		}
		left -= size
	}
	frames := 0
	for i := range ex {
		st := ex[i].Stacktrace
		if st == nil {
			continue
		}
		if frames += len(st.Frames); frames > maxExceptionFrames {
			ex[i].Stacktrace = nil
		}
	}
}

// exceptionWalker walks an error chain. Most errors wrap nothing, so the
// root's identity is kept aside and the list of the others made only when a
// second error turns up.
type exceptionWalker struct {
	b         *Bridge
	root      errorKey
	seen      []errorKey // every error but the root: chains are short, and at most maxItems long
	out       []sentry.Exception
	rootGroup bool
	maxDepth  int // 0..maxItems-1 (see exceptions)
	skipped   int // errors skipped above the next one walked (see walk)
	shown     []shownAt
}

// parentOf returns the index of the parent of exception i of a walk's
// output (outermost first, before exceptions reverses it), or -1.
func parentOf(ex []sentry.Exception, i int) int {
	if m := ex[i].Mechanism; m != nil && m.ParentID != nil {
		return *m.ParentID
	}
	return -1
}

// shownAt is a LogValuer error's replacement, to be made in the exception
// at (self: the LogValuer's own) and its ancestors, or in at and its
// ancestors only (a LogValuer among the errors skipped below at).
type shownAt struct {
	shown
	at   int
	self bool
}

// chainedMechanism holds the mechanism of a chained exception and its
// parent's index in one allocation.
type chainedMechanism struct {
	m      sentry.Mechanism
	parent int
}

func (w *exceptionWalker) walk(err error, parent int, source string, depth int) {
	if err == nil || len(w.out) >= maxItems {
		return
	}
	text := w.b.errorText(err)
	key := identity(err, text)
	if len(w.out) == 0 {
		w.root = key
	} else {
		if key == w.root || slices.Contains(w.seen, key) {
			return
		}
		w.seen = append(w.seen, key)
	}
	id := len(w.out)
	ex := sentry.Exception{
		Type:       errorType(err),
		Value:      text, // redacted by exceptions, after the LogValuers' texts
		Stacktrace: w.b.extractStack(err),
	}
	if r, ok := w.b.logValuerText(err); ok {
		w.shown = append(w.shown, shownAt{shown: r, at: id, self: true})
	}
	multi, isMulti := err.(interface{ Unwrap() []error })
	if parent >= 0 {
		c := &chainedMechanism{parent: parent}
		c.m = sentry.Mechanism{Type: "chained", ExceptionID: id, ParentID: &c.parent, Source: source, IsExceptionGroup: isMulti}
		if w.skipped > 0 {
			c.m.Data = map[string]any{"skipped_errors": w.skipped}
			w.skipped = 0
		}
		ex.Mechanism = &c.m
	} else {
		w.rootGroup = isMulti
	}
	w.out = append(w.out, ex)
	if isNilPointer(err) || depth >= w.maxDepth {
		return
	}
	switch {
	case isMulti:
		for i, e := range guardedUnwrapMulti(multi) {
			if depth+1 == w.maxDepth && e != nil {
				w.skipped, e = rootCause(e) // each member's root cause, as below
			}
			w.walk(e, id, fmt.Sprintf("errors[%d]", i), depth+1)
			w.skipped = 0
		}
	default:
		source, next := guardedUnwrap(err)
		if next == nil {
			return
		}
		if ex.Stacktrace != nil {
			next = w.skipTwin(next, text)
		}
		if depth+1 == w.maxDepth {
			// The last level the depth allows: the chain's root cause takes
			// it, where the failure began, and the grouping type.
			// What LogValuers among the skipped errors hide stays hidden
			// in this error's text and above.
			w.noteSkipped(next, id)
			w.skipped, next = rootCause(next)
		}
		w.walk(next, id, source, depth+1)
		w.skipped = 0
	}
}

// noteSkipped notes the LogValuer errors from e down to the chain's root
// cause (which rootCause will skip), to be replaced in exception at and its
// ancestors; up to maxShownSearch of them are looked at.
func (w *exceptionWalker) noteSkipped(e error, at int) {
	for range maxShownSearch {
		if e == nil || isNilPointer(e) {
			return
		}
		if _, multi := e.(interface{ Unwrap() []error }); multi {
			return
		}
		_, next := guardedUnwrap(e)
		if next == nil {
			return // the root cause itself is walked
		}
		if r, ok := w.b.logValuerText(e); ok {
			w.shown = append(w.shown, shownAt{shown: r, at: at})
		}
		e = next
	}
}

// skipTwin returns the error below next when next is a wrapper with the
// same text as its parent (whose text is text and which carries a stack)
// and no stack of its own: pkg/errors' Wrap makes a withStack around a
// withMessage, two exceptions of one text, and Sentry would show the message
// twice. The wrapper's type is all it would add. A root cause is never
// skipped: its type groups the issue.
func (w *exceptionWalker) skipTwin(next error, text string) error {
	if _, multi := next.(interface{ Unwrap() []error }); multi || isNilPointer(next) {
		return next
	}
	_, below := guardedUnwrap(next)
	if below == nil || w.b.errorText(next) != text || w.b.extractStack(next) != nil {
		return next
	}
	return below
}

// errorKey identifies an error for cycle detection: its pointer and type,
// or, for an error that is not a pointer, its type and text (comparing the
// values themselves could panic on an uncomparable dynamic field).
type errorKey struct {
	p    uintptr
	t    reflect.Type
	text string
}

func identity(err error, text string) errorKey {
	rv := reflect.ValueOf(err)
	if rv.Kind() == reflect.Pointer {
		// A pointer to a struct and to its first field share an address.
		return errorKey{p: rv.Pointer(), t: rv.Type()}
	}
	return errorKey{t: rv.Type(), text: text}
}

func guardedUnwrapMulti(err interface{ Unwrap() []error }) (errs []error) {
	defer func() { _ = recover() }()
	return err.Unwrap()
}

func guardedUnwrap(err error) (source string, next error) {
	defer func() {
		if recover() != nil {
			next = nil
		}
	}()
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return sentry.MechanismTypeUnwrap, e.Unwrap()
	case interface{ Cause() error }:
		return sentry.MechanismSourceCause, e.Cause()
	}
	return "", nil
}

// extractStack returns the stack trace err carries, if its type is one the
// SDK knows how to read (pkg/errors, go-errors, pingcap, xerrors).
func (b *Bridge) extractStack(err error) (st *sentry.Stacktrace) {
	if isNilPointer(err) || !mayCarryStack(reflect.TypeOf(err)) {
		return nil
	}
	defer func() {
		if recover() != nil {
			st = nil
		}
	}()
	st = sentry.ExtractStacktrace(err)
	if st != nil {
		setInApp(buildModules(), st.Frames)
	}
	return st
}

// maxRootHops bounds the errors rootCause goes through: a chain that never
// ends (each Unwrap makes a new error) or loops through values.
const maxRootHops = 1000

// rootCause follows the single-error chain of err to its innermost error,
// stopping at an error that joins several, at a loop of pointers (Brent's
// cycle detection), or after maxRootHops errors, and how many errors it
// went past.
func rootCause(err error) (skipped int, root error) {
	mark, power := pointerOf(err), 1
	for ; skipped < maxRootHops; skipped++ {
		if _, multi := err.(interface{ Unwrap() []error }); multi || isNilPointer(err) {
			return skipped, err
		}
		_, next := guardedUnwrap(err)
		if next == nil {
			return skipped, err
		}
		p := pointerOf(next)
		if p != 0 && p == mark {
			return skipped, err // a loop: no innermost error; stop where it closes
		}
		if skipped+1 == power {
			mark, power = p, power*2
		}
		err = next
	}
	return skipped, err
}

// pointerOf returns the address of a pointer error, else 0.
func pointerOf(err error) uintptr {
	if rv := reflect.ValueOf(err); rv.Kind() == reflect.Pointer {
		return rv.Pointer()
	}
	return 0
}

// errorDepth returns the depth to which errors are unwrapped for events
// of client: WithMaxErrorDepth's, else the client's MaxErrorDepth.
func (b *Bridge) errorDepth(client *sentry.Client) int {
	if b.cfg.maxErrorDepth != clientErrorDepth {
		return b.cfg.maxErrorDepth
	}
	return client.Options().MaxErrorDepth
}

// stackTypes caches, per error type, whether it may carry a stack.
var stackTypes sync.Map // reflect.Type -> bool

// mayCarryStack reports whether errors of type t can carry a stack trace
// that sentry.ExtractStacktrace reads. The SDK finds out by looking methods
// up by name on every call, which costs more than the rest of an event's
// exception; the answer per type never changes, so it is cached.
func mayCarryStack(t reflect.Type) bool {
	if v, ok := stackTypes.Load(t); ok {
		return v.(bool)
	}
	may := false
	for _, m := range [...]string{"StackFrames", "StackTrace", "GetStackTracer"} {
		if _, ok := t.MethodByName(m); ok {
			may = true
		}
	}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		if _, ok := t.Elem().FieldByName("frame"); ok { // golang.org/x/xerrors
			may = true
		}
	}
	stackTypes.Store(t, may)
	return may
}
