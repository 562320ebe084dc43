package logsentry

import "strings"

// sdkDebugPrefix starts every line of sentry-go's debug output (its
// internal/debuglog logger, enabled by ClientOptions.Debug).
const sdkDebugPrefix = "[Sentry] "

// fromSDK reports whether a record is a line of the SDK's own debug output,
// routed into a bridged logger through ClientOptions.DebugWriter. Such a
// record is never sent: it would make the SDK print another line, which
// would be logged, and so on, on the logging goroutine or, through a pipe
// such as logrus's Logger.Writer, on another one, where sentry-go's debug
// logger lock turns the loop into a deadlock. Matching the text is what
// covers both: Go has no goroutine-local state to mark the first call.
func fromSDK(msg string) bool {
	return strings.HasPrefix(msg, sdkDebugPrefix)
}
