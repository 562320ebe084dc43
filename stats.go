package logsentry

import "sync/atomic"

// Stats counts what a [Bridge] did since it was made.
type Stats struct {
	Events             uint64 // events handed to the SDK
	EventsRateLimited  uint64 // events refused by the rate limit (see WithEventRate)
	EventsDeduplicated uint64 // events left out because their error was reported already in the request (see WithoutDedupe)
	Breadcrumbs        uint64 // breadcrumbs handed to the SDK
	Logs               uint64 // Sentry logs handed to the SDK
	Filtered           uint64 // records whose outputs a filter removed entirely (see WithFilter)
	Panics             uint64 // panics absorbed while converting or emitting (see WithErrorHandler)
	SDKDebug           uint64 // lines of the SDK's own debug output, never sent (they would loop)
}

type stats struct {
	events, rateLimited, deduplicated, breadcrumbs, logs, filtered, panics, sdkDebug atomic.Uint64
}

// Stats returns a snapshot of the bridge's counters. The SDK's own drops
// (full buffers, BeforeSend, server-side rate limits) are not included: the
// SDK reports those to Sentry as client reports.
func (b *Bridge) Stats() Stats {
	return Stats{
		Events:             b.stats.events.Load(),
		EventsRateLimited:  b.stats.rateLimited.Load(),
		EventsDeduplicated: b.stats.deduplicated.Load(),
		Breadcrumbs:        b.stats.breadcrumbs.Load(),
		Logs:               b.stats.logs.Load(),
		Filtered:           b.stats.filtered.Load(),
		Panics:             b.stats.panics.Load(),
		SDKDebug:           b.stats.sdkDebug.Load(),
	}
}
