package logsentry

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"

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

// shownText returns the text of err as the bridge sends it: its Error()
// text, in which the text of every error of its chain that is a
// slog.LogValuer is replaced by what its LogValue shows. A type that
// hides part of its Error() text from logs (a token, a customer's data)
// keeps it hidden in exceptions, titles and fingerprints too, also inside
// the texts of the errors that wrap it. The chain is searched 16 errors
// deep.
func (b *Bridge) shownText(err error) string {
	s := b.errorText(err)
	for _, r := range b.logValuerTexts(err, nil) {
		s = r.apply(s)
	}
	return s
}

// shown is the replacement of an error's Error() text by its LogValue's.
type shown struct{ raw, text string }

func (r shown) apply(s string) string {
	if r.raw == "" || r.raw == r.text {
		return s
	}
	return strings.ReplaceAll(s, r.raw, r.text)
}

// maxShownSearch bounds the errors shownText looks at.
const maxShownSearch = 16

// logValuerTexts appends to out the replacements of the LogValuer errors of
// err's chain (single errors and joins), within maxShownSearch errors.
func (b *Bridge) logValuerTexts(err error, out []shown) []shown {
	queue := [maxShownSearch]error{err}
	for i, n := 0, 1; i < n; i++ {
		e := queue[i]
		if e == nil || isNilPointer(e) {
			continue
		}
		if r, ok := b.logValuerText(e); ok {
			out = append(out, r)
		}
		if multi, ok := e.(interface{ Unwrap() []error }); ok {
			for _, m := range guardedUnwrapMulti(multi) {
				if n < len(queue) {
					queue[n], n = m, n+1
				}
			}
			continue
		}
		if _, next := guardedUnwrap(e); next != nil && n < len(queue) {
			queue[n], n = next, n+1
		}
	}
	return out
}

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
	// What LogValuer errors hide stays hidden, in their own value and in
	// those of the errors that wrap them (see shownText).
	for _, r := range w.shown {
		for i := range ex {
			ex[i].Value = r.apply(ex[i].Value)
		}
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
	shown     []shown
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
	if r, ok := w.b.logValuerText(err); ok {
		w.shown = append(w.shown, r)
	}
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
		Value:      w.b.str(text),
		Stacktrace: w.b.extractStack(err),
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
			w.skipped, next = rootCause(next)
		}
		w.walk(next, id, source, depth+1)
		w.skipped = 0
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
	if isNilPointer(err) || !b.mayCarryStack(reflect.TypeOf(err)) {
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

// mayCarryStack reports whether errors of type t can carry a stack trace
// that sentry.ExtractStacktrace reads. The SDK finds out by looking methods
// up by name on every call, which costs more than the rest of an event's
// exception; the answer per type never changes, so it is cached.
func (b *Bridge) mayCarryStack(t reflect.Type) bool {
	if v, ok := b.stackTypes.Load(t); ok {
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
	b.stackTypes.Store(t, may)
	return may
}
