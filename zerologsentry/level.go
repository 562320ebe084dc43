package zerologsentry

import (
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
)

// Severity maps a zerolog level to the bridge's severity, the
// OpenTelemetry number of the level's place in zerolog's order:
//
//	zerolog.TraceLevel (and the numeric levels below it)  1  trace
//	zerolog.DebugLevel                                    5  debug
//	zerolog.InfoLevel                                     9  info
//	zerolog.WarnLevel                                    13  warn
//	zerolog.ErrorLevel                                   17  error
//	zerolog.FatalLevel                                   21  fatal
//	zerolog.PanicLevel                                   22  fatal (FATAL+1)
//	zerolog.NoLevel (Logger.Log, Print)                   9  info
//	zerolog.Disabled                                 logsentry.SeverityOff
//
// NoLevel records carry no level of their own (often lines of the standard
// log package redirected into zerolog), so they count as info: breadcrumbs,
// never issues. Numeric levels above Disabled, which zerolog's methods
// never produce, count as info too.
func Severity(l zerolog.Level) logsentry.Severity {
	switch {
	case l <= zerolog.TraceLevel:
		return logsentry.SeverityTrace
	case l <= zerolog.FatalLevel:
		return logsentry.SeverityDebug + 4*logsentry.Severity(l)
	case l == zerolog.PanicLevel:
		return logsentry.SeverityFatal + 1
	case l == zerolog.Disabled:
		return logsentry.SeverityOff
	default: // NoLevel and unnamed levels
		return logsentry.SeverityInfo
	}
}

// WithEventLevel sets the lowest level that becomes a Sentry event (an
// issue). The default is zerolog.ErrorLevel; zerolog.Disabled sends none.
func WithEventLevel(l zerolog.Level) logsentry.Option {
	return logsentry.WithEventSeverity(Severity(l))
}

// WithBreadcrumbLevel sets the lowest level that becomes a breadcrumb. The
// default is zerolog.InfoLevel; zerolog.Disabled adds none.
func WithBreadcrumbLevel(l zerolog.Level) logsentry.Option {
	return logsentry.WithBreadcrumbSeverity(Severity(l))
}

// WithLogLevel sets the lowest level that becomes a Sentry structured log.
// The default is zerolog.Disabled: Sentry Logs are opt-in.
func WithLogLevel(l zerolog.Level) logsentry.Option {
	return logsentry.WithLogSeverity(Severity(l))
}
