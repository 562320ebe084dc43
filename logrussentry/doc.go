// Package logrussentry forwards github.com/sirupsen/logrus entries to
// Sentry: a [Hook] turns error entries into Sentry events (issues), lower
// entries into breadcrumbs on the request's hub, and, when asked, entries
// into Sentry structured logs, each by its own threshold.
//
// Add the hook to a logger; its console output is unchanged:
//
//	logger := logrus.New()
//	logger.AddHook(logrussentry.NewHook(
//		logrussentry.WithEventLevel(logrus.ErrorLevel),
//		logrussentry.WithBreadcrumbLevel(logrus.InfoLevel),
//	))
//	logger.WithContext(ctx).WithError(err).Error("charge failed")
//
// The hook is a thin adapter over package logsentry, which holds the policy
// (thresholds, conversion, redaction, grouping, flushing). [NewHook] accepts
// the level options of this package, in logrus levels, and every option of
// package logsentry.
//
// # Record conversion
//
// Levels map to the bridge's severity (see [Severity]) and from there to
// Sentry levels:
//
//	logrus level   severity  Sentry level  "log" context level
//	TraceLevel      1        debug         "trace"
//	DebugLevel      5        debug         "debug"
//	InfoLevel       9        info          "info"
//	WarnLevel      13        warning       "warning"
//	ErrorLevel     17        error         "error"
//	FatalLevel     21        fatal         "fatal"
//	PanicLevel     22        fatal         "panic"
//
// Thresholds are "this level and more severe". logrus numbers its levels
// the other way round (PanicLevel is 0, TraceLevel 6), so
// WithEventLevel(logrus.WarnLevel) means warning, error, fatal and panic.
// [LevelOff] switches an output off. The defaults: events for ErrorLevel
// and above, breadcrumbs for InfoLevel and above, no Sentry Logs.
// [Hook.Levels] lists the levels that reach some output; it is computed once
// by NewHook, so logrus does not call the hook below every threshold and such
// entries cost nothing.
//
// An entry becomes a record as follows:
//
//   - Message, Time and Level are the entry's; the level's logrus name
//     ("warning", "panic") is kept in the event's "log" context.
//   - The value under logrus.ErrorKey (what WithError sets), when it is an
//     error, is the record's error: the event's exception, with its whole
//     chain (%w, errors.Join, pkg/errors Cause and stack). It comes before
//     any other field. Without it the bridge picks an error-valued field
//     (see logsentry.WithErrorKeys).
//   - The other fields (Data) become attributes, sorted by key, typed:
//     integers, floats, bools, strings, times and durations keep their type;
//     a nested map[string]any or logrus.Fields becomes a group, so its keys
//     nest in the event's "attributes" context and read "outer.inner" as
//     tag keys, breadcrumb data and log attributes; other values are
//     converted by the bridge, guarded against panics and cycles. A string
//     field "logger" names the logger (default "logrus").
//   - The call site: Caller.PC when the logger has ReportCaller set (or
//     Caller was set on the entry), else the bridge skips the frames of
//     logrus and of this module. Either way the event's stack trace ends at
//     the line that called logrus.
//
// # Context
//
// The hub comes from the entry's context, set with logger.WithContext(ctx)
// or entry.WithContext(ctx): the hub of ctx, else the hub of
// logsentry.WithHub, else sentry.CurrentHub, looked up per entry. Give each
// request its own hub with breadcrumbs.WithTrail or breadcrumbs.Middleware
// and log with that context, and breadcrumbs never leak between concurrent
// requests. The span of ctx links events and logs to the trace.
//
// # Flushing on fatal
//
// logrus fires hooks before it writes the line, exits (Fatal) or panics
// (Panic). For fatal and panic entries Fire flushes the client, bounded by
// logsentry.WithFlushTimeout (default 2s), before it returns, so the event
// is delivered before the process ends. Nothing in the hook exits or panics:
// the line still reaches the logger's output, logrus.RegisterExitHandler
// handlers still run, and the exit code is logrus's (1 for Fatal, 2 for an
// unrecovered Panic).
//
// The flush covers the client of the fatal entry's hub. To flush everything
// else buffered at exit (Sentry Logs of other hubs, earlier events), add an
// exit handler; it is optional:
//
//	hook := logrussentry.NewHook()
//	logger.AddHook(hook)
//	logrus.RegisterExitHandler(func() { _ = hook.Flush(context.Background()) })
//
// Before a normal exit call [Hook.Flush] (or sentry.Flush) yourself.
//
// # Caveats
//
//   - Levels is fixed at construction: logrus reads it once, when the hook is
//     added. Make a new hook to change thresholds.
//   - logrus.ErrorKey is read on every entry; changing it while logging is a
//     data race in logrus too.
//   - Fire runs synchronously in the logging call, as logrus runs every hook.
//     It does not wait on the network except for the bounded flush after a
//     fatal or panic entry; with Sentry unreachable a Fatal call takes up to
//     the flush timeout longer (twice that with the exit handler above,
//     whose flush waits too).
//   - An entry logged with Log, Logf or Logln at PanicLevel or FatalLevel
//     neither exits nor panics (logrus's rule), but is still fatal to Sentry
//     and flushed.
//   - The call site is the first frame outside logrus and this module, with
//     or without ReportCaller, so a logging wrapper of your own is the top
//     frame of the stack. Set Entry.Caller to pin another frame.
//   - The hook is the only Sentry integration logrus needs: do not also add
//     sentry-go's logrus hook for the same levels, or records are sent twice.
package logrussentry
