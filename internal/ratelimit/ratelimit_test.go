package ratelimit

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Every test runs in a synctest bubble: time.Now is the bubble's fake
// clock, which only time.Sleep moves, so refills are exact.

// take calls l.Allow(key, time.Now()) n times and returns how many were
// allowed and the sum of the drop counts reported.
func take(l *Limiter, key uint64, n int) (allowed int, dropped uint64) {
	for range n {
		ok, d := l.Allow(key, time.Now())
		if ok {
			allowed++
		}
		dropped += d
	}
	return allowed, dropped
}

func TestBurstThenRefill(t *testing.T) {
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		wantBurst int // what New makes of burst
	}{
		{"burst 10, 4/s", 4, 10, 10},
		{"burst 1, 1/s", 1, 1, 1},
		{"burst 3, 0.5/s", 0.5, 3, 3},
		{"burst 0 means 1", 2, 0, 1},
		{"negative burst means 1", 2, -5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := New(tt.perSecond, tt.burst, 100)
				interval := time.Duration(float64(time.Second) / tt.perSecond)

				// The burst goes at once, then nothing while the clock stands.
				if got, _ := take(l, 1, tt.wantBurst+50); got != tt.wantBurst {
					t.Fatalf("at t0: %d allowed of %d, want the burst %d", got, tt.wantBurst+50, tt.wantBurst)
				}
				// Just short of one interval: still nothing.
				time.Sleep(interval - interval/8)
				if got, _ := take(l, 1, 5); got != 0 {
					t.Fatalf("before one interval: %d allowed, want 0", got)
				}
				// One interval after t0: exactly one token.
				time.Sleep(interval / 8)
				if got, _ := take(l, 1, 5); got != 1 {
					t.Fatalf("after one interval: %d allowed, want 1", got)
				}
				// k intervals: k tokens.
				time.Sleep(2 * interval)
				if got, _ := take(l, 1, 5); got != min(2, tt.wantBurst) {
					t.Fatalf("after two more intervals: %d allowed, want %d", got, min(2, tt.wantBurst))
				}
				// A long pause refills to the burst, no further.
				time.Sleep(1000 * interval)
				if got, _ := take(l, 1, tt.wantBurst+50); got != tt.wantBurst {
					t.Fatalf("after a long pause: %d allowed, want the burst %d", got, tt.wantBurst)
				}
			})
		})
	}
}

// TestSteadyRate runs a hot loop (a million calls spread over an hour of
// fake time) and checks the count of allowed calls against the token-bucket
// bound burst + rate*elapsed, from both sides.
func TestSteadyRate(t *testing.T) {
	tests := []struct {
		name      string
		perSecond float64
		burst     int
	}{
		{"default 10 then 10/min", 10.0 / 60, 10},
		{"20/s burst 2", 20, 2},
		{"1/s burst 1", 1, 1},
		{"200/s burst 50", 200, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const (
					calls = 1_000_000
					total = time.Hour
					step  = total / calls
				)
				l := New(tt.perSecond, tt.burst, 100)
				start := time.Now()
				var allowed, refused, reported uint64
				now := start
				for range calls {
					if ok, d := l.Allow(7, now); ok {
						allowed++
						reported += d
					} else {
						refused++
					}
					now = now.Add(step)
				}
				elapsed := now.Sub(start).Seconds()
				bound := float64(tt.burst) + tt.perSecond*elapsed
				// At most one token short: the one the bucket may be filling
				// at the end. With a burst of 1, the bucket is full each time
				// a token comes, and what refills between that moment and
				// the next call overflows: up to a step's worth per token.
				low := bound - 1
				if tt.burst == 1 {
					low -= float64(allowed) * tt.perSecond * step.Seconds()
				}
				if float64(allowed) > bound || float64(allowed) < low {
					t.Errorf("allowed %d calls in %.0fs, want between %.2f and burst + rate*elapsed = %.2f", allowed, elapsed, low, bound)
				}
				// Every refusal is reported on a later allowed call, except
				// those after the last one.
				ok, d := l.Allow(7, now.Add(time.Hour))
				if !ok {
					t.Fatal("refused after an hour's rest")
				}
				if reported+d != refused {
					t.Errorf("reported %d drops, refused %d", reported+d, refused)
				}
				t.Logf("%d allowed (bound %.2f), %d refused in %.0fs of fake time", allowed, bound, refused, elapsed)
			})
		})
	}
}

func TestDroppedReportedOnceAndReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 2, 100)
		steps := []struct {
			name        string
			sleep       time.Duration
			calls       int
			wantAllowed int
			wantDropped uint64 // sum of the drop counts the calls report
		}{
			{"burst", 0, 2, 2, 0},
			{"refused", 0, 7, 0, 0},
			{"refused later", 500 * time.Millisecond, 3, 0, 0},
			{"next allowed reports all ten", 500 * time.Millisecond, 1, 1, 10},
			{"count reset: refused again", 0, 4, 0, 0},
			{"next reports only the new four", time.Second, 1, 1, 4},
			{"nothing dropped since", time.Second, 1, 1, 0},
		}
		for _, s := range steps {
			time.Sleep(s.sleep)
			allowed, dropped := take(l, 42, s.calls)
			if allowed != s.wantAllowed || dropped != s.wantDropped {
				t.Errorf("%s: allowed %d, dropped reported %d; want %d, %d", s.name, allowed, dropped, s.wantAllowed, s.wantDropped)
			}
		}
	})
}

func TestRefusedCallReportsZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 1, 10)
		l.Allow(1, time.Now())
		for i := range 5 {
			if ok, d := l.Allow(1, time.Now()); ok || d != 0 {
				t.Fatalf("call %d: Allow = %v, %d; want false, 0", i, ok, d)
			}
		}
	})
}

func TestIndependentKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(0.001, 3, 100)
		// Key 1 is a hot loop: its burst is spent and it keeps being refused.
		if got, _ := take(l, 1, 100_000); got != 3 {
			t.Fatalf("noisy key: %d allowed, want 3", got)
		}
		// Every other key still has its whole burst, and none reports the
		// noisy key's drops.
		for key := uint64(2); key < 50; key++ {
			allowed, dropped := take(l, key, 5)
			if allowed != 3 || dropped != 0 {
				t.Errorf("key %d: allowed %d, dropped %d; want 3, 0", key, allowed, dropped)
			}
		}
		if got := l.Len(); got != 49 {
			t.Errorf("Len = %d, want 49", got)
		}
	})
}

func TestTimeGoingBackwards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 1, 10)
		now := time.Now()
		if ok, _ := l.Allow(1, now); !ok {
			t.Fatal("first call refused")
		}
		// A call stamped earlier than the last neither refills nor breaks
		// the bucket.
		if ok, _ := l.Allow(1, now.Add(-time.Hour)); ok {
			t.Error("an earlier timestamp refilled the bucket")
		}
		if ok, d := l.Allow(1, now.Add(time.Second)); !ok || d != 1 {
			t.Errorf("one second after: Allow = %v, %d; want true, 1", ok, d)
		}
	})
}

// TestEviction documents what happens when maxKeys keys are tracked and a
// new one comes: buckets that are full again and owe no drop count are
// forgotten (they carry no information: a new bucket is full too); when that
// frees nothing, every bucket is forgotten, and so are the drop counts they
// held: the next event of such a key reports 0 dropped, and each such key
// gets a full burst again. Events are never refused because of eviction.
func TestEviction(t *testing.T) {
	t.Run("full buckets forgotten first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1, 2, 3)
			take(l, 1, 1) // one token left
			take(l, 2, 3) // empty, owes 1
			take(l, 3, 2) // empty, owes nothing
			time.Sleep(time.Second)
			// Now key 1 is full, 2 and 3 hold one token each.
			take(l, 4, 1)
			if got := l.Len(); got != 3 {
				t.Fatalf("Len = %d, want 3", got)
			}
			l.mu.Lock()
			_, has1 := l.buckets[1]
			_, has2 := l.buckets[2]
			_, has3 := l.buckets[3]
			l.mu.Unlock()
			if has1 || !has2 || !has3 {
				t.Fatalf("tracked keys 1,2,3 = %v,%v,%v; want only the full one (1) forgotten", has1, has2, has3)
			}
			// Key 2 kept its state: one token, and its drop count.
			if ok, d := l.Allow(2, time.Now()); !ok || d != 1 {
				t.Errorf("key 2: Allow = %v, %d; want true, 1", ok, d)
			}
			if ok, _ := l.Allow(2, time.Now()); ok {
				t.Error("key 2 got a fresh burst: its bucket was forgotten")
			}
		})
	})
	t.Run("a full bucket owing drops is kept", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1, 1, 2)
			take(l, 1, 5) // owes 4
			take(l, 2, 1) // owes nothing
			time.Sleep(time.Hour)
			take(l, 3, 1) // both full: only key 2 goes
			if ok, d := l.Allow(1, time.Now()); !ok || d != 4 {
				t.Errorf("key 1: Allow = %v, %d; want true, 4 (its drop count kept)", ok, d)
			}
		})
	})
	t.Run("nothing to forget: all forgotten, drop counts lost", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1, 2, 3)
			for key := uint64(1); key <= 3; key++ {
				take(l, key, 10) // each empty and owing 8
			}
			// A fourth key: no bucket is full, so all are forgotten.
			if ok, d := l.Allow(4, time.Now()); !ok || d != 0 {
				t.Fatalf("new key: Allow = %v, %d; want true, 0", ok, d)
			}
			if got := l.Len(); got != 1 {
				t.Fatalf("Len = %d, want 1 (only the new key)", got)
			}
			// Key 1 starts over: a full burst, and its 8 drops are lost.
			allowed, dropped := take(l, 1, 10)
			if allowed != 2 || dropped != 0 {
				t.Errorf("key 1 after eviction: allowed %d, dropped reported %d; want 2, 0", allowed, dropped)
			}
		})
	})
	t.Run("churn of new keys keeps the noisy key", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// A noisy key owes drops while single-use keys stream in faster
			// than any bucket refills: the streaming keys are forgotten, a
			// quarter of maxKeys at a time, the noisy one keeps its state.
			const maxKeys = 40
			l := New(0.001, 2, maxKeys)
			take(l, 0, 10) // empty, owes 8
			for key := uint64(1); key < 1000; key++ {
				before := l.Len()
				if ok, _ := l.Allow(key, time.Now()); !ok {
					t.Fatalf("new key %d refused", key)
				}
				if after := l.Len(); before == maxKeys && after > maxKeys-maxKeys/4+1 {
					t.Fatalf("an eviction at key %d left %d keys, want at most %d", key, after, maxKeys-maxKeys/4+1)
				}
				if ok, _ := l.Allow(0, time.Now()); ok {
					t.Fatalf("noisy key allowed again after new key %d: its bucket was forgotten", key)
				}
			}
			time.Sleep(1000 * time.Second)
			if ok, d := l.Allow(0, time.Now()); !ok || d != 8+999 {
				t.Errorf("noisy key: Allow = %v, %d; want true, %d", ok, d, 8+999)
			}
		})
	})
	t.Run("never more than maxKeys", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const maxKeys = 64
			l := New(1, 1, maxKeys)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range 10_000 {
				if ok, _ := l.Allow(r.Uint64N(500), time.Now()); !ok && i == 0 {
					t.Fatal("first call refused")
				}
				if got := l.Len(); got > maxKeys {
					t.Fatalf("after %d calls: Len = %d > %d", i+1, got, maxKeys)
				}
				if i%100 == 0 {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	})
	t.Run("a new key is always allowed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(0.001, 1, 8)
			for key := range uint64(1000) {
				if ok, _ := l.Allow(key, time.Now()); !ok {
					t.Fatalf("new key %d refused", key)
				}
			}
		})
	})
	t.Run("maxKeys 0 means 1", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1, 1, 0)
			take(l, 1, 3)
			take(l, 2, 3)
			if got := l.Len(); got != 1 {
				t.Errorf("Len = %d, want 1", got)
			}
		})
	})
}

// TestConcurrent hammers one limiter from many goroutines (run it with
// -race). The bubble's clock stands still while goroutines run, so the
// totals are exact: the burst of each key, and every refusal reported on
// the first call allowed after a refill.
func TestConcurrent(t *testing.T) {
	const (
		goroutines = 16
		calls      = 2000
		keys       = 4
		burst      = 5
	)
	t.Run("shared keys", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1, burst, 100)
			var mu sync.Mutex
			var allowed, reported [keys]uint64
			run := func(n int) {
				var wg sync.WaitGroup
				for g := range goroutines {
					wg.Go(func() {
						var a, r [keys]uint64
						for i := range n {
							key := uint64((g + i) % keys)
							if ok, d := l.Allow(key, time.Now()); ok {
								a[key]++
								r[key] += d
							}
						}
						mu.Lock()
						defer mu.Unlock()
						for k := range keys {
							allowed[k] += a[k]
							reported[k] += r[k]
						}
					})
				}
				wg.Wait()
			}
			run(calls)
			for k := range keys {
				if allowed[k] != burst || reported[k] != 0 {
					t.Errorf("key %d: allowed %d, reported %d; want %d, 0", k, allowed[k], reported[k], burst)
				}
			}
			time.Sleep(time.Hour)
			run(keys) // one call per key and goroutine: burst 5 of 16 each
			perKey := uint64(goroutines * calls / keys)
			for k := range keys {
				if reported[k] != perKey-burst {
					t.Errorf("key %d: reported %d drops, want %d", k, reported[k], perKey-burst)
				}
			}
		})
	})
	t.Run("eviction under contention", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l := New(1000, 1, 8)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(g), 0))
					for i := range calls {
						l.Allow(r.Uint64N(64), time.Now())
						if i%200 == 0 {
							time.Sleep(time.Millisecond)
						}
					}
				})
			}
			wg.Wait()
			if got := l.Len(); got > 8 {
				t.Errorf("Len = %d > 8", got)
			}
		})
	})
}

// BenchmarkAllowLimited is the cost of a refused call: the hot loop of one
// error once its burst is spent.
func BenchmarkAllowLimited(b *testing.B) {
	l := New(10.0/60, 10, 10000)
	now := time.Now()
	for range 10 {
		l.Allow(1, now)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := l.Allow(1, now); ok {
			b.Fatal("allowed")
		}
	}
}

// BenchmarkAllowChurn streams new keys at the default rate limit, each seen
// once, at rates around the one where buckets refill (one token: 6s) about
// as fast as maxKeys keys arrive, and eviction could free only a slot or two
// per scan of the map. Every call is a new key, so every call is allowed.
func BenchmarkAllowChurn(b *testing.B) {
	for _, perRefill := range []int{5000, 9990, 9999, 20000} {
		b.Run(fmt.Sprintf("%d keys per refill", perRefill), func(b *testing.B) {
			l := New(10.0/60, 10, 10000)
			dt := 6 * time.Second / time.Duration(perRefill)
			now := time.Unix(0, 0)
			key := uint64(0)
			for range 50000 { // reach the steady state
				key++
				now = now.Add(dt)
				l.Allow(key, now)
			}
			b.ReportAllocs()
			for b.Loop() {
				key++
				now = now.Add(dt)
				l.Allow(key, now)
			}
		})
	}
}
