package logsentry

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/ratelimit"
	"github.com/logsentry/logsentry/internal/redact"
	"github.com/logsentry/logsentry/internal/trailhook"
)

// ErrFlushTimeout is returned by [Bridge.Flush] when buffered events or logs
// were not all sent before the deadline.
var ErrFlushTimeout = errors.New("logsentry: flush timed out")

// Bridge routes [Record]s to Sentry by severity. It is immutable after [New]
// and safe for concurrent use; one Bridge may serve several loggers, which
// then share its policy.
type Bridge struct {
	cfg config
	// min is the lowest active threshold: Enabled is one comparison.
	min      Severity
	redactor *redact.Redactor
	frames   frameCache
	keys     keyCache
	loggers  loggerCache
	limiter  *ratelimit.Limiter
	dedupe   *dedupe // nil: WithoutDedupe
	stats    stats
}

// New returns a Bridge configured by opts. With no options: events for
// [SeverityError] and above, breadcrumbs for [SeverityInfo] and above, no
// Sentry Logs, the hub of each record's context or else
// [sentry.CurrentHub].
func New(opts ...Option) *Bridge {
	cfg := newConfig(opts)
	b := &Bridge{cfg: cfg, min: min(cfg.eventMin, cfg.breadcrumbMin, cfg.logMin)}
	b.redactor = redact.New(redact.Config{
		ExtraKeys:       cfg.redactKeys,
		AllowKeys:       cfg.allowKeys,
		ExtraPatterns:   cfg.redactPattern,
		DisableDefaults: !cfg.redact,
	})
	b.keys.seed = maphash.MakeSeed()
	b.limiter = newLimiter(&cfg)
	if !cfg.noDedupe {
		b.dedupe = &sharedDedupe
	}
	return b
}

// Enabled reports whether a record at severity s would go anywhere. It is a
// single comparison; adapters call it before building a record.
func (b *Bridge) Enabled(s Severity) bool {
	return min(s, SeverityMax) >= b.min && s != SeverityOff
}

// Sinks returns the outputs a record at severity s goes to, before any
// filter set with [WithFilter].
func (b *Bridge) Sinks(s Severity) Sinks {
	if s == SeverityOff {
		return SinkNone // a record "at" Off goes nowhere
	}
	s = min(s, SeverityMax) // a threshold of SeverityOff is never reached
	var k Sinks
	if s >= b.cfg.eventMin {
		k |= SinkEvent
	}
	if s >= b.cfg.breadcrumbMin {
		k |= SinkBreadcrumb
	}
	if s >= b.cfg.logMin {
		k |= SinkLog
	}
	return k
}

// Hub returns the hub a record logged with ctx goes to: the hub of ctx, else
// the hub set with [WithHub], else [sentry.CurrentHub].
//
// A hub of ctx without an enabled client sends nothing (a context may
// carry one to keep its records out of Sentry), except a trail that
// breadcrumbs.Middleware or WithTrail cloned from a sentry.CurrentHub that
// has no enabled client, in a program that gives its client through
// WithHub rather than sentry.Init: such a record goes to a hub of the
// WithHub hub's client on the trail's scope, so it is sent, with its
// request's breadcrumbs and data and only those.
func (b *Bridge) Hub(ctx context.Context) *sentry.Hub {
	h, _, _ := b.hub(ctx)
	return h
}

// hub is [Bridge.Hub]; it also returns the hub of ctx, if any, that h is
// or stands for, and h's client.
func (b *Bridge) hub(ctx context.Context) (h, ctxHub *sentry.Hub, client *sentry.Client) {
	if ctx != nil {
		if ctxHub = sentry.GetHubFromContext(ctx); ctxHub != nil {
			client = ctxHub.Client()
			if client.IsEnabled() || b.cfg.hub == nil {
				return ctxHub, ctxHub, client
			}
			if t, ok := trailhook.Of(ctx); ok && t.FromCurrent {
				if c := b.cfg.hub.Client(); c.IsEnabled() {
					return sentry.NewHub(c, ctxHub.Scope()), ctxHub, c
				}
			}
			return ctxHub, ctxHub, client
		}
	}
	h = b.fallbackHub()
	return h, nil, h.Client()
}

// fallbackHub is the hub of records whose context carries none.
func (b *Bridge) fallbackHub() *sentry.Hub {
	if b.cfg.hub != nil {
		return b.cfg.hub
	}
	return sentry.CurrentHub()
}

// Emit sends r to the outputs its severity selects, on the hub of ctx (see
// [Bridge.Hub]). It never panics and never waits on the network, except for
// the bounded flush after a fatal record. ctx may be nil.
//
// It returns the outputs that r was handed to: SinkEvent when the SDK took
// its event (not when a filter, the rate limit, the dedupe, the SDK's
// sampling or BeforeSend dropped it), SinkBreadcrumb and SinkLog when it
// added them. An adapter whose logger panics or exits after a record that
// Emit does not flush (zap's DPanic) flushes only when it sent something.
func (b *Bridge) Emit(ctx context.Context, r Record) (done Sinks) {
	sinks := b.Sinks(r.Severity)
	if sinks == SinkNone {
		return SinkNone
	}
	defer func() {
		if p := recover(); p != nil {
			b.stats.panics.Add(1)
			b.reportError(fmt.Errorf("logsentry: panic while emitting a record: %s", panicText(p)))
		}
	}()
	hub, ctxHub, client := b.hub(ctx) // ctx.Value of a user's context may panic, too
	if !client.IsEnabled() {
		return
	}
	if fromSDK(r.Message) {
		b.stats.sdkDebug.Add(1)
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if f := b.cfg.filter; f != nil {
		if sinks = b.filter(f, r, sinks); sinks == SinkNone {
			b.stats.filtered.Add(1)
			return
		}
	}
	var droppedBefore uint64
	var userFP []string
	var dhub *sentry.Hub // where the event's error is remembered, if anywhere
	var derr error       // the error looked up and remembered there
	// Only plain error records: one above Error (zap's DPanic, a
	// "critical" level, fatal) is rarer, worse, and may be followed by a
	// panic or an exit; its event always goes out.
	if sinks&SinkEvent != 0 && b.dedupe != nil && r.Severity <= SeverityError {
		if dhub = b.dedupeHub(ctxHub); dhub != nil {
			var buf [maxDedupeIDs]errorID
			derr = b.keyError(&r) // as logged: not as WithReplaceAttr returns it
			if b.dedupe.seen(dhub, chainIDs(buf[:0], derr)) {
				// Reported already in this request: its breadcrumb only.
				b.stats.deduplicated.Add(1)
				if sinks &^= SinkEvent; sinks == SinkNone {
					return
				}
			}
		}
	}
	if sinks&SinkEvent != 0 {
		if f := b.cfg.fingerprint; f != nil {
			userFP = b.userFingerprint(f, &r)
		}
		var ok bool
		if ok, droppedBefore = b.allowEvent(&r, userFP); !ok {
			// Over budget: no event, and no breadcrumb of a storm either.
			if sinks &^= SinkEvent | SinkBreadcrumb; sinks == SinkNone {
				return
			}
		}
	}
	n := b.normalize(&r)
	if sinks&SinkEvent != 0 {
		n.rateLimitedBefore, n.userFingerprint = droppedBefore, userFP
		sent := b.captureEvent(ctx, hub, client, &r, n)
		b.stats.events.Add(1)
		if sent {
			done |= SinkEvent
			if dhub != nil && derr != nil {
				b.dedupe.remember(dhub, derr)
			}
		}
	}
	if sinks&SinkBreadcrumb != 0 {
		b.addBreadcrumb(hub, client, &r, n)
		b.stats.breadcrumbs.Add(1)
		done |= SinkBreadcrumb
	}
	if sinks&SinkLog != 0 {
		b.emitLog(ctx, hub, hub == ctxHub, client, &r, n)
		b.stats.logs.Add(1)
		done |= SinkLog
	}
	n.release()
	if r.Severity >= SeverityFatal && sinks&(SinkEvent|SinkLog) != 0 && b.cfg.flushTimeout > 0 {
		client.Flush(b.cfg.flushTimeout)
	}
	return done
}

func (b *Bridge) filter(f func(Record, Sinks) Sinks, r Record, s Sinks) (out Sinks) {
	defer func() {
		if p := recover(); p != nil {
			b.reportError(fmt.Errorf("logsentry: filter panicked: %s", panicText(p)))
			out = s
		}
	}()
	return f(r, s)
}

// FatalFlushTimeout returns the bound of the flush that follows a fatal
// record ([WithFlushTimeout]); zero or less means that no such flush
// happens. Adapters use it for the flushes of their loggers' own exit
// paths, so that one setting bounds them all.
func (b *Bridge) FatalFlushTimeout() time.Duration { return b.cfg.flushTimeout }

// Flush waits until the events and logs buffered for the client of ctx's hub
// (see [Bridge.Hub]) are sent, or ctx is done; a ctx without a deadline is
// bounded by the flush timeout ([WithFlushTimeout]). It returns nil when they
// were sent or when Sentry is disabled, and [ErrFlushTimeout] otherwise.
func (b *Bridge) Flush(ctx context.Context) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	defer func() {
		if p := recover(); p != nil {
			b.stats.panics.Add(1)
			err = fmt.Errorf("logsentry: panic while flushing: %s", panicText(p))
		}
	}()
	client := b.Hub(ctx).Client()
	if !client.IsEnabled() {
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		timeout := b.cfg.flushTimeout
		if timeout <= 0 {
			timeout = defaultFlushTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if !client.FlushWithContext(ctx) {
		return ErrFlushTimeout
	}
	return nil
}
