package zerologsentry

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"
)

// LoggedError is the error of a record whose error field holds only text:
// the original error value was turned into a string by zerolog before the
// Writer saw the line, and [ErrorMarshalFunc] did not remember it. It becomes
// the event's exception, typed "zerologsentry.LoggedError".
type LoggedError string

// Error returns the text as logged.
func (e LoggedError) Error() string { return string(e) }

// recentErrorsSize bounds the errors ErrorMarshalFunc remembers. An error
// is looked up within microseconds of being marshaled, unless lines wait in
// an asynchronous writer; an older one is simply forgotten.
const recentErrorsSize = 128

// recentErrors remembers the errors marshaled by ErrorMarshalFunc, by text,
// until a Writer parses the line that holds that text. It is package state
// because zerolog.ErrorMarshalFunc is.
var recentErrors struct {
	used atomic.Bool // set once ErrorMarshalFunc has run

	mu   sync.Mutex
	ring [recentErrorsSize]recentError
	next int
}

type recentError struct {
	text string
	err  error
	// sticky: marshaled for a sub-logger's context (With().Err), whose
	// every line repeats the text; recalled each time, never claimed.
	sticky bool
}

// ErrorMarshalFunc is a zerolog.ErrorMarshalFunc that lets the Writer report
// the error values themselves rather than their text: their type, their
// %w / errors.Join / Cause chain and the stack trace of errors that carry
// one (pkg/errors). Install it once, at start-up:
//
//	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
//
// The line zerolog writes is unchanged: an error is written as its Error()
// text, as zerolog's default does (errors that implement
// zerolog.LogObjectMarshaler are returned unchanged and keep their object
// form). It also remembers the error (the last 128, in a bounded table
// shared by all Writers), and the first Writer that parses a line whose
// error field (zerolog.ErrorFieldName, as written by Err) holds the same
// text takes the error out of the table, except for an error of a
// sub-logger's context (With().Err(err), With().AnErr), whose text zerolog
// writes on every line of it: each line gets err.
// An error logged under another key
// (AnErr("cause", err), also inside a Dict) is recovered the same way from
// that field's text when its key names an error ("err", "error", "cause",
// or a key whose last word is err or error: "dbErr", "db_error", not
// "stderr"); errors in an array (Errs) stay text.
//
// The match is by text. Two goroutines that log different errors with the
// same text at the same moment may see each other's error value (same
// text, possibly another type or stack); an error whose line never reaches
// a Writer (another logger, a level below every threshold) stays in the
// table until 128 newer errors push it out. A panicking Error method is
// reported as a placeholder text instead of crashing the logging call.
func ErrorMarshalFunc(err error) any {
	if err == nil {
		return nil
	}
	if isNilPointer(err) {
		return err // zerolog leaves typed nil errors out
	}
	if _, ok := err.(zerolog.LogObjectMarshaler); ok {
		return err
	}
	text, ok := errorText(err)
	if ok {
		rememberError(text, err, fromLoggerContext())
	}
	return text
}

// contextCallers caches, per program counter of a caller of
// ErrorMarshalFunc, whether it is zerolog's Context (With().Err,
// With().AnErr).
var contextCallers sync.Map // uintptr -> bool

// fromLoggerContext reports whether ErrorMarshalFunc was called by
// zerolog's Context: such an error is marshaled once, when the sub-logger
// is made, and its text is written on every line of it.
func fromLoggerContext() bool {
	var pcs [1]uintptr
	// Callers, fromLoggerContext, ErrorMarshalFunc, then its caller.
	if runtime.Callers(3, pcs[:]) == 0 {
		return false
	}
	if v, ok := contextCallers.Load(pcs[0]); ok {
		return v.(bool)
	}
	f, _ := runtime.CallersFrames(pcs[:]).Next()
	yes := strings.HasPrefix(f.Function, "github.com/rs/zerolog.Context.")
	contextCallers.Store(pcs[0], yes)
	return yes
}

func errorText(err error) (text string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			text, ok = fmt.Sprintf("!PANIC in Error method of %T: %v", err, r), false
		}
	}()
	return err.Error(), true
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

func rememberError(text string, err error, sticky bool) {
	r := &recentErrors
	r.mu.Lock()
	r.ring[r.next] = recentError{text: text, err: err, sticky: sticky}
	r.next = (r.next + 1) % recentErrorsSize
	r.mu.Unlock()
	if !r.used.Load() {
		r.used.Store(true)
	}
}

// errorLikeKey reports whether a field under key may hold an error that
// ErrorMarshalFunc wrote as text: "err", "error" or "cause" in any case, or
// a key whose last word is one of the first two: "dbErr", "db_error",
// "DB-ERR", but not "stderr" or "terror".
func errorLikeKey(key string) bool {
	if strings.EqualFold(key, "cause") {
		return true
	}
	for _, w := range [...]string{"error", "err"} {
		if len(key) < len(w) || !strings.EqualFold(key[len(key)-len(w):], w) {
			continue
		}
		i := len(key) - len(w)
		switch {
		case i == 0: // the whole key
			return true
		case key[i] == 'E' && key[i-1] >= 'a' && key[i-1] <= 'z': // camelCase
			return true
		case !isASCIILetter(key[i-1]): // db_error, req.err, DB-ERR
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// recallError returns the most recently remembered error with this text,
// or nil, and forgets it, unless it is a sub-logger's (sticky), which each
// of its lines recalls.
func recallError(text string) error {
	r := &recentErrors
	if !r.used.Load() {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := 1; k <= recentErrorsSize; k++ {
		i := (r.next - k + recentErrorsSize) % recentErrorsSize
		e := &r.ring[i]
		if e.err != nil && e.text == text {
			err := e.err
			if !e.sticky {
				*e = recentError{}
			}
			return err
		}
	}
	return nil
}
