// Package zapsentry forwards go.uber.org/zap entries to Sentry: a
// [zapcore.Core] that, teed beside the cores that write the log, turns error
// entries into Sentry events (issues), lower entries into breadcrumbs on the
// request's hub, and chosen entries into Sentry structured logs.
//
//	logger = zapsentry.AttachCore(logger) // or zapcore.NewTee(core, zapsentry.NewCore())
//	logger.Info("cart loaded", zapsentry.Context(ctx), zap.Int("items", 3)) // a breadcrumb
//	logger.Error("payment failed", zapsentry.Context(ctx), zap.Error(err))  // an event
//
// The Core holds no policy of its own: thresholds, conversion, redaction and
// grouping are those of package logsentry, configured by the options given to
// [NewCore] (logsentry.WithHub, logsentry.WithTagKeys, ...) and by this
// package's [WithEventLevel], [WithBreadcrumbLevel] and [WithLogLevel], which
// take zap levels.
//
// # Record conversion
//
// Levels map to severities, and so to Sentry levels, as follows ([Severity]):
//
//	zap level    severity       Sentry level
//	DebugLevel    5 DEBUG       debug
//	InfoLevel     9 INFO        info
//	WarnLevel    13 WARN        warning
//	ErrorLevel   17 ERROR       error
//	DPanicLevel  18 ERROR+1     error
//	PanicLevel   21 FATAL       fatal
//	FatalLevel   23 FATAL+2     fatal
//	below Debug   1 TRACE       debug
//	above Fatal  24 FATAL+3     fatal
//
// The defaults send ErrorLevel and above as events and InfoLevel and above as
// breadcrumbs; Sentry Logs are off until [WithLogLevel] sets a level. [LevelOff]
// switches an output off. The level's own name ("DPANIC") is kept in the
// event's "log" context and the log's log.level attribute. A Sentry log
// carries the named severity at or below the entry's (17 for DPanic, 21 for
// Panic and Fatal): sentry-go sets no other.
//
// An entry becomes a logsentry.Record:
//
//   - Time, Message and the level from the zapcore.Entry;
//   - Logger: the name given with zap.Logger.Named ("api.users"), else "zap";
//   - PC: the entry's caller (zap.AddCaller) when defined. The event's stack
//     trace starts there, so its top frame is the logging line; without
//     zap.AddCaller the bridge finds the same line by skipping the frames of
//     zap and of this module. The entry's Stack (zap.AddStacktrace) is not
//     used: it is the same stack as text. A zap.Stack field stays a field;
//   - Attrs: the fields of With and of the call, converted by a
//     zapcore.ObjectEncoder into slog attrs: strings, numbers, bools,
//     durations and times keep their type; zap.Object, zap.Dict and
//     zap.Inline marshalers become groups; arrays become lists (objects in
//     them, maps); zap.Namespace nests all the fields that follow it, in the
//     call and in later With calls, in a group; zap.Any and zap.Reflect values
//     are converted by the bridge (bounded, cycle- and panic-safe); binary
//     values are base64, complex numbers strings;
//   - errors: a zap.Error or zap.NamedError field keeps its error value, so
//     the bridge makes it the event's exception with its whole chain (%w,
//     errors.Join, Cause) and any stack it carries: the field under the key
//     "error" or "err" (logsentry.WithErrorKeys), else the first error, also
//     one inside a zap.Dict or zap.Inline(zap.DictObject(...)) (whose fields
//     are read as fields, not through MarshalLogObject, which would write an
//     error's text). An error that is also a zapcore.ObjectMarshaler (which
//     zap.Any and the sugared logger marshal as an object) is the error too,
//     its object form the field under the same key. A
//     zap.Errors field is one error, joined with errors.Join (an exception
//     group), or its single non-nil error. Other error fields give their
//     text.
//
// # Context
//
// A field whose value is a [context.Context], whatever its key and type, is
// not a field: it gives the entry its context. Its hub (sentry.SetHubOnContext,
// breadcrumbs.WithTrail, breadcrumbs.Middleware) receives the entry's event,
// breadcrumb and log, and its span links them to the trace. [Context] makes
// such a field that the other cores of a tee do not print; zap.Any("ctx",
// ctx) works too, but zap's encoders print it. A context at the call beats
// one given to With, and a later one an earlier one. Without one, entries go
// to the hub of logsentry.WithHub, else sentry.CurrentHub, looked up per
// entry.
//
//	log := logger.With(zapsentry.Context(r.Context())) // per request
//	log.Warn("slow query", zap.Duration("took", d))     // breadcrumb on the request's trail
//
// # Flushing on fatal
//
// zap writes an entry to every core before it panics (PanicLevel, and
// DPanicLevel in development) or exits (FatalLevel). The bridge flushes the
// client after a Panic or Fatal entry (severity FATAL and above), bounded by
// logsentry.WithFlushTimeout (default 2s), before Write returns; Write does
// the same after a DPanic entry that sent an event or a log (not one that
// was rate limited, filtered or deduplicated, which a production logger
// would wait on for nothing), whose severity is below FATAL, as zap's own
// cores sync after every entry above ErrorLevel, within the same bound. So
// the event is on the wire before the process dies. WithFlushTimeout(0)
// turns both flushes off. [Core.Sync], called by zap.Logger.Sync, flushes
// too.
//
// # Caveats
//
//   - [AttachCore] and [WrapCore] tee a new Core beside the logger's core:
//     fields the logger already carries from With are not seen by it. Attach
//     first, then add fields.
//   - A context given to With is kept for the life of the derived logger.
//     Derive request loggers per request, or pass the context at the call.
//   - Values given to With are converted then, once. Reflected values
//     (zap.Any of a struct, map or slice) are copied by the bridge's own
//     conversion (logsentry.Bridge.Snapshot), so they read as the same
//     values given to the call, and later changes to them do not show.
//   - Fields of the call are converted during Write, synchronously, as zap's
//     encoders do: they must not change while the call runs.
//   - An empty zap.Object or zap.Namespace is dropped, as slog drops empty
//     groups; zap's JSON encoder writes {}.
//   - A field whose MarshalLogObject or MarshalLogArray panics becomes a
//     "!PANIC converting ..." string (under the key "!PANIC" for zap.Inline,
//     whose key is empty), and one whose String method panics
//     becomes zap's own "<key>Error" field; the entry and its other fields
//     are still sent. Errors whose Error method panics, typed nils, cycles,
//     NaN and invalid UTF-8 are handled by the bridge.
package zapsentry
