package logsentry

import (
	"errors"
	"fmt"
	"testing"

	"github.com/getsentry/sentry-go"
)

// TestDedupeWindow: an error is remembered for dedupeWindow, under its own
// hub only.
func TestDedupeWindow(t *testing.T) {
	b := New()
	var d dedupe
	scope, other := sentry.NewHub(nil, sentry.NewScope()), sentry.NewHub(nil, sentry.NewScope())
	errX := fmt.Errorf("x: %w", errors.New("base"))
	ids := b.chainIDs(nil, errX)
	if len(ids) != 1 {
		t.Fatalf("chainIDs = %d errors, want the wrapper only", len(ids))
	}
	d.remember(b, scope, errX)
	if !d.seen(scope, b.chainIDs(nil, fmt.Errorf("up: %w", errX))) {
		t.Error("a wrapper of a remembered error is not seen")
	}
	if d.seen(other, ids) {
		t.Error("seen under another hub")
	}
	for i := range d.ring {
		d.ring[i].at -= dedupeWindow + 1
	}
	if d.seen(scope, ids) {
		t.Error("seen after the window")
	}
	if d.ring[0].err != nil {
		t.Error("an entry past its window still holds its error")
	}
}
