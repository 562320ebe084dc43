package logsentry

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/getsentry/sentry-go"
)

// TestDedupeWindow: an error is remembered for dedupeWindow, under its own
// hub only.
func TestDedupeWindow(t *testing.T) {
	var d dedupe
	scope, other := sentry.NewHub(nil, sentry.NewScope()), sentry.NewHub(nil, sentry.NewScope())
	errX := fmt.Errorf("x: %w", errors.New("base"))
	ids := chainIDs(nil, errX)
	if len(ids) != 1 {
		t.Fatalf("chainIDs = %d errors, want the wrapper only", len(ids))
	}
	d.remember(scope, errX)
	if !d.seen(scope, chainIDs(nil, fmt.Errorf("up: %w", errX))) {
		t.Error("a wrapper of a remembered error is not seen")
	}
	if d.seen(other, ids) {
		t.Error("seen under another hub")
	}
	h := d.hubs[weak.Make(scope)]
	for i := range h.ring {
		h.ring[i].at -= dedupeWindow + 1
	}
	if d.seen(scope, ids) {
		t.Error("seen after the window")
	}
	if h.ring[0].err != nil {
		t.Error("an entry past its window still holds its error")
	}
}

// TestDedupeSweep: the errors of requests past their window are let go of
// on the next remember after a window, and a full table makes room.
func TestDedupeSweep(t *testing.T) {
	var d dedupe
	hubs := make([]*sentry.Hub, maxDedupeHubs)
	for i := range hubs {
		hubs[i] = sentry.NewHub(nil, sentry.NewScope())
		d.remember(hubs[i], fmt.Errorf("x: %w", errors.New("base")))
	}
	if len(d.hubs) != maxDedupeHubs {
		t.Fatalf("%d hubs, want %d", len(d.hubs), maxDedupeHubs)
	}
	extra := sentry.NewHub(nil, sentry.NewScope())
	errX := fmt.Errorf("x: %w", errors.New("base"))
	d.remember(extra, errX) // full: half are forgotten
	if n := len(d.hubs); n > maxDedupeHubs/2+1 {
		t.Errorf("%d hubs after a full table, want at most %d", n, maxDedupeHubs/2+1)
	}
	if !d.seen(extra, chainIDs(nil, errX)) {
		t.Error("the newest error is not remembered")
	}
	for _, h := range d.hubs {
		h.last -= dedupeWindow + 1
	}
	d.lastSweep -= dedupeWindow + 1
	d.remember(extra, fmt.Errorf("y: %w", errors.New("base")))
	if n := len(d.hubs); n != 1 {
		t.Errorf("%d hubs after a window, want only the one just remembered", n)
	}
	// A lookup sweeps too: a burst of errors followed by lookups only
	// does not hold them.
	for _, h := range d.hubs {
		h.last -= dedupeWindow + 1
	}
	d.lastSweep -= dedupeWindow + 1
	d.seen(sentry.NewHub(nil, sentry.NewScope()), chainIDs(nil, errX))
	if n := len(d.hubs); n != 0 {
		t.Errorf("%d hubs after a lookup a window later, want 0", n)
	}
	runtime.KeepAlive(hubs)
}

// TestWatchOnce: a hub found on a request's context (one long-lived hub in
// http.Server.BaseContext, reported on every request) is watched once, so
// its scope does not gain a processor per request; the table of such hubs
// lets go of the hubs that are gone, and when it is full of live ones
// (the GC has not run for thousands of requests) forgets half of them
// rather than leave a request unwatched.
func TestWatchOnce(t *testing.T) {
	var d dedupe
	long := sentry.NewHub(nil, sentry.NewScope())
	n := 0
	for range 100 {
		if d.markWatched(weak.Make(long.Scope())) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one hub watched %d times, want once", n)
	}
	alive := []*sentry.Hub{long}
	for len(d.watched) < maxDedupeHubs {
		h := sentry.NewHub(nil, sentry.NewScope())
		alive = append(alive, h)
		d.markWatched(weak.Make(h.Scope()))
	}
	if !d.markWatched(weak.Make(sentry.NewScope())) {
		t.Error("a request not watched: the table was full of live hubs")
	}
	if n := len(d.watched); n > maxDedupeHubs/2+1 {
		t.Errorf("%d hubs watched after the table was full, want at most %d", n, maxDedupeHubs/2+1)
	}
	// A long-lived hub reported on every request stays watched while the
	// table of per-request hubs fills and is swept, so its scope never
	// gets a second processor. (Unreported for maxDedupeHubs/2 reports,
	// as above, it may be forgotten and watched again.)
	d.markWatched(weak.Make(long.Scope()))
	for i := range 5 * maxDedupeHubs {
		h := sentry.NewHub(nil, sentry.NewScope())
		alive = append(alive, h)
		d.markWatched(weak.Make(h.Scope()))
		if i%16 == 0 && d.markWatched(weak.Make(long.Scope())) {
			t.Fatalf("the long-lived hub was watched again after %d requests", i)
		}
	}
	clear(alive[1:])
	alive = alive[:1]
	runtime.GC()
	d.sweep(time.Since(dedupeEpoch), false) // as every window
	if len(d.watched) > 2 {
		t.Errorf("%d hubs watched after the others were gone, want at most 2", len(d.watched))
	}
	runtime.KeepAlive(alive)
}
