package logrussentry

import (
	"math"

	"github.com/sirupsen/logrus"

	"github.com/logsentry/logsentry"
)

// LevelOff, given to [WithEventLevel], [WithBreadcrumbLevel] or
// [WithLogLevel], switches that output off. It is not a logrus level: logrus
// counts severity down from [logrus.PanicLevel] (0), so no level is more
// severe than panic, and LevelOff is a sentinel that [Severity] maps to
// logsentry.SeverityOff. logsentry.WithEventSeverity(logsentry.SeverityOff)
// and its siblings do the same.
const LevelOff logrus.Level = math.MaxUint32

// Severity maps a logrus level to the bridge's severity, the OpenTelemetry
// severity number:
//
//	logrus.TraceLevel  1 (trace)
//	logrus.DebugLevel  5 (debug)
//	logrus.InfoLevel   9 (info)
//	logrus.WarnLevel  13 (warn)
//	logrus.ErrorLevel 17 (error)
//	logrus.FatalLevel 21 (fatal)
//	logrus.PanicLevel 22 (fatal+1)
//
// Fatal and panic are both fatal severities: they become Sentry events and
// breadcrumbs of level "fatal", and their events are flushed before the hook
// returns, so before logrus exits or panics. Panic sits one step above
// fatal, as logrus ranks it. [LevelOff] maps to logsentry.SeverityOff; any
// other value beyond logrus.TraceLevel is treated as trace.
func Severity(l logrus.Level) logsentry.Severity {
	switch l {
	case logrus.PanicLevel:
		return logsentry.SeverityFatal + 1
	case logrus.FatalLevel:
		return logsentry.SeverityFatal
	case logrus.ErrorLevel:
		return logsentry.SeverityError
	case logrus.WarnLevel:
		return logsentry.SeverityWarn
	case logrus.InfoLevel:
		return logsentry.SeverityInfo
	case logrus.DebugLevel:
		return logsentry.SeverityDebug
	case LevelOff:
		return logsentry.SeverityOff
	default:
		return logsentry.SeverityTrace
	}
}

// WithEventLevel sets the lowest level that becomes a Sentry event (an
// issue): records at level l and every more severe level (a lower logrus
// number) become events. The default is logrus.ErrorLevel, so error, fatal
// and panic records; [LevelOff] sends none.
func WithEventLevel(l logrus.Level) logsentry.Option {
	return logsentry.WithEventSeverity(Severity(l))
}

// WithBreadcrumbLevel sets the lowest level that becomes a breadcrumb on the
// hub's scope: level l and more severe. The default is logrus.InfoLevel;
// [LevelOff] adds none.
func WithBreadcrumbLevel(l logrus.Level) logsentry.Option {
	return logsentry.WithBreadcrumbSeverity(Severity(l))
}

// WithLogLevel sets the lowest level that becomes a Sentry structured log:
// level l and more severe. The default is [LevelOff]: Sentry Logs are
// opt-in.
func WithLogLevel(l logrus.Level) logsentry.Option {
	return logsentry.WithLogSeverity(Severity(l))
}
