package logsentry

import (
	"reflect"
	"sync"
	"time"
	"weak"

	"github.com/getsentry/sentry-go"
)

// An error is often logged at each layer it passes: the repository logs
// "query failed" with err, returns it wrapped, and the handler logs
// "request failed" with the wrapper. Each record is an error record, and
// each would be a Sentry issue of its own for one failure. The bridge
// remembers, per request (the scope of the hub that the record's context
// carries), the errors of the events it sent, and a later record of the
// same request whose error chain holds one of them gets no event: its
// breadcrumb still goes on the trail. Sentry's Java and Python SDKs drop
// such duplicates the same way, by identity.
//
// Go reuses error values where other languages throw new ones: a sentinel
// (io.EOF, sql.ErrNoRows, a package's ErrNotFound) is the same value in
// every request and may fail twice in one. So only errors that are made
// per failure count: those that wrap another (fmt.Errorf with %w,
// pkg/errors' Wrap) or carry a stack (pkg/errors' New), never a chain's
// root without a stack. And only per request: records on the configured or
// the current hub, shared by everything, are never deduplicated. Fatal
// records never are. A package-level wrapper (var ErrX = fmt.Errorf("x:
// %w", ErrBase)) is one value too; a hub that lives as long as a worker
// would report it once for good, so an error is remembered for
// dedupeWindow only: long enough for a failure to climb its call stack.

// dedupeSize bounds the errors remembered: enough for the events of the
// requests in flight at once that log twice, a table scanned under a lock
// by event records only.
const dedupeSize = 64

// maxDedupeIDs bounds the errors of one chain that are remembered or
// looked up.
const maxDedupeIDs = 8

// dedupeWindow is how long an error of an event is remembered.
const dedupeWindow = 10 * time.Second

// dedupeEpoch is the origin of dedupeEntry.at: a monotonic clock.
var dedupeEpoch = time.Now()

type dedupeEntry struct {
	scope weak.Pointer[sentry.Scope] // the request's; never keeps it alive
	err   error                      // kept alive, so its address is not reused while listed
	ptr   uintptr
	at    time.Duration // since dedupeEpoch
}

type dedupe struct {
	mu   sync.Mutex
	ring [dedupeSize]dedupeEntry
	next int
}

// dedupeScope returns the scope under which the record's errors are
// remembered: that of a hub from the record's context, unless it is the
// current hub; else nil (no deduplication).
func dedupeScope(hub *sentry.Hub, hubFromCtx bool) *sentry.Scope {
	if !hubFromCtx || hub == sentry.CurrentHub() {
		return nil
	}
	return hub.Scope()
}

// dedupeIDs appends to ids the errors of err's chain that are made per
// failure (see above).
func (b *Bridge) dedupeIDs(ids []dedupeEntry, err error) []dedupeEntry {
	for range maxDedupeIDs * 2 { // the errors looked at, not only those kept
		if err == nil || len(ids) >= maxDedupeIDs || isNilPointer(err) {
			return ids
		}
		rv := reflect.ValueOf(err)
		_, next := guardedUnwrap(err)
		multi, isMulti := err.(interface{ Unwrap() []error })
		if rv.Kind() == reflect.Pointer && (next != nil || isMulti || b.mayCarryStack(rv.Type())) {
			ids = append(ids, dedupeEntry{err: err, ptr: rv.Pointer()})
		}
		if isMulti {
			for _, e := range guardedUnwrapMulti(multi) {
				ids = b.dedupeIDs(ids, e)
			}
			return ids
		}
		err = next
	}
	return ids
}

// seen reports whether an error of err's chain is one of an event sent
// under scope.
func (d *dedupe) seen(scope *sentry.Scope, ids []dedupeEntry) bool {
	if len(ids) == 0 {
		return false
	}
	w, since := weak.Make(scope), time.Since(dedupeEpoch)-dedupeWindow
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.ring {
		e := &d.ring[i]
		if e.err == nil || e.scope != w || e.at < since {
			continue
		}
		for _, id := range ids {
			if id.ptr == e.ptr {
				return true
			}
		}
	}
	return false
}

// remember lists the errors ids of an event sent under scope.
func (d *dedupe) remember(scope *sentry.Scope, ids []dedupeEntry) {
	if len(ids) == 0 {
		return
	}
	w, now := weak.Make(scope), time.Since(dedupeEpoch)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		id.scope, id.at = w, now
		d.ring[d.next] = id
		d.next = (d.next + 1) % dedupeSize
	}
}
