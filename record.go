package logsentry

import (
	"log/slog"
	"time"
)

// Record is the logger-neutral form of one log record. Every adapter turns
// its logger's record into a Record and hands it to [Bridge.Emit]; all policy
// (thresholds, conversion, redaction, grouping) is applied there, once.
//
// Attrs use log/slog's vocabulary because it is typed, has groups and
// LogValuers, and ships with Go. Emit does not retain Attrs or anything they
// reference after it returns, so adapters may reuse the slice.
type Record struct {
	// Time is when the record was made. Zero means unknown: the SDK stamps
	// the capture time.
	Time time.Time

	// Severity is the record's mapped level; it selects the outputs.
	Severity Severity

	// Level is the logger's own name for the level ("DPANIC", "WARNING"),
	// optional. It is kept in the event's "log" context.
	Level string

	// Message is the log message (template, for loggers that have one).
	Message string

	// Logger is the logger's name (a zap Named logger, a "logger" field); if
	// empty, the bridge's default (see [WithLoggerName]). It becomes the
	// event's logger and the breadcrumb's category.
	Logger string

	// Err, when set, is the record's error: it becomes the event's
	// exception, ahead of any error found among the fields.
	Err error

	// PC is the program counter of the logging call site, or 0 if unknown.
	// The event's stack trace starts at this frame, so its top frame is the
	// caller's line, not a frame of the logging library.
	PC uintptr

	// Attrs are the record's fields, including those added by With-style
	// calls, with groups nested as slog.Group values.
	Attrs []slog.Attr
}
