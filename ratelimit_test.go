package logsentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// The per-fingerprint event rate limit (WithEventRate), end to end: a real
// client sends to a sentrytest receiver. The sentry client's HTTP transport
// talks to a real socket, so these tests cannot run in a synctest bubble:
// they use real time, and bounds are computed from the measured elapsed
// time. The limiter's exact arithmetic is tested under synctest in
// internal/ratelimit.

// Defaults of WithEventRate, as documented.
const (
	rlDefaultBurst     = 10
	rlDefaultPerSecond = 10.0 / 60
)

// rlSlowRate refills so slowly that no token comes back during a test.
var rlSlowRate = logsentry.WithEventRate(1e-6, 2)

// rlLogger returns a slog logger on a slogsentry handler sending to a fresh
// receiver, and the handler's bridge.
func rlLogger(t *testing.T, opts ...logsentry.Option) (*sentrytest.Receiver, *sentry.Hub, *slog.Logger, *logsentry.Bridge) {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	h := slogsentry.NewHandler(append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)...)
	return rcv, hub, slog.New(h), h.Bridge()
}

// rlEvents flushes hub and returns the events received, failing t unless
// their number is the bridge's Stats().Events.
func rlEvents(t *testing.T, rcv *sentrytest.Receiver, hub *sentry.Hub, b *logsentry.Bridge) []sentrytest.Event {
	t.Helper()
	sentrytest.Flush(t, hub)
	want := b.Stats().Events
	evs := rcv.WaitEvents(t, int(want), waitFor)
	if uint64(len(evs)) != want {
		t.Fatalf("received %d events, Stats().Events = %d", len(evs), want)
	}
	return evs
}

// rlNumber returns the number at key in the context named ctx of ev, and
// whether it is there.
func rlNumber(t *testing.T, ev sentrytest.Event, ctx, key string) (int64, bool) {
	t.Helper()
	v, ok := ev.Contexts[ctx][key]
	if !ok {
		return 0, false
	}
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("contexts.%s.%s = %#v, not a number", ctx, key, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("contexts.%s.%s = %s: %v", ctx, key, n, err)
	}
	return i, true
}

// rlCount returns how many of evs have message msg.
func rlCount(evs []sentrytest.Event, msg string) int {
	n := 0
	for _, ev := range evs {
		if ev.Message == msg {
			n++
		}
	}
	return n
}

// TestRateLimitHotLoop logs one error a million times (a tenth of that
// under the race detector) with the default limit: a bounded number of
// events goes out, every other call is counted as rate limited, no breadcrumb
// is added for them, and a limited call is cheap.
func TestRateLimitHotLoop(t *testing.T) {
	n := 1_000_000
	if raceEnabled {
		n = 100_000
	}
	rcv, hub, logger, b := rlLogger(t)
	err := fmt.Errorf("query users: %w", errors.New("connection refused"))

	start := time.Now()
	for range n {
		logger.Error("db down", "err", err)
	}
	elapsed := time.Since(start)

	st := b.Stats()
	bound := rlDefaultBurst + rlDefaultPerSecond*elapsed.Seconds() + 1
	t.Logf("%d calls in %v: %.0f ns per call; %d events sent (bound %.2f), %d rate limited",
		n, elapsed, float64(elapsed.Nanoseconds())/float64(n), st.Events, bound, st.EventsRateLimited)
	if st.Events < rlDefaultBurst || float64(st.Events) > bound {
		t.Errorf("Stats().Events = %d, want between the burst %d and burst + rate*elapsed + 1 = %.2f", st.Events, rlDefaultBurst, bound)
	}
	if st.EventsRateLimited != uint64(n)-st.Events {
		t.Errorf("Stats().EventsRateLimited = %d, want %d - %d = %d", st.EventsRateLimited, n, st.Events, uint64(n)-st.Events)
	}
	if st.Breadcrumbs != st.Events {
		t.Errorf("Stats().Breadcrumbs = %d, want one per event sent (%d)", st.Breadcrumbs, st.Events)
	}

	// Another error is not held back by the storm, and its event carries the
	// breadcrumbs of the records that were sent, and none of the others.
	logger.Error("probe", "err", errors.New("other"))
	evs := rlEvents(t, rcv, hub, b)
	if got := rlCount(evs, "db down"); uint64(got) != st.Events {
		t.Errorf("received %d %q events, want %d", got, "db down", st.Events)
	}
	probe := sentrytest.EventByMessage(t, evs, "probe")
	crumbs := 0
	for _, c := range probe.Breadcrumbs {
		if c.Message == "db down" {
			crumbs++
		}
	}
	if uint64(crumbs) != st.Events {
		t.Errorf("probe event carries %d %q breadcrumbs, want %d (one per event sent)", crumbs, "db down", st.Events)
	}
	if _, ok := probe.Contexts["log"]["rate_limited_before"]; ok {
		t.Errorf("probe event has rate_limited_before: %v", probe.Contexts["log"])
	}
}

// TestRateLimitDroppedCount checks, for every event sent, that the "log"
// context's rate_limited_before is the number of records of its fingerprint
// refused since the previous event of that fingerprint was sent, and absent
// when none was; and that the sum of them is Stats().EventsRateLimited once
// the last record was sent.
func TestRateLimitDroppedCount(t *testing.T) {
	const (
		perSecond = 20
		burst     = 2
		rounds    = 4
		perRound  = 300
	)
	rcv, hub, logger, b := rlLogger(t, logsentry.WithEventRate(perSecond, burst))
	err := errors.New("connection refused")

	want := map[int64]uint64{} // seq of each record sent -> drops it must report
	var refused uint64         // since the last record sent
	seq := int64(0)
	log := func() (sent bool) {
		before := b.Stats().Events
		logger.Error("db down", "err", err, "seq", seq)
		sent = b.Stats().Events > before
		if sent {
			want[seq], refused = refused, 0
		} else {
			refused++
		}
		seq++
		return sent
	}
	for round := range rounds {
		for range perRound {
			log()
		}
		// Wait for a token to come back; the record after it is sent and
		// reports the refusals since the last one sent.
		time.Sleep(2 * time.Second / perSecond)
		if !log() {
			t.Fatalf("round %d: record after a refill was refused", round)
		}
		if want[seq-1] == 0 {
			t.Fatalf("round %d: nothing refused before the refill", round)
		}
	}

	evs := rlEvents(t, rcv, hub, b)
	if len(evs) != len(want) {
		t.Fatalf("received %d events, %d records were sent", len(evs), len(want))
	}
	var sum uint64
	for _, ev := range evs {
		s, ok := rlNumber(t, ev, "attributes", "seq")
		if !ok {
			t.Fatalf("event without seq: %v", ev.Contexts)
		}
		w, sent := want[s]
		if !sent {
			t.Errorf("event of record %d, which Stats did not count as sent", s)
			continue
		}
		got, has := rlNumber(t, ev, "log", "rate_limited_before")
		if has != (w > 0) || uint64(got) != w {
			t.Errorf("record %d: rate_limited_before = %d (present %v), want %d", s, got, has, w)
		}
		sum += uint64(got)
	}
	st := b.Stats()
	if sum != st.EventsRateLimited {
		t.Errorf("rate_limited_before sums to %d, Stats().EventsRateLimited = %d", sum, st.EventsRateLimited)
	}
	if st.Events+st.EventsRateLimited != uint64(seq) {
		t.Errorf("Stats: %d events + %d rate limited, want %d records", st.Events, st.EventsRateLimited, seq)
	}
	t.Logf("%d records: %d events, %d rate limited", seq, st.Events, st.EventsRateLimited)
}

// TestRateLimitConcurrent logs one error from many goroutines: the counts
// add up, the number of events stays within the bound, and after a refill
// the drop counts the events carry sum to Stats().EventsRateLimited.
func TestRateLimitConcurrent(t *testing.T) {
	const (
		goroutines = 8
		perSecond  = 20
		burst      = 2
	)
	calls := 20_000
	if raceEnabled {
		calls = 2_000
	}
	rcv, hub, logger, b := rlLogger(t, logsentry.WithEventRate(perSecond, burst))
	err := errors.New("connection refused")
	start := time.Now()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				logger.Error("db down", "err", err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := b.Stats()
	total := uint64(goroutines * calls)
	if st.Events+st.EventsRateLimited != total {
		t.Errorf("Stats: %d events + %d rate limited, want %d", st.Events, st.EventsRateLimited, total)
	}
	if bound := burst + perSecond*elapsed.Seconds() + 1; float64(st.Events) > bound {
		t.Errorf("%d events in %v, want at most %.2f", st.Events, elapsed, bound)
	}
	time.Sleep(2 * time.Second / perSecond)
	logger.Error("db down", "err", err)
	evs := rlEvents(t, rcv, hub, b)
	var sum uint64
	for _, ev := range evs {
		n, _ := rlNumber(t, ev, "log", "rate_limited_before")
		sum += uint64(n)
	}
	if st := b.Stats(); sum != st.EventsRateLimited {
		t.Errorf("rate_limited_before sums to %d, Stats().EventsRateLimited = %d", sum, st.EventsRateLimited)
	}
	t.Logf("%d calls from %d goroutines in %v: %d events", total, goroutines, elapsed, len(evs))
}

// rlTypeErr is an error type of its own, so its fingerprint differs from
// that of an *errors.errorString with the same message.
type rlTypeErr struct{ msg string }

func (e *rlTypeErr) Error() string { return e.msg }

// TestRateLimitNoStarvation interleaves rare errors with a noisy one: every
// rare one is sent, whether it differs from the noisy one by its message or
// only by the type of its error (both are part of the fingerprint).
func TestRateLimitNoStarvation(t *testing.T) {
	const noisy = 100_000
	type rare struct {
		msg string
		err error
	}
	rares := []rare{
		{"cache miss storm", errors.New("connection refused")},
		{"queue full", errors.New("connection refused")},
		{"payment failed", errors.New("card declined")},
		{"login failed", errors.New("bad password")},
		{"disk full", errors.New("no space left on device")},
		{"config reload failed", errors.New("parse error")},
		{"shutdown timeout", nil},
		// Same message as the noisy one, other innermost error types.
		{"db down", &fs.PathError{Op: "dial", Path: "/run/db.sock", Err: syscall.ECONNREFUSED}},
		{"db down", fmt.Errorf("ping: %w", context.DeadlineExceeded)},
		{"db down", &rlTypeErr{"tls handshake"}},
	}
	rcv, hub, logger, b := rlLogger(t)
	noisyErr := errors.New("connection refused")

	start := time.Now()
	every := noisy / len(rares)
	for i := range noisy {
		logger.Error("db down", "err", noisyErr)
		if i%every == every/2 {
			r := rares[i/every]
			if r.err != nil {
				logger.Error(r.msg, "err", r.err, "rare", i/every)
			} else {
				logger.Error(r.msg, "rare", i/every)
			}
		}
	}
	elapsed := time.Since(start)

	evs := rlEvents(t, rcv, hub, b)
	got := map[int64]bool{}
	noisySent := 0
	for _, ev := range evs {
		if r, ok := rlNumber(t, ev, "attributes", "rare"); ok {
			if got[r] {
				t.Errorf("rare error %d sent twice", r)
			}
			got[r] = true
			if ev.Message != rares[r].msg {
				t.Errorf("rare error %d: message %q, want %q", r, ev.Message, rares[r].msg)
			}
			if lc := ev.Contexts["log"]; lc["rate_limited_before"] != nil {
				t.Errorf("rare error %d reports drops: %v", r, lc)
			}
			continue
		}
		noisySent++
		if len(ev.Exception) == 0 || ev.Exception[len(ev.Exception)-1].Type != "*errors.errorString" {
			t.Errorf("noisy event with exception %+v", ev.Exception)
		}
	}
	for i := range rares {
		if !got[int64(i)] {
			t.Errorf("rare error %d (%q, %T) was starved", i, rares[i].msg, rares[i].err)
		}
	}
	bound := rlDefaultBurst + rlDefaultPerSecond*elapsed.Seconds() + 1
	if float64(noisySent) > bound {
		t.Errorf("%d noisy events sent, want at most %.2f", noisySent, bound)
	}
	if st := b.Stats(); st.EventsRateLimited != uint64(noisy-noisySent) {
		t.Errorf("Stats().EventsRateLimited = %d, want %d", st.EventsRateLimited, noisy-noisySent)
	}
}

// TestRateLimitDisabled checks that a rate <= 0 switches the limit off.
func TestRateLimitDisabled(t *testing.T) {
	const n = 200
	tests := []struct {
		name      string
		perSecond float64
		burst     int
	}{
		{"0, 0", 0, 0},
		{"negative", -1, 10},
		{"NaN", math.NaN(), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub, logger, b := rlLogger(t, logsentry.WithEventRate(tt.perSecond, tt.burst))
			err := errors.New("connection refused")
			for i := range n {
				logger.Error("db down", "err", err)
				if i%50 == 49 {
					// The SDK queues at most 100 error events (dropping the
					// oldest): let it send them.
					sentrytest.Flush(t, hub)
				}
			}
			evs := rlEvents(t, rcv, hub, b)
			if len(evs) != n {
				t.Errorf("%d events for %d records", len(evs), n)
			}
			if st := b.Stats(); st.Events != n || st.EventsRateLimited != 0 || st.Breadcrumbs != n {
				t.Errorf("Stats = %+v, want %d events and breadcrumbs, none rate limited", st, n)
			}
			for _, ev := range evs {
				if _, ok := ev.Contexts["log"]["rate_limited_before"]; ok {
					t.Fatalf("event with rate_limited_before: %v", ev.Contexts["log"])
				}
			}
		})
	}
}

// TestRateLimitBreadcrumbsAndLogs checks what happens to the other outputs
// of a record over the budget, as WithEventRate documents: no breadcrumb
// (a storm would push every other breadcrumb out), but its Sentry log is
// sent. A record below the event level is never limited.
func TestRateLimitBreadcrumbsAndLogs(t *testing.T) {
	const n = 50
	rcv, hub, logger, b := rlLogger(t, rlSlowRate, slogsentry.WithLogLevel(slog.LevelInfo))
	err := errors.New("connection refused")
	for i := range n {
		logger.Error("db down", "err", err, "i", i)
	}
	for range 3 {
		logger.Warn("db down", "err", err) // breadcrumbs and logs only
	}
	logger.Error("probe")

	st := b.Stats()
	if st.Events != 3 || st.EventsRateLimited != n-2 {
		t.Errorf("Stats: %d events, %d rate limited; want 3 (2 + probe), %d", st.Events, st.EventsRateLimited, n-2)
	}
	if st.Breadcrumbs != 2+3+1 || st.Logs != n+3+1 {
		t.Errorf("Stats: %d breadcrumbs, %d logs; want %d, %d", st.Breadcrumbs, st.Logs, 2+3+1, n+3+1)
	}

	evs := rlEvents(t, rcv, hub, b)
	probe := sentrytest.EventByMessage(t, evs, "probe")
	var levels []string
	for _, c := range probe.Breadcrumbs {
		if c.Message == "db down" {
			levels = append(levels, c.Level)
		}
	}
	if fmt.Sprint(levels) != "[error error warning warning warning]" {
		t.Errorf("probe's db down breadcrumbs have levels %v, want the 2 errors sent and the 3 warnings", levels)
	}

	logs := rcv.WaitLogs(t, n+3+1, waitFor)
	seen := map[int64]bool{}
	for _, l := range logs {
		if l.Body != "db down" || l.Level != "error" {
			continue
		}
		if i, ok := l.Attributes["i"].Int(); ok {
			seen[i] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d of the %d error records reached Sentry Logs, want all", len(seen), n)
	}
}

// TestRateLimitKey checks what keys the limiter: the event's fingerprint,
// that is the record's "fingerprint" field, else WithFingerprint's result,
// else the message and the type of the innermost error. Each case logs 10
// records of each kind, interleaved, with a burst of 2 and no refill: each
// Sentry group (each fingerprint on the wire) must get exactly 2 events.
func TestRateLimitKey(t *testing.T) {
	tenantFP := logsentry.WithFingerprint(func(r logsentry.Record) []string {
		for _, a := range r.Attrs {
			if a.Key == "tenant" {
				return []string{"tenant", a.Value.String()}
			}
		}
		return nil
	})
	err := errors.New("connection refused")
	tests := []struct {
		name   string
		opts   []logsentry.Option
		kinds  [][]any  // the attrs of each kind of record
		groups []string // the fingerprints expected, each "|"-joined
	}{
		{
			name:   "fingerprint field",
			kinds:  [][]any{{"fingerprint", "a"}, {"fingerprint", "b"}, {"fingerprint", []string{"c", "d"}}, {"fingerprint", []string{"c"}}},
			groups: []string{"a", "b", "c|d", "c"},
		},
		{
			name:   "fingerprint string and lists of one string are one group",
			kinds:  [][]any{{"fingerprint", "a"}, {"fingerprint", []string{"a"}}, {"fingerprint", []any{"a"}}},
			groups: []string{"a"},
		},
		{
			name:   "fingerprint field overrides the error",
			kinds:  [][]any{{"fingerprint", "a", "err", err}, {"fingerprint", "a", "err", &rlTypeErr{"x"}}},
			groups: []string{"a"},
		},
		{
			name:   "last fingerprint field wins",
			kinds:  [][]any{{"fingerprint", "a", "fingerprint", "b"}, {"fingerprint", "b"}, {"fingerprint", "b", "fingerprint", 7}},
			groups: []string{"b"},
		},
		{
			name:   "fingerprint field in an inline group",
			kinds:  [][]any{{slog.Group("", "fingerprint", "a")}, {"fingerprint", "a"}, {slog.Group("", "fingerprint", "b")}},
			groups: []string{"a", "b"},
		},
		{
			name:   "fingerprint LogValuer",
			kinds:  [][]any{{"fingerprint", rlFingerprint("a")}, {"fingerprint", "a"}, {"fingerprint", rlFingerprint("b")}},
			groups: []string{"a", "b"},
		},
		{
			name:   "WithFingerprint",
			opts:   []logsentry.Option{tenantFP},
			kinds:  [][]any{{"tenant", "a"}, {"tenant", "b"}, {"err", err}},
			groups: []string{"tenant|a", "tenant|b", "db down|*errors.errorString|connection refused"},
		},
		{
			name:   "fingerprint field overrides WithFingerprint",
			opts:   []logsentry.Option{tenantFP},
			kinds:  [][]any{{"tenant", "a", "fingerprint", "x"}, {"tenant", "b", "fingerprint", "x"}},
			groups: []string{"x"},
		},
		{
			name:   "default: error type",
			kinds:  [][]any{{"err", err}, {"err", &rlTypeErr{"connection refused"}}, {}},
			groups: []string{"db down|*errors.errorString|connection refused", "db down|*logsentry_test.rlTypeErr|connection refused", "db down"},
		},
		{
			// A handler that logs every failure with one message: its
			// failures are told apart by their innermost error's text,
			// parameterized.
			name: "default: innermost error text",
			kinds: [][]any{
				{"err", fmt.Errorf("get user: %w", errors.New("db timeout"))}, {"err", errors.New("nil pointer in billing")},
				{"err", errors.New("timeout after 30s")}, {"err", fmt.Errorf("x: %w", errors.New("timeout after 45s"))},
			},
			groups: []string{"db down|*errors.errorString|db timeout", "db down|*errors.errorString|nil pointer in billing",
				"db down|*errors.errorString|timeout after <duration>"},
		},
		{
			name:   "default: innermost error type",
			kinds:  [][]any{{"err", fmt.Errorf("a: %w", err)}, {"err", fmt.Errorf("b: %w", err)}, {"err", fmt.Errorf("c: %w", &rlTypeErr{"x"})}},
			groups: []string{"db down|*errors.errorString|connection refused", "db down|*logsentry_test.rlTypeErr|x"},
		},
		{
			name:   "default: LogValuer error",
			kinds:  [][]any{{"err", &lvError{"E1", "x"}}, {slog.Group("req", "cause", &lvError{"E2", "y"})}, {"err", err}},
			groups: []string{"db down|*logsentry_test.lvError|code=E1 msg=x", "db down|*logsentry_test.lvError|code=E2 msg=y", "db down|*errors.errorString|connection refused"},
		},
		{
			name: "default: error in a group",
			kinds: [][]any{
				{slog.Group("req", "err", err)},
				{slog.Group("req", "err", &rlTypeErr{"x"})},
				{slog.Group("req", "path", "/")},
				{slog.Group("req", slog.Group("db", "cause", &rlTypeErr{"y"}))},
			},
			groups: []string{"db down|*errors.errorString|connection refused", "db down|*logsentry_test.rlTypeErr|x", "db down|*logsentry_test.rlTypeErr|y", "db down"},
		},
		{
			name: "default: errors not taken as the exception",
			kinds: [][]any{
				{slog.Group("user", "id", "u1", "err", &rlTypeErr{"x"})},
				{slog.Group("auth", "password", &rlTypeErr{"x"})},
				{slog.Group("password", "err", &rlTypeErr{"x"})},
				{},
			},
			groups: []string{"db down"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub, logger, b := rlLogger(t, append([]logsentry.Option{rlSlowRate}, tt.opts...)...)
			for i := range 10 {
				for k, attrs := range tt.kinds {
					logger.Error("db down", append([]any{"kind", k, "i", i}, attrs...)...)
				}
			}
			evs := rlEvents(t, rcv, hub, b)
			got := map[string]int{}
			for _, ev := range evs {
				got[strings.Join(ev.Fingerprint, "|")]++
			}
			want := map[string]int{}
			for _, g := range tt.groups {
				want[g] = 2
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("events per fingerprint = %v, want %v", got, want)
			}
			if st := b.Stats(); st.Events+st.EventsRateLimited != uint64(10*len(tt.kinds)) {
				t.Errorf("Stats = %+v, want %d records counted", st, 10*len(tt.kinds))
			}
		})
	}
}

// rlFingerprint is a LogValuer that resolves to a fingerprint.
type rlFingerprint string

func (f rlFingerprint) LogValue() slog.Value { return slog.StringValue(string(f)) }

// TestRateLimitKeyEmptyMessage checks records without a message, as
// zerolog's log.Error().Err(err).Send() makes them: their fingerprint is the
// error's type and text, and so is their key. Errors of one type with
// different texts are different groups, and one must not starve the other.
func TestRateLimitKeyEmptyMessage(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), rlSlowRate)
	noisy, rare := errors.New("connection refused"), errors.New("disk full")
	for range 100 {
		emit(nilCtx, b, logsentry.Record{Severity: logsentry.SeverityError, Err: noisy})
	}
	emit(nilCtx, b, logsentry.Record{Severity: logsentry.SeverityError, Err: rare})
	evs := rlEvents(t, rcv, hub, b)
	if got := rlCount(evs, "connection refused"); got != 2 {
		t.Errorf("%d noisy events, want the burst of 2", got)
	}
	ev := sentrytest.EventByMessage(t, evs, "disk full")
	if fmt.Sprint(ev.Fingerprint) != "[*errors.errorString disk full]" {
		t.Errorf("fingerprint = %q", ev.Fingerprint)
	}
}

// TestRateLimitDecidedBeforeConversion checks that a limited record is not
// converted: its LogValuers are not resolved, its error's Error method is
// not called.
func TestRateLimitDecidedBeforeConversion(t *testing.T) {
	rcv, hub, logger, b := rlLogger(t, rlSlowRate)
	var values, texts atomic.Int64
	err := &rlCountingErr{calls: &texts}
	lv := rlValuer{calls: &values}
	for range 1000 {
		logger.Error("db down", "err", err, "user", lv)
	}
	evs := rlEvents(t, rcv, hub, b)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	// Each of the 2 events sent resolves the LogValuer and reads the error
	// text a bounded number of times; the 998 limited records, never (the
	// key reads the text of the innermost error only).
	if v, e := values.Load(), texts.Load(); v > 2*2 || e > 2*4 {
		t.Errorf("LogValue called %d times, Error %d times, for 2 events sent of 1000 records", v, e)
	}
}

// rlCountingErr wraps a root error and counts the calls of its Error
// method: the key of a limited record reads the root's text only.
type rlCountingErr struct{ calls *atomic.Int64 }

func (e *rlCountingErr) Error() string { e.calls.Add(1); return "counted: connection refused" }
func (e *rlCountingErr) Unwrap() error { return errRLRoot }

var errRLRoot = errors.New("connection refused")

type rlValuer struct{ calls *atomic.Int64 }

func (v rlValuer) LogValue() slog.Value { v.calls.Add(1); return slog.StringValue("resolved") }

// rlTransport counts events and drops them, for benchmarks.
type rlTransport struct{ events atomic.Int64 }

func (t *rlTransport) Configure(sentry.ClientOptions)        {}
func (t *rlTransport) SendEvent(*sentry.Event)               { t.events.Add(1) }
func (t *rlTransport) Flush(time.Duration) bool              { return true }
func (t *rlTransport) FlushWithContext(context.Context) bool { return true }
func (t *rlTransport) Close()                                {}

// rlBenchHub returns a hub on an enabled client sending to a counting
// transport.
func rlBenchHub(b *testing.B) (*sentry.Hub, *rlTransport) {
	b.Helper()
	tr := &rlTransport{}
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "http://k@127.0.0.1:1/1", Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope()), tr
}

// BenchmarkRateLimited is the cost of an error record once its fingerprint
// is over budget: through slog (the Handler builds a Record) and through
// Bridge.Emit with the record made. The burst is spent before timing.
func BenchmarkRateLimited(b *testing.B) {
	err := fmt.Errorf("query users: %w", errors.New("connection refused"))
	b.Run("slog", func(b *testing.B) {
		hub, tr := rlBenchHub(b)
		h := slogsentry.NewHandler(logsentry.WithHub(hub))
		logger := slog.New(h)
		for range rlDefaultBurst {
			logger.Error("db down", "err", err, "user", 42)
		}
		b.ReportAllocs()
		for b.Loop() {
			logger.Error("db down", "err", err, "user", 42)
		}
		b.StopTimer()
		if st := h.Bridge().Stats(); tr.events.Load() > rlDefaultBurst+1 || st.EventsRateLimited == 0 {
			b.Fatalf("%d events sent; Stats %+v", tr.events.Load(), st)
		}
	})
	for _, c := range []struct{ name, msg string }{
		{"Emit", "db down"},
		// A rendered message: its key is parameterized first.
		{"Emit rendered", "charge 4821 for user 3f2504e0-4f89-11d3-9a0c-0305e82c3301 failed after 150ms"},
	} {
		b.Run(c.name, func(b *testing.B) {
			hub, tr := rlBenchHub(b)
			br := logsentry.New(logsentry.WithHub(hub))
			r := logsentry.Record{
				Severity: logsentry.SeverityError,
				Message:  c.msg,
				Attrs:    []slog.Attr{slog.Any("err", err), slog.Int("user", 42)},
			}
			for range rlDefaultBurst {
				br.Emit(nilCtx, r)
			}
			b.ReportAllocs()
			for b.Loop() {
				br.Emit(nilCtx, r)
			}
			b.StopTimer()
			if tr.events.Load() > rlDefaultBurst+1 {
				b.Fatalf("%d events sent", tr.events.Load())
			}
		})
	}
}

// BenchmarkRateLimitedFloor is the same call as BenchmarkRateLimited when
// the record goes nowhere: below every threshold (events and breadcrumbs
// off: slog asks Enabled and stops), and, for Emit, reaching Emit with a
// client that is disabled (the hub lookup and the client check, no limiter).
func BenchmarkRateLimitedFloor(b *testing.B) {
	err := fmt.Errorf("query users: %w", errors.New("connection refused"))
	off := []logsentry.Option{slogsentry.WithEventLevel(slogsentry.LevelOff), slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff)}
	b.Run("slog below thresholds", func(b *testing.B) {
		hub, _ := rlBenchHub(b)
		logger := slog.New(slogsentry.NewHandler(append(off, logsentry.WithHub(hub))...))
		b.ReportAllocs()
		for b.Loop() {
			logger.Error("db down", "err", err, "user", 42)
		}
	})
	b.Run("slog disabled client", func(b *testing.B) {
		hub := sentry.NewHub(nil, sentry.NewScope())
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		b.ReportAllocs()
		for b.Loop() {
			logger.Error("db down", "err", err, "user", 42)
		}
	})
	b.Run("Emit disabled client", func(b *testing.B) {
		hub := sentry.NewHub(nil, sentry.NewScope())
		br := logsentry.New(logsentry.WithHub(hub))
		r := logsentry.Record{
			Severity: logsentry.SeverityError,
			Message:  "db down",
			Attrs:    []slog.Attr{slog.Any("err", err), slog.Int("user", 42)},
		}
		b.ReportAllocs()
		for b.Loop() {
			br.Emit(nilCtx, r)
		}
	})
}

// TestRateLimitSparesFatal: a fatal record is sent, and flushed, even when
// the errors of its fingerprint before it spent the budget: a retry loop
// that gives up with Fatal must not lose its last word. Fatal records are
// still limited among themselves (recovered panics in a hot path).
func TestRateLimitSparesFatal(t *testing.T) {
	t.Run("fatal storm", func(t *testing.T) {
		_, _, logger, b := rlLogger(t, logsentry.WithFlushTimeout(0))
		for range rlDefaultBurst + 20 {
			logger.Log(context.Background(), slogsentry.LevelFatal, "invariant broken")
		}
		if st := b.Stats(); st.Events != rlDefaultBurst || st.EventsRateLimited != 20 {
			t.Errorf("Stats() = %+v, want %d events and 20 rate limited", st, rlDefaultBurst)
		}
	})
	rcv, _, logger, b := rlLogger(t)
	err := errors.New("connection refused")
	for range rlDefaultBurst + 5 {
		logger.Error("cannot reach database", "err", err)
	}
	logger.Log(context.Background(), slogsentry.LevelFatal, "cannot reach database", "err", err)
	st := b.Stats()
	if st.Events != rlDefaultBurst+1 || st.EventsRateLimited != 5 {
		t.Errorf("Stats() = %+v, want %d events and 5 rate limited", st, rlDefaultBurst+1)
	}
	// The fatal record flushed before Log returned: its event is on the
	// wire without another flush.
	evs := rcv.WaitEvents(t, rlDefaultBurst+1, waitFor)
	fatal := slices.IndexFunc(evs, func(e sentrytest.Event) bool { return e.Level == "fatal" })
	if len(evs) != rlDefaultBurst+1 || fatal < 0 {
		t.Fatalf("received %d events (fatal at %d), want %d with the fatal one", len(evs), fatal, rlDefaultBurst+1)
	}
}

// TestRateLimitKeyDefaultVar: Sentry's "{{ default }}" in a fingerprint the
// user sets stands for the server's grouping; the key puts the bridge's
// default in its place, so records of different errors keep their own
// buckets.
func TestRateLimitKeyDefaultVar(t *testing.T) {
	for _, v := range []string{"{{ default }}", "{{default}}"} {
		t.Run(v, func(t *testing.T) {
			fp := logsentry.WithFingerprint(func(logsentry.Record) []string { return []string{v, "billing"} })
			rcv, hub, logger, b := rlLogger(t, rlSlowRate, fp)
			for range 10 {
				logger.Error("db down", "err", errors.New("x"))
				logger.Error("db down", "err", &rlTypeErr{"y"})
				logger.Error("cache down", "err", &rlTypeErr{"y"})
			}
			evs := rlEvents(t, rcv, hub, b)
			if len(evs) != 6 {
				t.Errorf("%d events, want 2 for each of the 3 default groups", len(evs))
			}
			for _, ev := range evs {
				if got := strings.Join(ev.Fingerprint, "|"); got != v+"|billing" {
					t.Errorf("fingerprint %q sent, want the user's", got)
				}
			}
		})
	}
}

// TestRateLimitKeyRedacted checks records whose message holds a secret that
// differs on each call: their fingerprint has "[Filtered]" in its place, so
// they are one Sentry group, and the rate limit must key them as one too,
// or a loop logging them would send an event per call to that one issue.
func TestRateLimitKeyRedacted(t *testing.T) {
	for _, tt := range []struct {
		name   string
		format string // one %s: the secret
		err    bool   // as the error's text, with no message
	}{
		{"bearer token", "login failed: Authorization: Bearer %s", false},
		{"password in a URL", "dial postgres://app:%s@db:5432/orders: refused", false},
		{"key=value", "retry with password=%s", false},
		{"error text", "auth rejected token=%s", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rcv, hub, logger, b := rlLogger(t, rlSlowRate)
			for i := range 20 {
				// Letters only: nothing that parameterizing would turn into
				// a placeholder.
				secret := strings.Repeat(string(rune('a'+i)), 12) + "Zq"
				text := fmt.Sprintf(tt.format, secret)
				if tt.err {
					logger.Error("", "err", errors.New(text))
				} else {
					logger.Error(text)
				}
			}
			evs := rlEvents(t, rcv, hub, b)
			if len(evs) != 2 {
				t.Errorf("%d events, want the burst of 2 for one fingerprint", len(evs))
			}
			for _, ev := range evs {
				fp := strings.Join(ev.Fingerprint, "|")
				if fp != strings.Join(evs[0].Fingerprint, "|") || strings.Contains(fp, "Zq") {
					t.Errorf("fingerprint %q, want one, without the secret", fp)
				}
			}
			if st := b.Stats(); st.EventsRateLimited != 18 {
				t.Errorf("EventsRateLimited = %d, want 18", st.EventsRateLimited)
			}
		})
	}
}

// scrubbedErr is what a scrubbing WithReplaceAttr makes of an error: a
// new value of its own, which hides the original's text and chain.
type scrubbedErr struct{ error }

func (e *scrubbedErr) Error() string { return "lookup failed" }

// TestReplaceAttrKeysAndDedupe: with a WithReplaceAttr that rewrites every
// error (here to one text), the rate limit keys the records as their
// fingerprint names them, and the dedupe still knows a failure logged twice.
func TestReplaceAttrKeysAndDedupe(t *testing.T) {
	scrub := logsentry.WithReplaceAttr(func(_ []string, a slog.Attr) slog.Attr {
		if err, ok := a.Value.Any().(error); ok {
			return slog.Any(a.Key, &scrubbedErr{err})
		}
		return a
	})
	t.Run("rate key", func(t *testing.T) {
		rcv, hub, logger, b := rlLogger(t, logsentry.WithEventRate(1e-9, 1), scrub)
		for _, user := range []string{"alice", "bob", "carol"} {
			logger.Error("request failed", "err", fmt.Errorf("lookup %s: not found", user))
		}
		evs := rlEvents(t, rcv, hub, b)
		if len(evs) != 1 || b.Stats().EventsRateLimited != 2 {
			t.Errorf("%d events, Stats %+v; want 1 event, 2 rate limited (one fingerprint)", len(evs), b.Stats())
		}
	})
	t.Run("dedupe", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		logger := slog.New(slogsentry.NewHandler(scrub))
		ctx := sentrytest.HubContext(hub)
		err := fmt.Errorf("query: %w", errors.New("timeout"))
		logger.ErrorContext(ctx, "query failed", "err", err)
		logger.ErrorContext(ctx, "request failed", "err", fmt.Errorf("handler: %w", err))
		sentrytest.Flush(t, hub)
		if evs := rcv.WaitEvents(t, 1, waitFor); len(evs) != 1 {
			t.Errorf("%d events, want 1: the second log is the same failure", len(evs))
		}
	})
}
