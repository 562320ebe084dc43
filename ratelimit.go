package logsentry

import (
	"hash/maphash"
	"log/slog"
	"strings"
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
// error never starves the others; records at SeverityFatal and above have
// buckets apart from the errors of their fingerprint, which cannot spend a
// fatal record's budget. The default is a burst of 10, then 10 a minute;
// perSecond <= 0 (or NaN) disables the limit, and a burst below 1 is 1.
//
// Up to 10,000 fingerprints are tracked. Beyond that, those whose bucket is
// full again are forgotten first, then those that owe no drop count; when
// every one owes some, all are forgotten: their drop counts are lost (the
// next event reports none) and their budgets start over. No event is ever
// refused for lack of room.
func WithEventRate(perSecond float64, burst int) Option {
	return optionFunc(func(c *config) {
		c.eventRate, c.eventBurst = perSecond, burst
	})
}

func newLimiter(c *config) *ratelimit.Limiter {
	if !(c.eventRate > 0) { // NaN, too, disables it
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
	if r.Severity >= SeverityFatal {
		// Fatal records have buckets of their own: the errors before a
		// Fatal that gives up cannot spend its budget, and a storm of
		// recovered panics is still limited.
		h.WriteString("fatal\x00")
	}
	b.writeKey(&h, r, userFP)
	ok, droppedBefore = b.limiter.Allow(h.Sum64(), time.Now())
	if !ok {
		b.stats.rateLimited.Add(1)
	}
	return ok, droppedBefore
}

// writeKey writes r's grouping key to h: the fingerprint its event would
// get (see fingerprintOf), each element followed by a zero byte, so that
// records of one Sentry group share a bucket and records of different groups
// never do. It reads the record as the adapter made it, without converting
// it, but for the replace function on the field whose error becomes the
// exception (see replacedKeyError): a fingerprint or an error that only a
// LogValuer produces, or an error the replace function changes inside a
// group, may key a record apart from its group.
func (b *Bridge) writeKey(h *maphash.Hash, r *Record, userFP []string) {
	if v, ok := b.fingerprintField(r.Attrs); ok {
		if v.Kind() == slog.KindString {
			b.writeUserKeyPart(h, r, v.String())
		} else {
			for _, s := range stringList(v.Any()) {
				b.writeUserKeyPart(h, r, s)
			}
		}
		return
	}
	if len(userFP) > 0 {
		for _, s := range userFP {
			b.writeUserKeyPart(h, r, s)
		}
		return
	}
	b.writeDefaultKey(h, r)
}

// writeUserKeyPart writes part s of a fingerprint the user set. Sentry's
// "{{ default }}" stands for a grouping the server computes (by stack trace
// for an error): the key has the bridge's default in its place, or every
// record of ["{{ default }}", "billing"] would share one bucket whatever
// its issue.
func (b *Bridge) writeUserKeyPart(h *maphash.Hash, r *Record, s string) {
	if isDefaultVar(s) {
		b.writeDefaultKey(h, r)
		return
	}
	writeKeyPart(h, b.str(s)) // redacted, as the fingerprint is
}

// isDefaultVar reports whether s is Sentry's fingerprint variable
// "{{ default }}", spaces inside the braces optional.
func isDefaultVar(s string) bool {
	if !strings.HasPrefix(s, "{{") || !strings.HasSuffix(s, "}}") || len(s) > 32 {
		return false
	}
	return strings.TrimSpace(s[2:len(s)-2]) == "default"
}

// writeDefaultKey writes the key of the default fingerprint (see
// defaultFingerprint). Its text is redacted as the fingerprint's is: a
// secret that differs on each call ("Bearer …") is "[Filtered]" in the
// fingerprint, and keyed raw it would give every call of one Sentry group a
// bucket of its own. Redacting costs a scan, and an allocation only when
// the text holds a secret.
func (b *Bridge) writeDefaultKey(h *maphash.Hash, r *Record) {
	err := b.replacedKeyError(r)
	if err == nil {
		writeGroupKey(h, b.str(r.Message))
		return
	}
	_, root := rootCause(err)
	if r.Message != "" {
		writeGroupKey(h, b.str(r.Message))
	}
	// Errors of one type with different texts are different groups. Only
	// the innermost error's Error method is called, usually a constant's.
	writeKeyPart(h, errorType(root))
	writeGroupKey(h, b.str(b.shownText(root)))
}

func writeKeyPart(h *maphash.Hash, s string) {
	h.WriteString(s)
	h.WriteByte(0)
}

// fingerprintField returns the value of the "fingerprint" field that
// normalize takes as the event's fingerprint: the last top-level one (inline
// groups included) holding a string or a list of strings.
func (b *Bridge) fingerprintField(attrs []slog.Attr) (v slog.Value, ok bool) {
	for _, a := range attrs {
		switch {
		case a.Key == "fingerprint":
			fv := a.Value
			if fv.Kind() == slog.KindLogValuer {
				fv = b.resolve(fv)
			}
			if fv.Kind() == slog.KindString || fv.Kind() == slog.KindAny && len(stringList(fv.Any())) > 0 {
				v, ok = fv, true
			}
		case a.Key == "" && a.Value.Kind() == slog.KindGroup:
			if gv, gok := b.fingerprintField(a.Value.Group()); gok {
				v, ok = gv, true
			}
		}
	}
	return v, ok
}

// keyError returns the error normalize makes the event's exception: the
// record's Err, else the promoted top-level error, else the first error in
// a group, skipping the groups and fields that normalize does not look into
// (sensitive keys, the top-level "user" group).
func (b *Bridge) keyError(r *Record) error {
	if r.Err != nil {
		return r.Err
	}
	if i := b.promotedError(r.Attrs); i >= 0 {
		return r.Attrs[i].Value.Any().(error)
	}
	return b.groupError(r.Attrs, true)
}

// replacedKeyError is keyError after the replace function (WithReplaceAttr),
// which normalize applies to the promoted field (see walkPromoted): the
// error that the event's exception and fingerprint name. A scrubbing
// function that rewrites every error to one keys them all alike, as it
// fingerprints them.
func (b *Bridge) replacedKeyError(r *Record) error {
	if r.Err != nil || b.cfg.replaceAttr == nil {
		return b.keyError(r)
	}
	i := b.promotedError(r.Attrs)
	if i < 0 {
		return b.groupError(r.Attrs, true)
	}
	a := r.Attrs[i]
	if a.Value.Kind() != slog.KindAny {
		return a.Value.Any().(error) // a LogValuer: its field is replaced, not its error
	}
	if _, err := b.replacePromoted(a); err != nil {
		return err
	}
	// No exception from it; normalize looks on, in the fields after it.
	return b.groupError(r.Attrs[i+1:], true)
}

func (b *Bridge) groupError(attrs []slog.Attr, top bool) error {
	for _, a := range attrs {
		switch a.Value.Kind() {
		case slog.KindGroup:
			g := a.Value.Group()
			switch {
			case len(g) == 0:
			case a.Key == "": // inline: its attrs belong to the parent
				if err := b.groupError(g, top); err != nil {
					return err
				}
			case top && a.Key == userKey, b.sensitive(a.Key):
			default:
				if err := b.groupError(g, false); err != nil {
					return err
				}
			}
		case slog.KindAny, slog.KindLogValuer:
			if err, ok := a.Value.Any().(error); ok && a.Key != "" && !b.sensitive(a.Key) &&
				!(top && a.Key == userKey && a.Value.Kind() == slog.KindLogValuer) {
				return err
			}
		}
	}
	return nil
}
