// Package logsentry is the logger-neutral core of a bridge from Go loggers
// (log/slog, zap, logrus, zerolog) to Sentry: error records become Sentry
// events (issues), lower records become breadcrumbs on the request's hub, and
// chosen records become Sentry structured logs, each by its own threshold.
//
// Most programs use an adapter, not this package: slogsentry.NewHandler,
// zapsentry.NewCore, logrussentry.NewHook or zerologsentry.NewWriter. They
// accept the options defined here ([WithHub], [WithTagKeys],
// [WithFingerprint], ...) plus level options in their logger's own level
// type. An adapter maps its record to a [Record] and calls [Bridge.Emit].
//
// # Record conversion
//
// A record at severity S goes to:
//
//   - a Sentry event, when S >= the event threshold (default [SeverityError]),
//     captured with [sentry.Hub.CaptureEventWithHint];
//   - a breadcrumb, when S >= the breadcrumb threshold (default
//     [SeverityInfo]), added with [sentry.Hub.AddBreadcrumb] after the
//     record's own event, so that later events show it and it never lists
//     itself;
//   - a Sentry log, when S >= the log threshold (default [SeverityOff]).
//
// Breadcrumbs and logs carry the fields flat: groups, maps and structs
// become dotted keys ("http.status", "order.id"); logs keep their types,
// lists of strings, numbers or booleans included (as arrays).
//
// An event carries:
//
//   - level: [Severity.SentryLevel]; timestamp: the record's time; logger:
//     the record's logger name;
//   - message: the record's message, redacted; an empty message with an error
//     takes the error's text;
//   - exception: the error (Record.Err, else the field under an error key,
//     else the first field holding an error) and its whole chain: Unwrap()
//     error, Unwrap() []error (errors.Join) and Cause(), each with its Go type
//     name, and the stack trace of errors that carry one (pkg/errors and
//     alike); as deep as the client's MaxErrorDepth or [WithMaxErrorDepth],
//     a chain cut by the bound keeping its root cause; a wrapper of the
//     same text as its parent that carries a stack, and of none itself, is
//     left out (pkg/errors' Wrap makes such a pair: one exception, not two);
//   - frames "in app" by module: the main module's, and those of modules
//     replaced by a local directory or in the workspace, not those of
//     dependencies or of the standard library (the SDK decides by GOROOT
//     prefix, which -trimpath defeats, and takes the module cache for the
//     application);
//   - a stack trace of the logging call site when no error carries one, from
//     Record.PC, so the top frame is the caller's line and no frame of the
//     logging library or of this module is above it (a frame of this module
//     below it, such as breadcrumbs.Middleware serving the request, is
//     marked not in app);
//   - contexts: "attributes" holds the fields, typed, with groups as nested
//     objects; "log" holds the logger's level name; "trace" the span of the
//     record's context;
//   - tags: only the fields listed with [WithTagKeys];
//   - user: from a top-level group "user" (id, email, username, ip_address,
//     name), or a sentry.User, struct or map under that key, with email,
//     username and ip_address only when the client's DataCollection (or
//     SendDefaultPII) allows user information (so do user data keys naming
//     an e-mail or IP address, such as "client_ip");
//   - request: from the first top-level *http.Request field, as
//     sentry.NewRequest makes it for the client's DataCollection (headers
//     carrying the client's address only with user information), redacted
//     and bounded to about 16 KB; the field itself keeps only the method,
//     URL and route pattern, in events, breadcrumbs and logs alike;
//   - fingerprint: the message and the type and text of the innermost error
//     (as Sentry's server groups an exception without a stack), or the
//     record's "fingerprint" field, or [WithFingerprint]. The texts are
//     parameterized the way Sentry's server parameterizes a message it
//     groups by: "charge 4821 failed after 150ms" groups as "charge <int>
//     failed after <duration>" (also <uuid>, <hex>, <ip>, <email>, <url>,
//     <date>, <float>, <quoted_str> and <bool>), so a message formatted
//     before the logger saw it makes one issue and one rate-limit bucket.
//
// # Context and hubs
//
// The hub is resolved per record: the hub of the record's context
// ([sentry.GetHubFromContext]), else the hub of [WithHub], else
// [sentry.CurrentHub]. A hub whose client is absent or disabled costs one
// lookup and sends nothing. Give each request or job its own hub (see package
// breadcrumbs) so breadcrumbs never leak between them.
//
// # Volume
//
// Events are rate-limited per fingerprint ([WithEventRate]). Within a
// request (the hub of the record's context), an error record whose error
// chain holds an error of an event already sent gets no event, only its
// breadcrumb, for 10 seconds: a function that logs an error and returns it
// wrapped, and its caller that logs the wrapper, make one issue
// ([WithoutDedupe]).
//
// # Flushing on fatal
//
// After a record at [SeverityFatal] or above is captured, Emit flushes the
// client, bounded by [WithFlushTimeout], before returning. Nothing here exits
// or panics: that is the logger's business.
//
// # Safety
//
// Emit never panics and never waits on the network except for that flush:
// panicking String, Error, LogValue and MarshalJSON methods, typed nils,
// cycles, NaN and invalid UTF-8 become placeholders. Values under sensitive
// keys and secret-shaped substrings are replaced with "[Filtered]" before
// anything reaches the SDK.
//
// # Size
//
// Sentry rejects an event of more than 1 MB whole, with the error it
// reports. Every value is bounded (16 KB per string, redacted before it is
// cut; 64 KB per field), and so is every part of an event, counted as JSON:
// a breadcrumb keeps 1 KB of message and about 4 KB of data; an event 8 KB
// of message, about 192 KB of fields, 96 KB of exception text and 256 stack
// frames, 4 KB of fingerprint and about 16 KB of user data; a Sentry log 16
// KB of body and about 64 KB of fields, at most half of it the error's text;
// a logger name 128 bytes. Strings are
// cut and marked "…[truncated]"; fields past a budget are counted in a
// "[truncated]" entry ("12 more fields").
package logsentry
