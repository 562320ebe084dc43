package zapsentry

import (
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
)

// LevelOff, given to [WithEventLevel], [WithBreadcrumbLevel] or
// [WithLogLevel], switches that output off. It is zapcore.InvalidLevel, the
// level zapcore.LevelOf reports for a core that enables nothing; any level
// above zapcore.FatalLevel used as a threshold does the same.
const LevelOff = zapcore.InvalidLevel

// Severity maps a zap level to the bridge's severity:
//
//	zapcore.DebugLevel   5  (DEBUG)
//	zapcore.InfoLevel    9  (INFO)
//	zapcore.WarnLevel   13  (WARN)
//	zapcore.ErrorLevel  17  (ERROR)
//	zapcore.DPanicLevel 18  (ERROR+1: an error in production, where it does not panic)
//	zapcore.PanicLevel  21  (FATAL: a panic may be recovered)
//	zapcore.FatalLevel  23  (FATAL+2: the process exits; OpenTelemetry's FATAL3, as otelzap maps it)
//
// Levels below DebugLevel map to 1 (TRACE) and levels above FatalLevel,
// InvalidLevel included, to 24, the highest severity. Used as a threshold,
// a level above FatalLevel means off (see [LevelOff]).
func Severity(l zapcore.Level) logsentry.Severity {
	switch l {
	case zapcore.DebugLevel:
		return logsentry.SeverityDebug
	case zapcore.InfoLevel:
		return logsentry.SeverityInfo
	case zapcore.WarnLevel:
		return logsentry.SeverityWarn
	case zapcore.ErrorLevel:
		return logsentry.SeverityError
	case zapcore.DPanicLevel:
		return logsentry.SeverityError + 1
	case zapcore.PanicLevel:
		return logsentry.SeverityFatal
	case zapcore.FatalLevel:
		return logsentry.SeverityFatal + 2
	}
	if l < zapcore.DebugLevel {
		return logsentry.SeverityTrace
	}
	return logsentry.SeverityMax
}

// threshold maps a zap level used as a threshold: as [Severity] does, except
// that a level above FatalLevel switches the output off.
func threshold(l zapcore.Level) logsentry.Severity {
	if l > zapcore.FatalLevel {
		return logsentry.SeverityOff
	}
	return Severity(l)
}

// WithEventLevel sets the lowest level that becomes a Sentry event (an
// issue). The default is zapcore.ErrorLevel; [LevelOff] sends none.
func WithEventLevel(l zapcore.Level) logsentry.Option {
	return logsentry.WithEventSeverity(threshold(l))
}

// WithBreadcrumbLevel sets the lowest level that becomes a breadcrumb. The
// default is zapcore.InfoLevel; [LevelOff] adds none.
func WithBreadcrumbLevel(l zapcore.Level) logsentry.Option {
	return logsentry.WithBreadcrumbSeverity(threshold(l))
}

// WithLogLevel sets the lowest level that becomes a Sentry structured log.
// The default is [LevelOff]: Sentry Logs are opt-in.
func WithLogLevel(l zapcore.Level) logsentry.Option {
	return logsentry.WithLogSeverity(threshold(l))
}
