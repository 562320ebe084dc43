package logsentry

import (
	"hash/maphash"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/logsentry/logsentry/internal/ratelimit"
)

// Defaults of the per-fingerprint event rate limit.
const (
	defaultEventBurst     = 10
	defaultEventPerSecond = 10.0 / 60 // ten a minute once the burst is spent
	maxRateLimitKeys      = 10000
)

// WithEventRate limits events per fingerprint (see [WithFingerprint]) to a
// token bucket: burst events at once, then perSecond. Records over the
// budget produce no event and no breadcrumb (they still reach Sentry Logs
// when enabled), cost little, and are counted: in [Bridge.Stats] and in the
// "log" context of the next event of the same fingerprint
// ("rate_limited_before"). Each fingerprint has its own bucket, so a noisy
// error never starves the others. The default is a burst of 10, then 10 a
// minute; perSecond <= 0 disables the limit.
func WithEventRate(perSecond float64, burst int) Option {
	return optionFunc(func(c *config) {
		c.eventRate, c.eventBurst = perSecond, burst
	})
}

// Stats counts what a [Bridge] did since it was made.
type Stats struct {
	Events            uint64 // events handed to the SDK
	EventsRateLimited uint64 // events refused by the rate limit (see WithEventRate)
	Breadcrumbs       uint64 // breadcrumbs handed to the SDK
	Logs              uint64 // Sentry logs handed to the SDK
	Filtered          uint64 // records whose outputs a filter removed entirely (see WithFilter)
	Panics            uint64 // panics absorbed while converting or emitting (see WithErrorHandler)
	SDKDebug          uint64 // lines of the SDK's own debug output, never sent (they would loop)
}

type stats struct {
	events, rateLimited, breadcrumbs, logs, filtered, panics, recursions atomic.Uint64
}

// Stats returns a snapshot of the bridge's counters. The SDK's own drops
// (full buffers, BeforeSend, server-side rate limits) are not included: the
// SDK reports those to Sentry as client reports.
func (b *Bridge) Stats() Stats {
	return Stats{
		Events:            b.stats.events.Load(),
		EventsRateLimited: b.stats.rateLimited.Load(),
		Breadcrumbs:       b.stats.breadcrumbs.Load(),
		Logs:              b.stats.logs.Load(),
		Filtered:          b.stats.filtered.Load(),
		Panics:            b.stats.panics.Load(),
		SDKDebug:          b.stats.recursions.Load(),
	}
}

func newLimiter(c *config) *ratelimit.Limiter {
	if c.eventRate <= 0 {
		return nil
	}
	return ratelimit.New(c.eventRate, c.eventBurst, maxRateLimitKeys)
}

var seed = maphash.MakeSeed()

// allowEvent applies the rate limit to r's event. It hashes the record's
// grouping key as it stands before conversion, so a refused record costs a
// hash and a map lookup, not a conversion.
func (b *Bridge) allowEvent(r *Record, userFP []string) (ok bool, droppedBefore uint64) {
	if b.limiter == nil {
		return true, 0
	}
	var h maphash.Hash
	h.SetSeed(seed)
	b.writeKey(&h, r, userFP)
	ok, droppedBefore = b.limiter.Allow(h.Sum64(), time.Now())
	if !ok {
		b.stats.rateLimited.Add(1)
	}
	return ok, droppedBefore
}

func (b *Bridge) writeKey(h *maphash.Hash, r *Record, userFP []string) {
	for _, a := range r.Attrs {
		if a.Key != "fingerprint" {
			continue
		}
		switch a.Value.Kind() {
		case slog.KindString:
			h.WriteString(a.Value.String())
			return
		case slog.KindAny:
			if fp := stringList(a.Value.Any()); len(fp) > 0 {
				for _, s := range fp {
					h.WriteString(s)
					h.WriteByte(0)
				}
				return
			}
		}
	}
	if len(userFP) > 0 {
		for _, s := range userFP {
			h.WriteString(s)
			h.WriteByte(0)
		}
		return
	}
	h.WriteString(r.Message)
	h.WriteByte(0)
	err := r.Err
	if err == nil {
		if i := b.promotedError(r.Attrs); i >= 0 {
			err = r.Attrs[i].Value.Any().(error)
		}
	}
	if err != nil {
		h.WriteString(errorType(rootCause(err, b.cfg.maxErrorDepth)))
	}
}
