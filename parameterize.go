package logsentry

import (
	"hash/maphash"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The default fingerprint groups records by their message, and most Go
// messages are rendered before a logger sees them (logrus Errorf, zerolog
// Msgf, zap's sugared Errorf, slog with fmt.Sprintf): "charge 4821 failed"
// and "charge 4822 failed" must be one Sentry issue and share one rate-limit
// bucket, not one each. Sentry's server parameterizes a message it groups by
// (src/sentry/grouping/parameterization.py), but a fingerprint the SDK sends
// is taken verbatim, so the default fingerprint is parameterized here, with
// Sentry's placeholder names. The event's message itself is left as logged.
//
// What is replaced, each only as a whole word (a run of letters, digits and
// '_' is never entered: "user42", "v2" and "utf8" stay):
//
//	<url>         scheme://... up to the next space
//	<email>       local@domain
//	<uuid>        8-4-4-4-12 hex digits
//	<ip>          IPv4 (each part 0..255) and IPv6 addresses; a port stays :<int>
//	<date>        2006-01-02, with an optional time ("T" or " "), fraction and
//	              zone; a time of day 15:04 or 15:04:05(.000)
//	<duration>    Go durations: 150ms, 1.5s, 2h45m0s, 3µs
//	<hex>         0x-prefixed hex; 8 or more hex digits of one case with a
//	              digit among them; 7 lowercase with a digit and a letter (a
//	              short git sha)
//	<float>       1.5, -0.25, 1e-05, 6.02e+23
//	<int>         -12, 4821, 18446744073709551615
//	<quoted_str>  a quoted value right after '=': id="a-b c"
//	<bool>        true/false/True/False right after '='
//
// Beyond Sentry's patterns, a word that ends in 5 or more digits after a
// name keeps the name: "upload3829475612" (os.CreateTemp), "ORD00042",
// "job_123456" become "upload<int>", "ORD<int>", "job_<int>" ("utf16",
// "sha256", "x86_64" stay).
//
// Host names are not replaced: their set is small in a service and they
// often tell issues apart (the payment provider's host from the database's).

// minSuffixDigits is the number of digits at the end of a word from which
// they are an id (see above).
const minSuffixDigits = 5

// maxParameterize bounds the bytes of a message that are parameterized: an
// event keeps maxEventMessage bytes of its message and its fingerprint much
// less, so the scan of a huge message stops at the same place.
const maxParameterize = maxEventMessage

// groupText returns s as the default fingerprint and the rate-limit key
// carry it: parameterized and cut to maxFingerprintPart bytes of JSON.
func groupText(s string) string {
	if len(s) > maxParameterize {
		s = s[:runeStart(s, maxParameterize)]
	}
	// The cut keeps at most maxFingerprintPart bytes: what parameterizing
	// would make past them is cut anyway, so it stops there. The cut
	// leaves room for the mark, which boundFingerprint then leaves whole.
	return truncateJSON(parameterize(s, maxFingerprintPart), maxGroupText)
}

// maxGroupText is the JSON size of a groupText without its mark.
var maxGroupText = maxFingerprintPart - (jsonStringLen(truncatedMark) - 2)

// parameterize returns s with its variable parts replaced by placeholders
// (see above), or, with limit > 0, at least its first limit bytes so. It
// allocates only when it replaces something.
func parameterize(s string, limit int) string {
	if _, changed := appendParameterized(nil, s, true, limit); !changed {
		return s
	}
	n := len(s)
	if limit > 0 {
		n = min(n, limit)
	}
	b, _ := appendParameterized(make([]byte, 0, n+16), s, false, limit)
	return string(b)
}

// writeGroupKey writes groupText(s) to h, parameterizing into a buffer on
// the stack: a refused record costs no allocation unless its message is
// long.
func writeGroupKey(h *maphash.Hash, s string) {
	var buf [512]byte
	if len(s) <= maxFingerprintPart {
		b, _ := appendParameterized(buf[:0], s, false, 0)
		if jsonLen(b)-2 <= maxGroupText { // as groupText: not cut
			h.Write(b)
			h.WriteByte(0) // as writeKeyPart
			return
		}
	}
	writeKeyPart(h, groupText(s))
}

// appendParameterized appends parameterize(s) to dst and reports whether
// it replaced anything. With probe set it stops at the first replacement
// and appends nothing. With limit > 0 it stops once it made limit bytes.
func appendParameterized(dst []byte, s string, probe bool, limit int) ([]byte, bool) {
	last := 0 // s[last:i] is not appended yet
	var sk skips
	base := len(dst)
	for i := 0; i < len(s); {
		if limit > 0 && len(dst)-base+i-last >= limit {
			if probe {
				return dst, last > 0
			}
			return append(dst, s[last:i]...), last > 0
		}
		n, ph := 0, ""
		switch c := s[i]; {
		case c >= 0x80 && c < 0xC0:
			i++ // the rest of a multi-byte character
			continue
		case wordAt(s, i):
			if wordBefore(s, i) {
				i++ // inside a word: never entered
				continue
			}
			n, ph = sk.matchWord(s, i)
			if n == 0 && i >= sk.email {
				var end int
				if n, end = matchEmail(s, i); n > 0 {
					ph = "<email>"
				} else {
					sk.email = end
				}
			}
			if n == 0 {
				end := wordEnd(s, i)
				d := 0 // trailing digits
				for end-d > i && isDigit(s[end-d-1]) {
					d++
				}
				if d < minSuffixDigits || end-d == i {
					i = end // skip the whole word
					continue
				}
				// An id glued to a name: "upload3829475612" (os.CreateTemp),
				// "ORD00042", "job_123456".
				i, n, ph = end-d, d, "<int>"
			}
		case c == '-' && !wordBefore(s, i) && i+1 < len(s) && isDigit(s[i+1]):
			if n, ph = matchNumber(s, i+1); n > 0 {
				n++
			}
		case c == ':' && i+1 < len(s) && s[i+1] == ':' && !wordBefore(s, i) && (i == 0 || s[i-1] != ':'):
			if n = sk.matchIPv6(s, i); n > 0 {
				ph = "<ip>"
			}
		case (c == '"' || c == '\'') && i > 0 && s[i-1] == '=':
			if n = matchQuoted(s, i); n > 0 {
				ph = "<quoted_str>"
			}
		}
		if n == 0 {
			i++
			continue
		}
		if probe {
			return dst, true
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, ph...)
		i += n
		last = i
	}
	if probe {
		return dst, false
	}
	return append(dst, s[last:]...), last > 0
}

// skips holds, for the patterns whose scan may run past the word it starts
// in, the index before which none of them can start: where a failed scan
// ended. A scan that starts at each word of "a.a.a..." or "a:a:a..." then
// stays linear.
type skips struct{ email, url, ip6 int }

func (sk *skips) matchURL(s string, i int) int {
	if i < sk.url {
		return 0
	}
	n, end := matchURL(s, i)
	if n == 0 {
		sk.url = end
	}
	return n
}

func (sk *skips) matchIPv6(s string, i int) int {
	if i < sk.ip6 {
		return 0
	}
	n, end := matchIPv6(s, i)
	if n == 0 {
		sk.ip6 = end
	}
	return n
}

// matchWord matches the placeholders that start a word at s[i]: it returns
// the length matched and the placeholder, or 0.
func (sk *skips) matchWord(s string, i int) (int, string) {
	if n := sk.matchURL(s, i); n > 0 {
		return n, "<url>"
	}
	if !isHexDigit(s[i]) { // none of the others starts so
		return matchBool(s, i)
	}
	if n := matchUUID(s, i); n > 0 {
		return n, "<uuid>"
	}
	if n := matchIPv4(s, i); n > 0 {
		return n, "<ip>"
	}
	if n := sk.matchIPv6(s, i); n > 0 {
		return n, "<ip>"
	}
	if n := matchDate(s, i); n > 0 {
		return n, "<date>"
	}
	if n := matchHex(s, i); n > 0 {
		return n, "<hex>"
	}
	if n, ph := matchNumber(s, i); n > 0 {
		return n, ph
	}
	return matchBool(s, i)
}

// matchBool matches true, false, True or False right after '='.
func matchBool(s string, i int) (int, string) {
	if i > 0 && s[i-1] == '=' {
		for _, w := range [...]string{"true", "false", "True", "False"} {
			if strings.HasPrefix(s[i:], w) && wordBoundary(s, i+len(w)) {
				return len(w), "<bool>"
			}
		}
	}
	return 0, ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isWordRune reports whether r belongs to a word: a letter, a digit, a
// combining mark or '_' (so "é1" is one word and "3…" is not).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isLetter(c) || isDigit(c) || c == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// wordAt reports whether the character at s[i] belongs to a word.
func wordAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return isWordRune(rune(c)) // without decoding: most bytes are ASCII
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

// wordBefore reports whether the character before s[i] belongs to a word.
func wordBefore(s string, i int) bool {
	if i > 0 && s[i-1] < utf8.RuneSelf {
		return wordAt(s, i-1)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i]) // RuneError, no word, at 0
	return isWordRune(r)
}

// wordBoundary reports whether a word cannot go on at s[j].
func wordBoundary(s string, j int) bool { return j >= len(s) || !wordAt(s, j) }

func wordEnd(s string, i int) int {
	for i < len(s) && wordAt(s, i) {
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return i
}

// digits returns the number of decimal digits at s[i:].
func digits(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

// maxScheme bounds the scheme of a URL ("postgresql+asyncpg").
const maxScheme = 32

// matchURL matches scheme://... up to the next space. When it fails it also
// returns where its scan ended: no URL starts before that index.
func matchURL(s string, i int) (n, end int) {
	j := i
	for j < len(s) && j-i <= maxScheme && (isLetter(s[j]) || j > i && (isDigit(s[j]) || s[j] == '+' || s[j] == '.' || s[j] == '-')) {
		j++
	}
	if j == i || !strings.HasPrefix(s[j:], "://") || j+3 >= len(s) || isSpace(s[j+3]) {
		return 0, max(j, i+1)
	}
	j += 3
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return j - i, j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isEmailLocal(c byte) bool {
	// Sentry's set without '/' and '=': "pkg/mod@v1.2.3" and
	// "owner=alice@example.com" are a module version and a key.
	return isLetter(c) || isDigit(c) || strings.IndexByte(".!#$%&'*+?^_`{|}~-", c) >= 0
}

// matchEmail matches local@domain. When it fails it also returns where the
// local part it scanned ended: no address starts before that index.
func matchEmail(s string, i int) (n, end int) {
	j := i
	for j < len(s) && j-i <= 64 && isEmailLocal(s[j]) { // RFC 5321: 64 at most
		j++
	}
	if j == i || j >= len(s) || s[j] != '@' {
		return 0, j
	}
	k, label, alpha := j+1, 0, false // alpha: the last label starts with a letter
	for k < len(s) {
		switch c := s[k]; {
		case isLetter(c) || isDigit(c) || c == '-':
			if label == 0 {
				alpha = isLetter(c)
			}
			label++
		case c == '.' && label > 0 && k+1 < len(s) && (isLetter(s[k+1]) || isDigit(s[k+1]) || s[k+1] == '-'):
			label = 0
		default:
			goto done
		}
		k++
	}
done:
	if label == 0 || !alpha || !wordBoundary(s, k) { // "a@v1.2.3" is a version
		return 0, j + 1
	}
	return k - i, k
}

// matchUUID matches 8-4-4-4-12 hex digits ending a word.
func matchUUID(s string, i int) int {
	const n = 36
	if len(s)-i < n || !wordBoundary(s, i+n) {
		return 0
	}
	for k := range n {
		c := s[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return 0
			}
		default:
			if !isHexDigit(c) {
				return 0
			}
		}
	}
	return n
}

// matchIPv4 matches four decimal parts of 0..255 joined by dots, not
// followed by a letter, a digit or another dotted part.
func matchIPv4(s string, i int) int {
	j := i
	for part := range 4 {
		if part > 0 {
			if j >= len(s) || s[j] != '.' {
				return 0
			}
			j++
		}
		d := digits(s, j)
		if d == 0 || d > 3 || d > 1 && s[j] == '0' || d == 3 && s[j:j+3] > "255" {
			return 0
		}
		j += d
	}
	if !wordBoundary(s, j) || j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		return 0
	}
	return j - i
}

// maxIPv6 is the length of the longest IPv6 address
// ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"): a longer run is none,
// and the scan of "a:a:a:..." from each of its words stays linear.
const maxIPv6 = 45

// matchIPv6 matches an IPv6 address (with at least two colons) that
// netip parses, ending a word; a trailing colon is not taken. When it fails
// it also returns where its scan ended: no address is looked for before
// that index (one in the middle of a longer run of hex digits and colons
// is missed).
func matchIPv6(s string, i int) (n, end int) {
	j, colons, hex := i, 0, false
	for j < len(s) && j-i <= maxIPv6 && (isHexDigit(s[j]) || s[j] == ':' || s[j] == '.') {
		if s[j] == ':' {
			colons++
		} else {
			hex = true
		}
		j++
	}
	end = max(j, i+1)
	if colons < 2 || !hex || !wordBoundary(s, j) { // "::" alone is no address in a message
		return 0, end
	}
	for range 2 { // "fe80::1:" ends a sentence with a colon
		if a, err := netip.ParseAddr(s[i:j]); err == nil && a.Is6() {
			return j - i, 0
		}
		if c := s[j-1]; c != ':' && c != '.' {
			break
		}
		j--
	}
	return 0, end
}

// matchDate matches 2006-01-02 with an optional time, fraction and zone, or
// a time of day alone.
func matchDate(s string, i int) int {
	j := i
	if digits(s, j) == 4 && j+10 <= len(s) && s[j+4] == '-' && digits(s, j+5) == 2 && s[j+7] == '-' && digits(s, j+8) == 2 {
		j += 10
		if j+1 < len(s) && (s[j] == 'T' || s[j] == ' ') {
			if n := matchClock(s, j+1); n > 0 {
				j += 1 + n
				j += matchZone(s, j)
			}
		}
	} else if n := matchClock(s, j); n > 0 {
		j += n
		// time.Kitchen and alike: "3:04PM", "3:04 pm".
		k := j
		if k < len(s) && s[k] == ' ' {
			k++
		}
		if k+2 <= len(s) && strings.IndexByte("AaPp", s[k]) >= 0 && (s[k+1] == 'M' || s[k+1] == 'm') && wordBoundary(s, k+2) {
			j = k + 2
		}
	} else {
		return 0
	}
	if !wordBoundary(s, j) {
		return 0
	}
	return j - i
}

// matchClock matches h:mm, hh:mm, or either with :ss and an optional
// fraction, not followed by another digit or colon.
func matchClock(s string, i int) int {
	h := digits(s, i)
	if h == 0 || h > 2 || i+h+3 > len(s) || s[i+h] != ':' || digits(s, i+h+1) != 2 || s[i+h+1] > '5' {
		return 0
	}
	j := i + h + 3
	if j+3 <= len(s) && s[j] == ':' && digits(s, j+1) == 2 && s[j+1] <= '5' {
		j += 3
		if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
			j += 1 + digits(s, j+1)
		}
	}
	if j < len(s) && (isDigit(s[j]) || s[j] == ':') {
		return 0
	}
	return j - i
}

// matchZone matches the zone after a date's time: Z, or ±hh:mm or ±hhmm
// with an optional space before it, then an optional " MST".
func matchZone(s string, i int) int {
	if i < len(s) && s[i] == 'Z' {
		return 1
	}
	j := i
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j] != '+' && s[j] != '-' || digits(s, j+1) < 2 {
		return 0
	}
	switch d := digits(s, j+1); {
	case d == 4:
		j += 5
	case d == 2 && j+5 < len(s) && s[j+3] == ':' && digits(s, j+4) == 2:
		j += 6
	default:
		return 0
	}
	if j+1 < len(s) && s[j] == ' ' {
		k := j + 1
		for k < len(s) && k-j <= 5 && ('A' <= s[k] && s[k] <= 'Z') {
			k++
		}
		if k-j >= 3 && wordBoundary(s, k) { // " UTC", " CEST"
			j = k
		}
	}
	return j - i
}

// matchHex matches 0x-prefixed hex, or a word of hex digits that looks like
// an id: 8 or more of one case with a digit among them, or 7 lowercase
// mixing digits and letters.
func matchHex(s string, i int) int {
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if j > i+2 && wordBoundary(s, j) {
			return j - i
		}
		return 0
	}
	j, hasDigit, lower, upper := i, false, false, false
	for j < len(s) && isHexDigit(s[j]) {
		switch c := s[j]; {
		case isDigit(c):
			hasDigit = true
		case c >= 'a':
			lower = true
		default:
			upper = true
		}
		j++
	}
	n := j - i
	switch {
	case !wordBoundary(s, j) || !hasDigit || lower && upper:
		return 0
	case n >= 8 && (lower || upper), n == 7 && lower:
		return n
	}
	return 0 // digits only: a number
}

// matchNumber matches an integer, a float or a Go duration that ends a
// word: it returns the length and the placeholder.
func matchNumber(s string, i int) (int, string) {
	j := i + digits(s, i)
	if j == i {
		return 0, ""
	}
	ph := "<int>"
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j += 1 + digits(s, j+1)
		ph = "<float>"
	}
	if j+1 < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if s[k] == '+' || s[k] == '-' {
			k++
		}
		if d := digits(s, k); d > 0 && wordBoundary(s, k+d) {
			return k + d - i, "<float>"
		}
	}
	if n := matchDurationUnits(s, i, j); n > 0 {
		return n, "<duration>"
	}
	if !wordBoundary(s, j) {
		return 0, ""
	}
	return j - i, ph
}

// durationUnits are time.Duration's units, longest first where one is a
// prefix of another.
var durationUnits = [...]string{"ns", "us", "µs", "μs", "ms", "s", "m", "h"}

// matchDurationUnits matches a Go duration whose first number is s[i:j]:
// "1.5s", "150ms", "2h45m0s". It returns the length from i, or 0.
func matchDurationUnits(s string, i, j int) int {
	for {
		unit := 0
		for _, u := range durationUnits {
			if strings.HasPrefix(s[j:], u) {
				unit = len(u)
				break
			}
		}
		if unit == 0 {
			return 0
		}
		j += unit
		if wordBoundary(s, j) && !(j+1 < len(s) && s[j] == '.' && isDigit(s[j+1])) {
			return j - i
		}
		// Another number and unit must follow: "2h45m0s".
		d := digits(s, j)
		if d == 0 {
			return 0
		}
		j += d
		if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
			j += 1 + digits(s, j+1)
		}
	}
}

// matchQuoted matches a quoted value starting at the quote s[i]: "..." with
// Go's backslash escapes, or '...'. An empty or unterminated one does not
// match.
func matchQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q == '"' {
				j++
			}
		case q:
			if j == i+1 {
				return 0
			}
			return j + 1 - i
		}
	}
	return 0
}
