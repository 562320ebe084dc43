// Package slogsentry is a [log/slog] handler that forwards records to Sentry:
// error records become Sentry events (issues), info records and above become
// breadcrumbs on the request's hub, and, when enabled, chosen records become
// Sentry structured logs. Each output has its own threshold.
//
//	logger := slog.New(slogsentry.NewHandler())
//	logger.InfoContext(ctx, "cart loaded", "items", 3)     // a breadcrumb
//	logger.ErrorContext(ctx, "payment failed", "err", err) // an event
//
// To keep printing records as well, combine the handler with a text or JSON
// handler through slog.NewMultiHandler (Go 1.26 and later).
//
// [NewHandler] accepts the level options of this package ([WithEventLevel],
// [WithBreadcrumbLevel], [WithLogLevel]) and every option of package
// logsentry: [logsentry.WithHub], [logsentry.WithTagKeys],
// [logsentry.WithFingerprint], [logsentry.WithReplaceAttr],
// [logsentry.WithFlushTimeout] and the rest.
//
// # Record conversion
//
// A record's level maps to a severity ([Severity]: the OpenTelemetry
// mapping, level+9), and the severity picks the outputs: an event when it is
// at or above [WithEventLevel] (default [slog.LevelError]), a breadcrumb at
// or above [WithBreadcrumbLevel] (default [slog.LevelInfo]), a Sentry log at
// or above [WithLogLevel] (default [LevelOff]: Sentry Logs are opt-in).
// [LevelOff] switches an output off. Custom levels keep their place between
// the named ones:
//
//	slog level                 severity   event and breadcrumb   Sentry log
//	LevelDebug-4 and below     1          debug                  trace
//	LevelDebug-3 to Debug-1    2 to 4     debug                  trace
//	LevelDebug to Info-1       5 to 8     debug                  debug
//	LevelInfo to Info+3        9 to 12    info                   info
//	LevelWarn to Warn+3        13 to 16   warning                warn
//	LevelError to Error+3      17 to 20   error                  error
//	LevelFatal and above       21 to 24   fatal                  fatal
//
// Breadcrumbs are typed by level: "debug" for debug, "default" for info and
// warning, "error" for error and fatal.
//
// [slog.LogValuer] values are resolved first, then the function of
// [logsentry.WithReplaceAttr] runs on each field, then values under sensitive
// keys and secret-shaped strings are replaced with "[Filtered]"; every output
// is built from the result, so a LogValuer that hides a secret hides it
// everywhere. Attrs of [Handler.WithAttrs] and groups of [Handler.WithGroup]
// apply as in any slog handler; a group with an empty key is inlined, an
// empty group and an attr with an empty key are dropped.
//
// An event carries:
//
//   - message: the record's message; an empty message with an error takes the
//     error's text;
//   - timestamp: the record's time (the capture time when it is zero, marked
//     by time_unknown in the "log" context);
//   - logger: a top-level string field "logger", else "slog";
//   - exception: the error under the key "error" or "err", else the first
//     field holding an error (top-level fields first, then fields inside
//     groups, including those of WithGroup), with its whole chain (%w,
//     errors.Join, Cause) and the stack trace of errors that carry one, such
//     as those of github.com/pkg/errors. That field leaves the attributes;
//   - a stack trace of the logging call, from the record's PC, when no error
//     carries one: its top frame is the caller's line, and no frame of
//     log/slog or of this module appears;
//   - contexts: "attributes" holds the other fields, typed, groups as nested
//     objects; "log" holds the slog level name ("ERROR+2") and the severity;
//     "trace" links the span of the context;
//   - tags: only the fields listed with [logsentry.WithTagKeys], fields in
//     groups written with dots ("http.method"); they also stay in the
//     attributes;
//   - user: from a top-level group "user" (id, email, username, ip_address,
//     name; other fields go to the user's data), or a sentry.User, struct or
//     map under that key, with email, username and ip_address only when the
//     client's DataCollection or SendDefaultPII allows user information;
//   - fingerprint: a top-level "fingerprint" field ([]string or string), else
//     the result of [logsentry.WithFingerprint], else the message and the Go
//     type and the text of the innermost error.
//
// A breadcrumb carries the message, the level, the logger name as category,
// the record's time, and the fields flattened with dotted keys
// ("http.url.path") plus the error's text under "error". It is added after
// the record's own event is captured: later events list it, its own event
// does not. The client's BeforeBreadcrumb and MaxBreadcrumbs apply.
//
// A Sentry log carries the message as body and the fields as typed
// attributes with dotted keys: integers as "integer", floats as "double",
// booleans as "boolean", strings as "string", anything else as its JSON text.
// It also carries sentry.origin "auto.log.slog" ("auto.log." and the name
// given to logsentry.WithLoggerName; see logsentry.WithOrigin),
// logger.name, log.level (the slog level name), exception.type and
// exception.message when the record holds an error, and the trace and span
// of the context.
//
// # Context
//
// The hub is found per record: the hub of the context given to Handle
// (logger.InfoContext(ctx, ...), logger.LogAttrs(ctx, ...)), else the hub of
// [logsentry.WithHub], else [sentry.CurrentHub]. Nothing is cached at
// construction, so a handler made before sentry.Init works. A hub whose
// client is missing or disabled sends nothing, and its records do not fall
// back to another hub.
//
// Breadcrumbs live on a hub's scope. Records logged without a context share
// the fallback hub, and so do their breadcrumbs: one request's lines show up
// on another request's events. Give each request or job a hub of its own with
// breadcrumbs.WithTrail or breadcrumbs.Middleware, and log with its context.
//
// A span in the context ([sentry.StartSpan]) links the event and the log to
// its trace. Cancelling the context does not drop the record.
//
// # Flushing on fatal
//
// slog has no fatal level; [LevelFatal] (slog.LevelError+4) is the
// conventional custom one. A record at LevelFatal or above becomes a fatal
// event (and a fatal log when Sentry Logs take it), and Handle flushes the
// client before returning, bounded by [logsentry.WithFlushTimeout] (2s by
// default), so the event is delivered even if the program exits next. Nothing
// here exits or panics; that stays the caller's decision:
//
//	logger.Log(ctx, slogsentry.LevelFatal, "cannot start", "err", err)
//	os.Exit(1)
//
// Records below LevelFatal never wait on the network. Before any other exit,
// flush with h.Bridge().Flush(ctx) or sentry.Flush.
//
// # Caveats
//
//   - Sentry Logs carry the SDK's capture time, not the record time, because
//     sentry-go v0.50's public Logger API has no way to set a log's
//     timestamp. Events and breadcrumbs use the record time.
//   - Handle always returns nil: delivery is asynchronous, and problems the
//     handler absorbs (a panicking String, Error, LogValue or MarshalJSON
//     method, for example) become placeholders in the record and go to
//     [logsentry.WithErrorHandler].
//   - Fields with the same key, in the same group, do not both survive: the
//     later one wins, in every output.
//   - The record's source is not an attribute: the call site is the top frame
//     of the event's stack trace instead.
//   - Thresholds are fixed by NewHandler; Enabled is a single comparison with
//     the lowest of them.
package slogsentry
