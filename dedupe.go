package logsentry

import (
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"
	"weak"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/internal/trailhook"
)

// An error is often logged at each layer it passes: the repository logs
// "query failed" with err, returns it (wrapped or not), and the handler logs
// "request failed" with it. Each record is an error record, and each would
// be a Sentry issue of its own for one failure. The bridges remember (in
// one table for all of them: the two logs may go through two loggers), per
// request (the hub that the record's context carries: sentryhttp and
// breadcrumbs.Middleware give each request its own), the
// error of each event they sent, and a later record of the same request whose
// error is that error, or wraps it in a chain of single errors, gets no
// event: its breadcrumb still goes on the trail. (Sentry's Java SDK drops
// an exception already captured, Python's one equal to the last captured.)
//
// Go reuses error values where other languages throw new ones: a sentinel
// (io.EOF, sql.ErrNoRows, a package's ErrNotFound) is the same value in
// every request and may fail twice in one. So only an error made per
// failure is remembered: one that wraps another (fmt.Errorf with %w,
// pkg/errors' Wrap) or carries a stack (pkg/errors' New), never a chain's
// root without a stack, nor one whose stack was taken in a package
// initializer (a pkg/errors sentinel); and only the outermost error of an event, so that
// two failures wrapping one package-level error ("user 1: %w" and "order
// 2: %w" of ErrNotFound) stay two. A package-level wrapper logged as it
// is (var ErrX = fmt.Errorf("x: %w", ErrBase)) is one value for every
// failure: it is remembered for dedupeWindow only, long enough for a
// failure to climb its call stack, or a hub that lives as long as a worker
// would report it once for good. Records on the configured or the current
// hub, shared by everything, are never deduplicated, nor records above
// SeverityError (zap's DPanic, fatal), nor
// an errors.Join that holds a remembered error (its other errors may be new
// failures). A scope pushed inside a request (hub.WithScope) is the same
// request; a hub cloned for a goroutine of it is another.

// dedupePerHub bounds the errors remembered per request (hub): the
// failures of one request within dedupeWindow.
const dedupePerHub = 16

// maxDedupeHubs bounds the requests whose errors are remembered at once.
// Past it, the requests whose errors are all older than dedupeWindow are
// forgotten, then any: a storm of failures in many concurrent requests,
// when duplicate events cost the most, does not push a request's failure
// out before it is logged again, as one table for all requests would.
const maxDedupeHubs = 4096

// maxDedupeIDs bounds the errors of one chain that are remembered or
// looked up.
const maxDedupeIDs = 8

// dedupeWindow is how long an error of an event is remembered.
const dedupeWindow = 10 * time.Second

// dedupeEpoch is the origin of dedupeEntry.at: a monotonic clock.
var dedupeEpoch = time.Now()

type dedupeEntry struct {
	err error // kept alive, so its address is not reused while listed
	id  errorID
	at  time.Duration // since dedupeEpoch
	// byHand says that err is the error of an event captured by hand (see
	// watch), not of a bridge's.
	byHand bool
}

// errorID identifies an error value: its address and its type (a struct
// and its first field share an address).
type errorID struct {
	ptr uintptr
	typ reflect.Type
}

// hubErrors are the errors remembered for one request.
type hubErrors struct {
	ring [dedupePerHub]dedupeEntry
	next int
	last time.Duration // when the newest was remembered
}

// sharedDedupe is the table of every Bridge: a failure logged through one
// logger (a repository's) and again through another (the handler's, on
// another Bridge) in one request is one event.
var sharedDedupe dedupe

type dedupe struct {
	mu        sync.Mutex
	hubs      map[weak.Pointer[sentry.Hub]]*hubErrors // never keeps a hub alive
	lastSweep time.Duration
	// watched are the scopes of hubs found on a request's context that
	// watch gave a processor, so that a hub reported again (one
	// long-lived hub in http.Server.BaseContext) does not get another
	// per request, and a scope layer pushed for a request (WithScope)
	// gets its own; each with the count of reports (watchSeq) at its
	// latest.
	watched  map[weak.Pointer[sentry.Scope]]uint64
	watchSeq uint64
}

// dedupeHub returns the hub under which the errors of a record whose
// context carries ctxHub (nil if none) are remembered: ctxHub, unless it
// is the current or the configured hub, shared by every request; else nil
// (no deduplication).
func (b *Bridge) dedupeHub(ctxHub *sentry.Hub) *sentry.Hub {
	if ctxHub == nil || ctxHub == sentry.CurrentHub() || ctxHub == b.cfg.hub {
		return nil
	}
	return ctxHub
}

// perFailure returns the identity of err when it is made per failure (see
// above): a pointer, to something of a size, that wraps an error or
// carries a stack. An errors.Join is not: lookups stop at one.
func perFailure(err error) (errorID, bool) {
	rv := reflect.ValueOf(err)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem().Size() == 0 {
		return errorID{}, false
	}
	if _, next := guardedUnwrap(err); next == nil && !mayCarryStack(rv.Type()) {
		return errorID{}, false
	}
	return errorID{rv.Pointer(), rv.Type()}, true
}

// chainIDs appends to ids the identities of the errors of err's chain of
// single errors, up to maxDedupeIDs; it stops at an errors.Join.
func chainIDs(ids []errorID, err error) []errorID {
	for range maxDedupeIDs {
		if err == nil || isNilPointer(err) {
			break
		}
		if _, multi := err.(interface{ Unwrap() []error }); multi {
			break
		}
		if id, ok := perFailure(err); ok {
			ids = append(ids, id)
		}
		_, err = guardedUnwrap(err)
	}
	return ids
}

// seen reports whether one of ids, the errors of a record's chain, is the
// error of an event sent on hub within dedupeWindow. It forgets the hub's
// entries whose window is over, and the errors they kept alive; and, once
// a window, every request's whose window is over (as remember does), so an
// error is held about two windows at most while errors are logged.
func (d *dedupe) seen(hub *sentry.Hub, ids []errorID) bool {
	return d.seenOn(weak.Make(hub), ids, false)
}

// seenOn is seen; bridgeOnly counts only the errors of bridges' events.
func (d *dedupe) seenOn(w weak.Pointer[sentry.Hub], ids []errorID, bridgeOnly bool) bool {
	if len(ids) == 0 {
		return false
	}
	now := time.Since(dedupeEpoch)
	since := now - dedupeWindow
	d.lockSwept(now)
	defer d.mu.Unlock()
	h := d.hubs[w]
	if h == nil {
		return false
	}
	found := false
	for i := range h.ring {
		e := &h.ring[i]
		switch {
		case e.err == nil:
		case e.at < since:
			*e = dedupeEntry{}
		case slices.Contains(ids, e.id) && !(bridgeOnly && e.byHand):
			found = true
		}
	}
	return found
}

// remember lists err, the error of an event sent on hub, if it is made per
// failure.
func (d *dedupe) remember(hub *sentry.Hub, err error) {
	d.rememberOn(weak.Make(hub), err, false)
}

// rememberOn is remember; byHand says err is that of an event captured by
// hand.
func (d *dedupe) rememberOn(w weak.Pointer[sentry.Hub], err error, byHand bool) {
	id, ok := perFailure(err)
	if !ok || madeAtInit(err) {
		return
	}
	now := time.Since(dedupeEpoch)
	d.lockSwept(now)
	defer d.mu.Unlock()
	h := d.hubs[w]
	if h == nil {
		if d.hubs == nil {
			d.hubs = make(map[weak.Pointer[sentry.Hub]]*hubErrors)
		}
		if len(d.hubs) >= maxDedupeHubs {
			d.sweep(now, true)
		}
		h = new(hubErrors)
		d.hubs[w] = h
	}
	h.ring[h.next] = dedupeEntry{err: err, id: id, at: now, byHand: byHand}
	h.next = (h.next + 1) % dedupePerHub
	h.last = now
}

// lockSwept locks d, having first, once a window, let go of the errors of
// finished requests (see sweep).
func (d *dedupe) lockSwept(now time.Duration) {
	d.mu.Lock()
	if now-d.lastSweep > dedupeWindow {
		d.sweep(now, false)
	}
}

// sweep forgets the hubs whose newest error is past its window (and those
// whose hub is gone); with room needed and none such, an arbitrary half.
func (d *dedupe) sweep(now time.Duration, room bool) {
	d.lastSweep = now
	for w, h := range d.hubs {
		if h.last < now-dedupeWindow || w.Value() == nil {
			delete(d.hubs, w)
		}
	}
	for w := range d.watched {
		if w.Value() == nil {
			delete(d.watched, w)
		}
	}
	if !room || len(d.hubs) < maxDedupeHubs {
		return
	}
	n := 0
	for w := range d.hubs { // map order: arbitrary
		if n++; n > maxDedupeHubs/2 {
			break
		}
		delete(d.hubs, w)
	}
}

// madeAtInit reports whether err carries a stack (a StackTrace method
// returning program counters, as pkg/errors' errors do) taken while a
// package was initialized (runtime.doInit on it): a sentinel, var
// ErrNotFound = errors.New("not found") with pkg/errors, is one value for
// every failure though it carries a stack, and must not be taken for one
// failure. (A closure defined in a package variable or in func init, named
// pkg.init.func1, makes its errors at run time: its name does not tell.)
func madeAtInit(err error) (atInit bool) {
	defer func() {
		if recover() != nil { // a StackTrace method that panics
			atInit = false
		}
	}()
	m := reflect.ValueOf(err).MethodByName("StackTrace")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return false
	}
	pcs := m.Call(nil)[0]
	if pcs.Kind() != reflect.Slice || pcs.Type().Elem().Kind() != reflect.Uintptr {
		return false
	}
	for i := range min(pcs.Len(), maxInitSearch) {
		// pkg/errors' Frame is the program counter + 1.
		fn := runtime.FuncForPC(uintptr(pcs.Index(i).Uint()) - 1)
		if fn == nil {
			continue
		}
		switch fn.Name() {
		case "runtime.doInit", "runtime.doInit1":
			return true
		case "runtime.main", "runtime.goexit":
			return false // past the program's start: no init below
		}
	}
	return false
}

// maxInitSearch bounds the frames madeAtInit looks at.
const maxInitSearch = 64

// A failure is often logged and also captured by hand, as code written for
// sentry-go's integrations since v0.48 (which send logs, not issues) does:
//
//	logger.ErrorContext(ctx, "charge failed", "err", err)
//	sentry.GetHubFromContext(ctx).CaptureException(err)
//
// Each would be an issue of its own. A trail that breadcrumbs gives a
// request or a job (Middleware, WithTrail) is watched: an event captured
// by hand on it with hint.OriginalException (CaptureException does that)
// is dropped when its error is, or wraps, the error of an event a bridge
// sent on that trail, and its error is remembered otherwise, so that a
// record logged after it gets no event of its own: whichever comes first
// is the failure's one event. The rules are those above (errors made per
// failure, dedupeWindow); fatal events are always kept, and events
// captured by hand never drop one another (sentry-go's own behaviour: the
// same error captured twice, or on another client, on purpose). The
// processor runs after the SDK's sampling, before BeforeSend: a capture by
// hand that BeforeSend then drops still counts as the failure's event.
// Each trail is watched under its own hub: a hub.Clone() of a trail (not
// made with WithTrail) is checked against its parent's failures only.

func init() { trailhook.Set(sharedDedupe.watch) }

// watch adds to the scope of hub, a new trail's, the processor of its
// events: it deduplicates events captured by hand (see above), and gives a
// bridge's event the request of its record when the scope no longer holds
// one (see requestOnScope). A hub that was not made for the trail (fresh
// is false) is watched once while it is reported (see markWatched).
func (d *dedupe) watch(hub *sentry.Hub, fresh bool) {
	scope := hub.Scope()
	if scope == nil {
		return
	}
	w := weak.Make(hub)
	if !fresh && !d.markWatched(weak.Make(scope)) {
		return
	}
	scope.AddEventProcessor(func(ev *sentry.Event, hint *sentry.EventHint) *sentry.Event {
		if ev != nil && ev.Request == nil && hint != nil {
			if r, ok := hint.Data.(fieldRequest); ok {
				ev.Request = r.req
			}
		}
		return d.byHand(w, ev, hint)
	})
}

// fieldRequest is the hint data of a bridge's event whose record has a
// request field, on a trail whose scope held the request (requestOnScope):
// the trail's processor fills the event with it if the scope no longer
// holds one (SetRequest(nil), Clear).
type fieldRequest struct{ req *sentry.Request }

// markWatched records scope w as watched and reports whether it was not
// before. A full table forgets the scopes that are gone, then those not
// reported in the latest maxDedupeHubs/2 reports: the GC, which lets them
// go, may not run for thousands of requests, and a request must not go
// unwatched; a long-lived hub's scope, reported on every request, stays,
// so it never gets a second processor.
func (d *dedupe) markWatched(w weak.Pointer[sentry.Scope]) bool {
	d.lockSwept(time.Since(dedupeEpoch))
	defer d.mu.Unlock()
	d.watchSeq++
	if _, ok := d.watched[w]; ok {
		d.watched[w] = d.watchSeq
		return false
	}
	if d.watched == nil {
		d.watched = make(map[weak.Pointer[sentry.Scope]]uint64)
	}
	if len(d.watched) >= maxDedupeHubs {
		for w, seq := range d.watched {
			if w.Value() == nil || seq+maxDedupeHubs/2 < d.watchSeq {
				delete(d.watched, w)
			}
		}
	}
	d.watched[w] = d.watchSeq
	return true
}

// byHand is the processor of a watched hub w: it returns nil for an event
// captured by hand whose error a bridge reported on w already, and
// otherwise remembers its error and returns it.
func (d *dedupe) byHand(w weak.Pointer[sentry.Hub], ev *sentry.Event, hint *sentry.EventHint) *sentry.Event {
	if ev == nil || hint == nil || hint.OriginalException == nil || ev.Type != "" ||
		ev.Level == sentry.LevelFatal || fromBridge(ev) {
		return ev
	}
	err := hint.OriginalException
	var buf [maxDedupeIDs]errorID
	if d.seenOn(w, chainIDs(buf[:0], err), true) {
		return nil
	}
	d.rememberOn(w, err, true)
	return ev
}

// fromBridge reports whether ev is a Bridge's: the bridge deduplicates its
// own events before capturing them.
func fromBridge(ev *sentry.Event) bool {
	_, ok := ev.Contexts[logContext][severityKey].(int)
	return ok
}
