package logsentry

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"
)

// keyCache remembers, for the field keys seen most recently, what every
// record needs to know of them: the key made valid and bounded (cleanKey)
// and whether redaction hides its value. Programs log the same few hundred
// keys over and over; matching a key against the sensitive-key corpus costs
// more than the rest of a field's conversion, so it is done once per key,
// not once per record.
//
// It is a direct-mapped table of immutable entries: a lookup is one hash,
// one atomic load and one string comparison; a miss computes the answer and
// replaces the slot's entry. Collisions only cost a recomputation, and an
// unbounded stream of distinct keys churns the table without growing it.
type keyCache struct {
	seed  maphash.Seed
	slots [keyCacheSlots]atomic.Pointer[keyInfo]
}

// keyCacheSlots is the number of entries (a power of two); maxCachedKey is
// the longest key cached: longer keys are rare and computed each time.
const (
	keyCacheSlots = 1024
	maxCachedKey  = 64
)

// keyInfo is the cached answer for one raw key.
type keyInfo struct {
	raw       string // owned copy: the caller's key may alias a reused buffer
	clean     string
	sensitive bool
}

// key returns k made valid and bounded (see cleanKey) and redacted as text
// (a key built from input, "password=hunter2", would carry its secret as a
// map key does), and whether it is a sensitive key whose value is redacted.
func (b *Bridge) key(k string) (clean string, sensitive bool) {
	if len(k) > maxCachedKey {
		return b.cleanKey(k)
	}
	c := &b.keys
	slot := &c.slots[maphash.String(c.seed, k)&(keyCacheSlots-1)]
	if e := slot.Load(); e != nil && e.raw == k {
		return e.clean, e.sensitive
	}
	raw := strings.Clone(k)
	clean, sensitive = b.cleanKey(raw)
	slot.Store(&keyInfo{raw: raw, clean: clean, sensitive: sensitive})
	return clean, sensitive
}

// cleanKey is key without the cache. The key is redacted as a value is,
// before the cut (see str: a secret across it would lose what its pattern
// needs); see redactKey for keys that are numbers.
func (b *Bridge) cleanKey(raw string) (clean string, sensitive bool) {
	clean = cleanKey(raw)
	sensitive = b.sensitiveRaw(raw, clean)
	if red := b.redactKey(raw); red != raw {
		clean = cleanKey(red)
	}
	return clean, sensitive
}

// redactKey is str for a key (a field's or a map's). A key that is a
// number the redactor takes for a card number keeps its last 4 digits, as
// payment systems show a card ("[Filtered]3809"): ids (IMEIs, order
// numbers) may pass a card number's check, and keys all made one
// "[Filtered]" would overwrite one another's values.
func (b *Bridge) redactKey(k string) string {
	red := b.str(k)
	if red == k || !numberKey(k) {
		return red
	}
	digits := make([]byte, 0, 4)
	for i := len(k) - 1; i >= 0 && len(digits) < 4; i-- {
		if c := k[i]; '0' <= c && c <= '9' {
			digits = append(digits, c)
		}
	}
	slices.Reverse(digits)
	return filtered + string(digits)
}

// numberKey reports whether k is made of digits, and spaces or dashes
// between them, only.
func numberKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('0' <= c && c <= '9') && c != ' ' && c != '-' {
			return false
		}
	}
	return k != ""
}

// sensitiveRaw reports whether a key is sensitive in its raw form or in its
// cleaned one: cleaning cuts a key past maxKeyBytes, and a sensitive word
// past the cut ("aaaa…_password") must still hide the value.
func (b *Bridge) sensitiveRaw(raw, clean string) bool {
	return b.redactor.SensitiveKey(clean) || raw != clean && b.redactor.SensitiveKey(raw)
}
