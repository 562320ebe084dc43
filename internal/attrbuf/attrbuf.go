// Package attrbuf recycles the []slog.Attr slices that adapters build for
// each record: logsentry.Bridge.Emit retains neither a Record's Attrs nor
// what they reference, so the slice is free again once Emit returns.
package attrbuf

import (
	"log/slog"
	"sync"
)

// maxPooled is the capacity above which a slice is left to the garbage
// collector rather than kept for reuse.
const maxPooled = 64

var pool = sync.Pool{New: func() any { return new([]slog.Attr) }}

// Get returns a holder of an empty slice to append a record's attrs to.
// Give it back with [Put] once the record is emitted.
func Get() *[]slog.Attr {
	buf := pool.Get().(*[]slog.Attr)
	*buf = (*buf)[:0]
	return buf
}

// Put returns attrs, the slice grown from (*buf)[:0], to the pool, cleared
// so that the pool holds on to no value of the record. Slices grown past
// the bound are dropped.
func Put(buf *[]slog.Attr, attrs []slog.Attr) {
	if cap(attrs) > maxPooled {
		return
	}
	clear(attrs)
	*buf = attrs[:0]
	pool.Put(buf)
}
