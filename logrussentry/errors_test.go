package logrussentry_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	pkgerrors "github.com/pkg/errors"
	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

type cardError struct{ code string }

func (e *cardError) Error() string { return "card " + e.code }

// TestErrors checks the exception chain built from WithError and from other
// error fields.
func TestErrors(t *testing.T) {
	pkgErr := pkgerrors.New("disk full")
	pkgLine := sentrytest.NextLine() - 2 // the line of pkgerrors.New above
	tests := []struct {
		name      string
		entry     func(l *logrus.Logger) *logrus.Entry
		msg       string
		wantTypes []string // innermost first
		wantVals  []string // nil: not checked
		check     func(t *testing.T, ev sentrytest.Event)
	}{
		{
			name: "wrapped with %w",
			entry: func(l *logrus.Logger) *logrus.Entry {
				return l.WithError(fmt.Errorf("charge: %w", &cardError{"declined"}))
			},
			msg:       "payment failed",
			wantTypes: []string{"*logrussentry_test.cardError", "*fmt.wrapError"},
			wantVals:  []string{"card declined", "charge: card declined"},
			check: func(t *testing.T, ev sentrytest.Event) {
				if want := []string{"payment failed", "*logrussentry_test.cardError", "card declined"}; !reflect.DeepEqual(ev.Fingerprint, want) {
					t.Errorf("fingerprint %q, want %q", ev.Fingerprint, want)
				}
			},
		},
		{
			name: "errors.Join",
			entry: func(l *logrus.Logger) *logrus.Entry {
				return l.WithError(errors.Join(errors.New("a failed"), &cardError{"expired"}))
			},
			msg:       "batch failed",
			wantTypes: []string{"*logrussentry_test.cardError", "*errors.errorString", "*errors.joinError"},
			wantVals:  []string{"card expired", "a failed", "a failed\ncard expired"},
			check: func(t *testing.T, ev sentrytest.Event) {
				top := ev.Exception[len(ev.Exception)-1]
				if top.Mechanism == nil || !top.Mechanism.IsExceptionGroup {
					t.Errorf("joined error is not an exception group: %+v", top.Mechanism)
				}
			},
		},
		{
			name:      "pkg/errors stack",
			entry:     func(l *logrus.Logger) *logrus.Entry { return l.WithError(pkgerrors.Wrap(pkgErr, "save")) },
			msg:       "save failed",
			wantTypes: []string{"*errors.fundamental", "*errors.withStack"}, // Wrap's withMessage twin left out
			wantVals:  []string{"disk full", "save: disk full"},
			check: func(t *testing.T, ev sentrytest.Event) {
				st := ev.Exception[0].Stacktrace
				if st == nil || len(st.Frames) == 0 {
					t.Fatalf("innermost exception has no stack: %+v", ev.Exception[0])
				}
				if top := st.Frames[len(st.Frames)-1]; !strings.HasSuffix(top.Function, "TestErrors") || top.Lineno != pkgLine {
					t.Errorf("pkg/errors stack top = %s:%d, want TestErrors:%d", top.Function, top.Lineno, pkgLine)
				}
				if len(sentrytest.ThreadFrames(t, ev)) != 0 {
					t.Errorf("event has a call-site stack too, though the error carries one")
				}
			},
		},
		{
			name: "error under another key",
			entry: func(l *logrus.Logger) *logrus.Entry {
				return l.WithField("cause", &cardError{"stolen"}).WithField("order", 7)
			},
			msg:       "fraud",
			wantTypes: []string{"*logrussentry_test.cardError"},
			wantVals:  []string{"card stolen"},
			check: func(t *testing.T, ev sentrytest.Event) {
				if a := sentrytest.Attrs(ev); a["cause"] != nil || a["order"] != int64(7) {
					t.Errorf("attributes %v, want order only", a)
				}
			},
		},
		{
			name:      "typed nil error",
			entry:     func(l *logrus.Logger) *logrus.Entry { return l.WithError((*cardError)(nil)) },
			msg:       "typed nil",
			wantTypes: []string{"*logrussentry_test.cardError"},
			wantVals:  []string{"<nil>"},
		},
		{
			name:      "panicking Error",
			entry:     func(l *logrus.Logger) *logrus.Entry { return l.WithError(sentrytest.PanicError{}) },
			msg:       "hostile error",
			wantTypes: []string{"sentrytest.PanicError"},
			check: func(t *testing.T, ev sentrytest.Event) {
				// The placeholder's wording is the bridge's.
				if v := ev.Exception[0].Value; !strings.Contains(v, "PANIC") || !strings.Contains(v, "Error exploded") {
					t.Errorf("exception value %q, want a panic placeholder", v)
				}
			},
		},
		{
			name:      "empty message takes the error's text",
			entry:     func(l *logrus.Logger) *logrus.Entry { return l.WithError(errors.New("no message")) },
			msg:       "",
			wantTypes: []string{"*errors.errorString"},
			wantVals:  []string{"no message"},
			check: func(t *testing.T, ev sentrytest.Event) {
				if ev.Message != "no message" {
					t.Errorf("message %q", ev.Message)
				}
			},
		},
		{
			name:  "nil WithError is a plain field",
			entry: func(l *logrus.Logger) *logrus.Entry { return l.WithError(nil) },
			msg:   "nil error",
			check: func(t *testing.T, ev sentrytest.Event) {
				if v, ok := sentrytest.Attrs(ev)["error"]; !ok || v != nil {
					t.Errorf("attributes.error = %#v, %v; want null", v, ok)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.logger.Formatter = nopFormatter{} // the hostile errors are ours to survive, not the formatter's
			tt.entry(f.logger).Error(tt.msg)
			sentrytest.Flush(t, f.hub)
			ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
			var types, vals []string
			for _, ex := range ev.Exception {
				types = append(types, ex.Type)
				vals = append(vals, ex.Value)
			}
			if !reflect.DeepEqual(types, tt.wantTypes) || (tt.wantVals != nil && !reflect.DeepEqual(vals, tt.wantVals)) {
				t.Errorf("exceptions\n got types %q values %q\nwant types %q values %q", types, vals, tt.wantTypes, tt.wantVals)
			}
			if tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
}

// TestErrorKey checks that the hook follows a changed logrus.ErrorKey. It
// changes a global, so it does not run in parallel.
func TestErrorKey(t *testing.T) {
	f := setup(t, logsentry.WithErrorKeys("cause"))
	old := logrus.ErrorKey
	logrus.ErrorKey = "failure"
	t.Cleanup(func() { logrus.ErrorKey = old })
	// WithError writes under the new key; the "cause" error, preferred by
	// WithErrorKeys among fields, loses to the entry's own error.
	f.logger.WithError(errors.New("primary")).WithField("cause", errors.New("secondary")).Error("key changed")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	if len(ev.Exception) != 1 || ev.Exception[0].Value != "primary" {
		t.Errorf("exception %+v, want primary", ev.Exception)
	}
	if got := sentrytest.Attrs(ev)["cause"]; got != "secondary" {
		t.Errorf("attributes.cause = %#v, want the secondary error's text", got)
	}
}
