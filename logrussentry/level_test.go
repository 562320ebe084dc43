package logrussentry_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

func TestSeverity(t *testing.T) {
	tests := []struct {
		level logrus.Level
		want  logsentry.Severity
	}{
		{logrus.TraceLevel, 1},
		{logrus.DebugLevel, 5},
		{logrus.InfoLevel, 9},
		{logrus.WarnLevel, 13},
		{logrus.ErrorLevel, 17},
		{logrus.FatalLevel, 21},
		{logrus.PanicLevel, 22},
		{logrus.TraceLevel + 1, 1}, // not a logrus level: below trace
		{logrussentry.LevelOff, logsentry.SeverityOff},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			if got := logrussentry.Severity(tt.level); got != tt.want {
				t.Errorf("Severity(%d) = %d, want %d", tt.level, got, tt.want)
			}
		})
	}
}

// TestLevelTable logs one entry at every level with every output on, and
// checks each event's level, "log" context and the breadcrumb it leaves.
func TestLevelTable(t *testing.T) {
	tests := []struct {
		level        logrus.Level
		wantLevel    string // event and breadcrumb level
		wantName     string // "log" context level: logrus's name
		wantSeverity int64
		wantLog      string // Sentry log level
		wantLogSev   int    // Sentry log severity number
	}{
		{logrus.TraceLevel, "debug", "trace", 1, "trace", 1},
		{logrus.DebugLevel, "debug", "debug", 5, "debug", 5},
		{logrus.InfoLevel, "info", "info", 9, "info", 9},
		{logrus.WarnLevel, "warning", "warning", 13, "warn", 13},
		{logrus.ErrorLevel, "error", "error", 17, "error", 17},
		{logrus.FatalLevel, "fatal", "fatal", 21, "fatal", 21},
		{logrus.PanicLevel, "fatal", "panic", 22, "fatal", 21},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			t.Parallel()
			f := setup(t,
				logrussentry.WithEventLevel(logrus.TraceLevel),
				logrussentry.WithBreadcrumbLevel(logrus.TraceLevel),
				logrussentry.WithLogLevel(logrus.TraceLevel),
			)
			// Log neither exits nor panics, at any level.
			f.logger.Log(tt.level, "first")
			f.logger.WithField("n", 2).Log(tt.level, "second")
			sentrytest.Flush(t, f.hub)
			evs := f.rcv.WaitEvents(t, 2, waitFor)
			ev := sentrytest.EventByMessage(t, evs, "second")
			if ev.Level != tt.wantLevel {
				t.Errorf("event level %q, want %q", ev.Level, tt.wantLevel)
			}
			lc := ev.Contexts["log"]
			if lc["level"] != tt.wantName {
				t.Errorf("log context level %v, want %q", lc["level"], tt.wantName)
			}
			if n, _ := lc["severity"].(json.Number).Int64(); n != tt.wantSeverity {
				t.Errorf("log context severity %v, want %d", lc["severity"], tt.wantSeverity)
			}
			if len(ev.Breadcrumbs) != 1 || ev.Breadcrumbs[0].Message != "first" || ev.Breadcrumbs[0].Level != tt.wantLevel ||
				ev.Breadcrumbs[0].Category != "logrus" {
				t.Errorf("breadcrumbs %+v, want one %q breadcrumb %q in category logrus", ev.Breadcrumbs, tt.wantLevel, "first")
			}
			logs := f.rcv.WaitLogs(t, 2, waitFor)
			var found bool
			for _, l := range logs {
				if l.Body != "second" {
					continue
				}
				found = true
				if l.Level != tt.wantLog || l.Severity != tt.wantLogSev {
					t.Errorf("log level %q severity %d, want %q %d", l.Level, l.Severity, tt.wantLog, tt.wantLogSev)
				}
				if got := l.Attributes["log.level"].String(); got != tt.wantName {
					t.Errorf("log attribute log.level %q, want %q", got, tt.wantName)
				}
				if n, ok := l.Attributes["n"].Int(); !ok || n != 2 {
					t.Errorf("log attribute n = %+v, want integer 2", l.Attributes["n"])
				}
			}
			if !found {
				t.Errorf("no log with body %q among %+v", "second", logs)
			}
		})
	}
}

// TestLevels checks the levels the hook asks logrus for, and that logrus
// then never calls it for the others.
func TestLevels(t *testing.T) {
	tests := []struct {
		name string
		opts []logsentry.Option
		want []logrus.Level
	}{
		{"default: events error, breadcrumbs info", nil,
			[]logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel, logrus.InfoLevel}},
		{"breadcrumbs off", []logsentry.Option{logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff)},
			[]logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel}},
		{"events at warn only", []logsentry.Option{
			logrussentry.WithEventLevel(logrus.WarnLevel),
			logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
		}, []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}},
		{"logs at debug", []logsentry.Option{logrussentry.WithLogLevel(logrus.DebugLevel)},
			[]logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel, logrus.InfoLevel, logrus.DebugLevel}},
		{"everything at trace", []logsentry.Option{logrussentry.WithBreadcrumbLevel(logrus.TraceLevel)}, logrus.AllLevels},
		{"fatal only", []logsentry.Option{
			logrussentry.WithEventLevel(logrus.FatalLevel),
			logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
		}, []logrus.Level{logrus.PanicLevel, logrus.FatalLevel}},
		{"all off", []logsentry.Option{
			logrussentry.WithEventLevel(logrussentry.LevelOff),
			logrussentry.WithBreadcrumbLevel(logrussentry.LevelOff),
		}, []logrus.Level{}},
		{"core severity options work too", []logsentry.Option{
			logsentry.WithEventSeverity(logsentry.SeverityOff),
			logsentry.WithBreadcrumbSeverity(logsentry.SeverityFatal + 1),
		}, []logrus.Level{logrus.PanicLevel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := logrussentry.NewHook(tt.opts...)
			got := hook.Levels()
			if !slices.Equal(got, tt.want) {
				t.Errorf("Levels() = %v, want %v", got, tt.want)
			}
			if len(got) > 0 {
				got[0] = 99 // callers may scribble on the result
			}
			if again := hook.Levels(); !slices.Equal(again, tt.want) {
				t.Errorf("Levels() after a caller changed its result = %v", again)
			}
			hooks := make(logrus.LevelHooks)
			hooks.Add(hook)
			for _, l := range logrus.AllLevels {
				if registered := len(hooks[l]) > 0; registered != slices.Contains(tt.want, l) {
					t.Errorf("logrus registered the hook for %s: %v", l, registered)
				}
			}
		})
	}
}
