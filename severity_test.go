package logsentry_test

import (
	"testing"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
)

func TestSeverityString(t *testing.T) {
	want := map[logsentry.Severity]string{
		0: "TRACE", // below the range: clamped to TRACE
		1: "TRACE", 2: "TRACE+1", 3: "TRACE+2", 4: "TRACE+3",
		5: "DEBUG", 6: "DEBUG+1", 7: "DEBUG+2", 8: "DEBUG+3",
		9: "INFO", 10: "INFO+1", 11: "INFO+2", 12: "INFO+3",
		13: "WARN", 14: "WARN+1", 15: "WARN+2", 16: "WARN+3",
		17: "ERROR", 18: "ERROR+1", 19: "ERROR+2", 20: "ERROR+3",
		21: "FATAL", 22: "FATAL+1", 23: "FATAL+2", 24: "FATAL+3",
		25:                    "FATAL+3", // above the range: clamped to SeverityMax
		-7:                    "TRACE",
		logsentry.SeverityOff: "OFF",
	}
	for s := logsentry.Severity(0); s <= 25; s++ {
		if _, ok := want[s]; !ok {
			t.Fatalf("table misses %d", int(s))
		}
	}
	for s, w := range want {
		if got := s.String(); got != w {
			t.Errorf("Severity(%d).String() = %q, want %q", int(s), got, w)
		}
	}
	named := map[logsentry.Severity]string{
		logsentry.SeverityTrace: "TRACE", logsentry.SeverityDebug: "DEBUG", logsentry.SeverityInfo: "INFO",
		logsentry.SeverityWarn: "WARN", logsentry.SeverityError: "ERROR", logsentry.SeverityFatal: "FATAL",
		logsentry.SeverityMax: "FATAL+3",
	}
	for s, w := range named {
		if got := s.String(); got != w {
			t.Errorf("%d.String() = %q, want %q", int(s), got, w)
		}
	}
}

func TestSeveritySentryLevel(t *testing.T) {
	tests := []struct {
		from, to logsentry.Severity // inclusive
		want     sentry.Level
	}{
		{-100, 8, sentry.LevelDebug}, // trace has no Sentry level: debug
		{9, 12, sentry.LevelInfo},
		{13, 16, sentry.LevelWarning},
		{17, 20, sentry.LevelError},
		{21, 30, sentry.LevelFatal},
	}
	for _, tt := range tests {
		for s := tt.from; s <= tt.to; s++ {
			if got := s.SentryLevel(); got != tt.want {
				t.Errorf("Severity(%d).SentryLevel() = %q, want %q", int(s), got, tt.want)
			}
		}
	}
	if got := logsentry.SeverityOff.SentryLevel(); got != sentry.LevelFatal {
		t.Errorf("SeverityOff.SentryLevel() = %q, want fatal", got)
	}
}
