package logsentry

import (
	"math"
	"strconv"

	"github.com/getsentry/sentry-go"
)

// Severity is the logger-neutral level of a [Record]: the OpenTelemetry and
// Sentry Logs severity number, 1 (trace) to 24 (most severe fatal). Severities
// are ordered, so thresholds compare with >=. Adapters map their native level
// to a Severity; values between the named constants (a custom slog level, for
// example) keep their position and map to the named level at or below them.
type Severity int

// The named severities. Each spans four numbers: [SeverityInfo] is 9 to 12,
// [SeverityWarn] 13 to 16, and so on.
const (
	SeverityTrace Severity = 1
	SeverityDebug Severity = 5
	SeverityInfo  Severity = 9
	SeverityWarn  Severity = 13
	SeverityError Severity = 17
	SeverityFatal Severity = 21

	// SeverityMax is the highest severity a record can have.
	SeverityMax Severity = 24

	// SeverityOff, used as a threshold, switches an output off: no record
	// reaches it.
	SeverityOff Severity = math.MaxInt
)

// clamp returns s limited to [SeverityTrace, SeverityMax]. Thresholds are not
// clamped, so SeverityOff stays off.
func (s Severity) clamp() Severity {
	switch {
	case s < SeverityTrace:
		return SeverityTrace
	case s > SeverityMax:
		return SeverityMax
	}
	return s
}

// String returns the name of the named level at or below s ("TRACE", "DEBUG",
// "INFO", "WARN", "ERROR", "FATAL"), with a "+n" suffix when s lies above it,
// as slog names custom levels; "OFF" for [SeverityOff]. Severities outside
// 1..24 are first clamped into it, so 25 is "FATAL+3" and 0 is "TRACE".
func (s Severity) String() string {
	if s == SeverityOff {
		return "OFF"
	}
	c := s.clamp()
	base := SeverityTrace + (c-SeverityTrace)/4*4
	name := [...]string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}[(base-SeverityTrace)/4]
	if c != base {
		return name + "+" + strconv.Itoa(int(c-base))
	}
	return name
}

// SentryLevel returns the Sentry event and breadcrumb level for s. Sentry has
// no trace level: trace maps to debug.
func (s Severity) SentryLevel() sentry.Level {
	switch c := s.clamp(); {
	case c >= SeverityFatal:
		return sentry.LevelFatal
	case c >= SeverityError:
		return sentry.LevelError
	case c >= SeverityWarn:
		return sentry.LevelWarning
	case c >= SeverityInfo:
		return sentry.LevelInfo
	default:
		return sentry.LevelDebug
	}
}
