package logrussentry_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

// TestCallSite checks, with and without ReportCaller, that the event's
// stack ends at the line that called logrus, has no logrus or logsentry
// frame, and is the whole stack (so Caller.PC was found on it).
func TestCallSite(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *logrus.Logger, err error) int // logs, returns the line
	}{
		{"Logger.Error", func(l *logrus.Logger, err error) int {
			line := sentrytest.NextLine()
			l.WithError(err).Error("call site")
			return line
		}},
		{"Entry.Errorf", func(l *logrus.Logger, err error) int {
			line := sentrytest.NextLine()
			l.WithField("a", 1).WithError(err).Errorf("call %s", "site")
			return line
		}},
		{"Entry.Log", func(l *logrus.Logger, err error) int {
			line := sentrytest.NextLine()
			l.WithError(err).Log(logrus.ErrorLevel, "call site")
			return line
		}},
		{"Logger.Errorln", func(l *logrus.Logger, err error) int {
			line := sentrytest.NextLine()
			l.WithError(err).Errorln("call site")
			return line
		}},
		{"WithContext", func(l *logrus.Logger, err error) int {
			line := sentrytest.NextLine()
			l.WithContext(context.Background()).WithError(err).Error("call site")
			return line
		}},
	}
	for _, tt := range tests {
		for _, withErr := range []bool{false, true} {
			// frames[mode] is the stack for ReportCaller off and on.
			var frames [2][]sentrytest.Frame
			for mode, reportCaller := range []bool{false, true} {
				name := fmt.Sprintf("%s/ReportCaller=%v/error=%v", tt.name, reportCaller, withErr)
				t.Run(name, func(t *testing.T) {
					f := setup(t)
					f.logger.ReportCaller = reportCaller
					var err error
					if withErr {
						err = errors.New("no stack of its own")
					}
					line := logFromHelper(f.logger, err, tt.log)
					sentrytest.Flush(t, f.hub)
					ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
					var fr []sentrytest.Frame
					if withErr {
						if len(ev.Exception) != 1 || ev.Exception[0].Stacktrace == nil {
							t.Fatalf("exception %+v, want one with a stack", ev.Exception)
						}
						fr = ev.Exception[0].Stacktrace.Frames
					} else {
						fr = sentrytest.ThreadFrames(t, ev)
					}
					checkFrames(t, fr, "TestCallSite.func", line)
					// Below the call site: logFromHelper, then this test.
					if len(fr) < 3 || !strings.HasSuffix(fr[len(fr)-2].Function, "logFromHelper") {
						t.Errorf("stack %v is not the whole stack below the call site", funcs(fr))
					}
					frames[mode] = fr
				})
			}
			if frames[0] != nil && frames[1] != nil && !reflect.DeepEqual(frames[0], frames[1]) {
				t.Errorf("%s error=%v: stacks differ with ReportCaller:\n off %v\n  on %v", tt.name, withErr, funcs(frames[0]), funcs(frames[1]))
			}
		}
	}
}

// logFromHelper calls log, so that the stack has a frame between the call
// site and the test.
//
//go:noinline
func logFromHelper(l *logrus.Logger, err error, log func(*logrus.Logger, error) int) int {
	return log(l, err)
}

func funcs(fr []sentrytest.Frame) []string {
	out := make([]string, len(fr))
	for i, f := range fr {
		out[i] = fmt.Sprintf("%s:%d", f.Function, f.Lineno)
	}
	return out
}

// TestExplicitCaller checks that a Caller set on the entry by the program
// (with no ReportCaller) is used as the call site.
func TestExplicitCaller(t *testing.T) {
	t.Parallel()
	f := setup(t)
	pc, _, line, _ := runtime.Caller(0)
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	entry := f.logger.WithField("k", "v")
	entry.Caller = &frame
	entry.Error("explicit caller")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	fr := sentrytest.ThreadFrames(t, ev)
	if len(fr) == 0 {
		t.Fatalf("no stack")
	}
	if top := fr[len(fr)-1]; !strings.HasSuffix(top.Function, "TestExplicitCaller") || top.Lineno != line {
		t.Errorf("top frame %s:%d, want TestExplicitCaller:%d", top.Function, top.Lineno, line)
	}
}

// TestGlobalLogger checks the package-level functions of logrus, which add
// a frame of their own, with the hook on the standard logger.
func TestGlobalLogger(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	hub := rcv.NewHub(t, sentry.ClientOptions{})
	std := logrus.StandardLogger()
	oldHooks := std.ReplaceHooks(make(logrus.LevelHooks))
	oldOut := std.Out
	t.Cleanup(func() {
		std.ReplaceHooks(oldHooks)
		std.SetOutput(oldOut)
	})
	std.SetOutput(&sentrytest.SyncBuffer{})
	logrus.AddHook(logrussentry.NewHook(logsentry.WithHub(hub)))
	line := sentrytest.NextLine()
	logrus.Error("global")
	line2 := sentrytest.NextLine()
	logrus.WithField("a", 1).Error("global entry")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	checkFrames(t, sentrytest.ThreadFrames(t, sentrytest.EventByMessage(t, evs, "global")), "TestGlobalLogger", line)
	checkFrames(t, sentrytest.ThreadFrames(t, sentrytest.EventByMessage(t, evs, "global entry")), "TestGlobalLogger", line2)
}

// inlinedError is small enough for the compiler to inline into its caller
// (go test -gcflags=-m says so): its frame is a virtual one.
func inlinedError(l *logrus.Logger) {
	l.Error("inlined call site") // must stay the line after the func line
}

// inlinedErrorLine returns the line of the l.Error call in inlinedError.
func inlinedErrorLine() int {
	fn := runtime.FuncForPC(reflect.ValueOf(inlinedError).Pointer())
	_, line := fn.FileLine(fn.Entry())
	return line + 1
}

// TestCallSiteInlined checks the call site when the function that calls
// logrus was inlined: both the inlined function and its caller must show,
// with and without ReportCaller.
func TestCallSiteInlined(t *testing.T) {
	for _, reportCaller := range []bool{false, true} {
		t.Run(fmt.Sprintf("ReportCaller=%v", reportCaller), func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.logger.ReportCaller = reportCaller
			line := sentrytest.NextLine()
			inlinedError(f.logger)
			sentrytest.Flush(t, f.hub)
			fr := sentrytest.ThreadFrames(t, f.rcv.WaitEvents(t, 1, waitFor)[0])
			checkFrames(t, fr, "inlinedError", inlinedErrorLine())
			if len(fr) < 2 {
				t.Fatalf("stack %v", funcs(fr))
			}
			if below := fr[len(fr)-2]; !strings.Contains(below.Function, "TestCallSiteInlined") || below.Lineno != line {
				t.Errorf("frame below the call site = %s:%d, want TestCallSiteInlined:%d; stack %v", below.Function, below.Lineno, line, funcs(fr))
			}
		})
	}
}
