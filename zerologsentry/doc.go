// Package zerologsentry forwards github.com/rs/zerolog lines to Sentry:
// error lines become Sentry events (issues), info lines and above become
// breadcrumbs on the request's hub, and, when enabled, chosen lines become
// Sentry structured logs. Each output has its own threshold.
//
// A [Writer] is both a zerolog.LevelWriter, which receives each JSON line,
// and a zerolog.Hook, which sees the line's context and call site before
// zerolog writes it. Attach it both ways:
//
//	w := zerologsentry.NewWriter()
//	logger := zerolog.New(w.Tee(os.Stderr)).Hook(w)
//	logger.Info().Ctx(ctx).Int("items", 3).Msg("cart loaded")   // a breadcrumb
//	logger.Error().Ctx(ctx).Err(err).Msg("payment failed")      // an event
//
// [Writer.Tee] writes the line to the other outputs (here os.Stderr)
// without the hook's correlation field. zerolog.MultiLevelWriter works too,
// with the Writer first, so that it takes the line's context before a slow
// output makes the line wait, and with the field in the other outputs:
//
//	logger := zerolog.New(zerolog.MultiLevelWriter(w, os.Stderr)).Hook(w)
//
// and, to give events the error values rather than their text, install
// [ErrorMarshalFunc] once at start-up:
//
//	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
//
// [NewWriter] accepts the level options of this package ([WithEventLevel],
// [WithBreadcrumbLevel], [WithLogLevel]) and every option of package
// logsentry: [logsentry.WithHub], [logsentry.WithTagKeys],
// [logsentry.WithFingerprint], [logsentry.WithReplaceAttr],
// [logsentry.WithFlushTimeout] and the rest.
//
// # Record conversion
//
// A line's zerolog level maps to a severity ([Severity]), and the severity
// picks the outputs: an event at or above [WithEventLevel] (default
// zerolog.ErrorLevel), a breadcrumb at or above [WithBreadcrumbLevel]
// (default zerolog.InfoLevel), a Sentry log at or above [WithLogLevel]
// (default zerolog.Disabled: Sentry Logs are opt-in). zerolog.Disabled
// switches an output off.
//
//	zerolog level            severity   event and breadcrumb   Sentry log
//	TraceLevel and below     1          debug                  trace
//	DebugLevel               5          debug                  debug
//	InfoLevel, NoLevel       9          info                   info
//	WarnLevel                13         warning                warn
//	ErrorLevel               17         error                  error
//	FatalLevel               21         fatal                  fatal
//	PanicLevel               22         fatal                  fatal
//
// A line below every threshold costs one comparison: it is not parsed and
// nothing is allocated. Any other line is parsed back from its JSON, reading
// zerolog's field-name variables at that time:
//
//   - zerolog.MessageFieldName ("message") is the message; an empty message
//     with an error takes the error's text;
//   - zerolog.TimestampFieldName ("time") is the timestamp, read with
//     zerolog.TimeFieldFormat, the Unix formats included (a value that does
//     not parse stays a field, and the capture time is used);
//   - zerolog.LevelFieldName ("level") is the level name in the event's
//     "log" context and the log's log.level;
//   - zerolog.ErrorFieldName ("error"), a string, is the exception: the
//     original error value when [ErrorMarshalFunc] remembered it (its type,
//     its %w, errors.Join and Cause chain, the stack trace of errors that
//     carry one), else a [LoggedError] holding the text;
//   - a top-level string field "logger" is the logger name, else "zerolog";
//   - every other field is an attribute, typed: strings (JSON escapes,
//     \u escapes and surrogate pairs decoded, invalid UTF-8 replaced with
//     U+FFFD), integers as int64, or uint64 above math.MaxInt64, or their
//     literal text beyond both, floats as float64 (their literal text when
//     out of range, as 1e400), booleans, null, objects as groups (nested
//     contexts; dotted keys in breadcrumbs and logs), arrays as lists. An
//     empty object stays an empty object. Objects and arrays nested more
//     than 32 deep are kept as their JSON text. The caller field
//     (zerolog.CallerFieldName) stays an attribute.
//
// A line that is not a JSON object (zerolog's binary_log build, a foreign
// writer) is sent with its text as the message. A line that zerolog made
// invalid JSON (RawJSON of bad bytes, a broken marshaler) keeps the fields
// read before the bad one, the rest as one text field under its key, and,
// read from the line's end, its message and the hook's correlation field:
// it still goes to its request's hub under its own title.
//
// Events carry a stack trace of the logging call: the one captured by the
// hook, or, without the hook, the writer's own stack with the frames of
// zerolog and of this module trimmed; either way the top frame is the
// caller's line when the writer runs on the logging goroutine. Events,
// breadcrumbs and logs are otherwise built as for every adapter of package
// logsentry: fields in the "attributes" context, only the keys of
// [logsentry.WithTagKeys] as tags, a top-level "user" object as the user, a
// "fingerprint" field as the grouping key, secrets replaced with
// "[Filtered]". Sentry logs carry sentry.origin
// "auto.log.zerolog" ("auto.log." and the name given to
// logsentry.WithLoggerName; see logsentry.WithOrigin).
//
// # Context
//
// zerolog hands a writer only bytes; the context of Event.Ctx (or of a
// logger made with .With().Ctx(ctx)) is visible to hooks only. zerolog runs
// hooks synchronously in Msg, on the logging goroutine, just before it
// writes the line. For a line that will become an event, or that passes
// another threshold and has a context, [Writer.Run] captures the context and
// (for events) the call site, stores them under a fresh number in a bounded
// table of the Writer, and adds that number to the line as the field
// [CorrelationFieldName] ("logsentry_id"). When the Writer parses the line
// it removes the field and takes the context and call site out of the
// table, so the pairing holds across goroutines and asynchronous writers
// (zerolog's diode writer) and never mixes two lines up.
//
// A logger kept in a context (zerolog.Ctx(ctx), hlog.FromRequest) passes
// that context to its lines only when it was built with .With().Ctx(ctx),
// or when the line calls .Ctx(ctx).
//
// The hub is found per line: the hub of that context, else the hub of
// [logsentry.WithHub], else [sentry.CurrentHub]. Without the hook, or for a
// line logged without a context, lines go to that fallback hub; so do their
// breadcrumbs, which then show up on the events of that hub, not on those
// of any request. Give each request or job a hub of its own with
// breadcrumbs.WithTrail or breadcrumbs.Middleware, and log with .Ctx(ctx).
//
// The correlation field appears in the other outputs of a
// zerolog.MultiLevelWriter. [Writer.Tee] writes the other outputs without
// it; a zerolog.ConsoleWriter can also drop it with FieldsExclude. Only the
// lines described above carry it: a line below every threshold, or a
// breadcrumb or log line without a context, does not.
//
// # Flushing on fatal
//
// zerolog writes a Fatal line, closes the logger's writer and exits; it
// writes a Panic line and panics. Both lines are fatal severities, so the
// Writer flushes the client before WriteLevel returns, bounded by
// [logsentry.WithFlushTimeout] (2s by default): the event is delivered
// before the program ends. [Writer.Close], which zerolog calls before the
// exit, flushes again within the same bound. WithLevel(zerolog.FatalLevel)
// lines, which do not exit, are flushed the same way. Before any other exit,
// call w.Close() or sentry.Flush.
//
// # Caveats
//
//   - Without the hook a Writer sees no context: every line goes to the
//     fallback hub, and the stack trace is that of the writer's goroutine
//     (the caller's line only when the write is synchronous).
//   - Without [ErrorMarshalFunc], zerolog has turned an error into its text
//     before any hook or writer runs: the exception is a [LoggedError], with
//     no type, chain or stack of its own. ErrorMarshalFunc pairs errors with
//     lines by text, so two concurrent lines whose different errors have the
//     same text may swap error values (see its documentation).
//   - The hook's table holds the last 1024 lines whose write has not been
//     parsed yet. A line parsed later than that (an asynchronous writer far
//     behind, or more than 1024 lines at once waiting on an output that a
//     zerolog.MultiLevelWriter writes before the Writer: use Tee, or put
//     the Writer first), or a line the hook marked but the Writer never
//     receives (a hook attached to a logger that does not write to the
//     Writer, such as a sub-logger made with Output), loses only its
//     context: the line goes to the fallback hub, and the table never
//     grows. Until 1024 later lines replace it, such a line's entry keeps
//     its context, and so the request's hub, in memory.
//   - Each line that passes a threshold is parsed back from JSON by a
//     dedicated scanner (about a microsecond for a typical line, an order of
//     magnitude faster than encoding/json). zerolog's binary_log (CBOR)
//     encoding is not supported.
//   - Write and WriteLevel always return len(p), nil; problems absorbed
//     while converting a line (a panicking method, a fingerprint function)
//     go to [logsentry.WithErrorHandler].
//   - Sentry Logs carry the SDK's capture time, not the line's time.
package zerologsentry
