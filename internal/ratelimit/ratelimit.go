// Package ratelimit is a token-bucket limiter keyed by event fingerprint, so
// a hot loop logging one error cannot flood Sentry while other errors still
// get through. It counts what it refuses, per key, so the next event of a
// group can say how many were dropped before it.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter holds one token bucket per key. The zero value is not usable; use
// [New]. It is safe for concurrent use.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	maxKeys int

	mu      sync.Mutex
	buckets map[uint64]*bucket
}

type bucket struct {
	tokens  float64
	last    time.Time
	dropped uint64
}

// New returns a limiter allowing burst events at once per key, refilled at
// perSecond, tracking at most maxKeys keys (the least useful are forgotten
// first: buckets that are full again carry no information).
func New(perSecond float64, burst, maxKeys int) *Limiter {
	return &Limiter{
		rate:    perSecond,
		burst:   float64(max(burst, 1)),
		maxKeys: max(maxKeys, 1),
		buckets: make(map[uint64]*bucket),
	}
}

// Allow takes a token for key at time now. It reports whether the event may
// go, and, when it may, how many events of that key were refused since the
// last one that went.
func (l *Limiter) Allow(key uint64, now time.Time) (ok bool, droppedBefore uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	} else if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		b.dropped++
		return false, 0
	}
	b.tokens--
	droppedBefore, b.dropped = b.dropped, 0
	return true, droppedBefore
}

// evict makes room for a new key. It forgets buckets that have refilled
// completely and owe no drop count: they carry no information, a new bucket
// would be the same. If that leaves more than 3/4 of maxKeys, it forgets
// further buckets that owe no drop count (their keys get a full burst back
// early) until 3/4 are left, and if that is still too many, it forgets
// everything (drop counts of forgotten keys are lost, never the events
// themselves). Each call thus frees at least maxKeys/4 slots, so the scan of
// the map costs O(1) per new key however keys churn: freeing only a slot or
// two per scan made every new key cost a full scan under the lock.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if b.dropped == 0 && b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	low := l.maxKeys - max(l.maxKeys/4, 1)
	if len(l.buckets) <= low {
		return
	}
	for k, b := range l.buckets {
		if b.dropped == 0 {
			delete(l.buckets, k)
			if len(l.buckets) <= low {
				return
			}
		}
	}
	clear(l.buckets)
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
