package redact

import (
	"encoding/binary"
	"strings"
)

// sentryTerms is sentry-go's defaultSensitiveTerms (data_collection_filter.go,
// v0.50.0), verbatim.
var sentryTerms = []string{
	"auth", "bearer", "credentials", "csrf", "identity", "jwt", "key",
	"passwd", "password", "pwd", "saml", "secret", "session", "sid", "sso",
	"token", "xsrf",
}

// extraTerms are the default terms added to Sentry's list. Separators do not
// count ("credit_card" is the term "creditcard").
var extraTerms = []string{
	"api_key", "apikey", "private", "cookie", "authorization", "passphrase",
	"credential", "credit_card", "card_number", "card_num", "cvv", "cvc",
	"ssn", "dsn",
}

// ordinaryWords are words that merely contain a term. An occurrence of a term
// inside one of them does not make a key sensitive. "w" is the word itself or
// its plural w+"s"; "w*" is any word that begins with w (the occurrence must
// lie in that beginning); "*w" is any word that ends with w or w+"s" (the
// occurrence must lie in that ending).
var ordinaryWords = []string{
	// auth
	"*author", "authored", "authoring", "authorship", "*authority",
	"*authorities", "authoritative",
	// key
	"*monkey", "*donkey", "turkey", "hockey", "jockey", "whiskey", "turnkey",
	"lackey", "hotkey", "keyboard*", "keynote*", "keystroke*", "keyword*",
	"keypad*", "keyframe*", "keyspace*", "keystone*", "keyhole*",
	// sid
	"side*", "ssid", "bssid", "essid", "processid", "classid",
	// sso
	"lasso", "espresso",
	// secret
	"secretar*",
	// session
	"obsession", "possession",
	// token
	"tokenizer",
}

// maxKeyBuf bounds the stack buffers SensitiveKey folds a key into; longer
// keys take a heap buffer.
const maxKeyBuf = 256

// shortTerm is the length up to which a term must touch a word's start or end.
const shortTerm = 3

// Byte classes of keys.
const (
	clSep   = iota // anything but the below: splits words
	clLower        // a-z
	clUpper        // A-Z
	clDigit        // 0-9
	clOther        // a byte of a non-ASCII character: a letter without case
)

var charClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clUpper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = clOther
	}
	return t
}()

// letterIndex numbers the bytes terms are made of: 1-26 for a-z, 27-36 for
// 0-9, 37 for the bytes of non-ASCII characters, 0 for the rest.
var letterIndex = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = uint8(c-'a') + 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c-'0') + 27
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = 37
	}
	return t
}()

const nLetters = 38

// Flags of a folded key's bytes.
const (
	fStart = 1 << iota // first byte of a word
	fEnd               // last byte of a word
)

type ordinary struct {
	word           string
	prefix, suffix bool
}

// covers reports whether o accounts for the occurrence [a, e) of a term in
// the word w.
func (o *ordinary) covers(w []byte, a, e int) bool {
	lw := len(o.word)
	switch {
	case o.prefix:
		return len(w) >= lw && string(w[:lw]) == o.word && e <= lw
	case o.suffix:
		if n := len(w) - lw; n >= 0 && a >= n && string(w[n:]) == o.word {
			return true
		}
		n := len(w) - 1 - lw
		return n >= 0 && a >= n && w[len(w)-1] == 's' && string(w[n:len(w)-1]) == o.word
	}
	return string(w) == o.word || len(w) == lw+1 && w[lw] == 's' && string(w[:lw]) == o.word
}

type term struct {
	text       string     // lowercase, separators removed
	head, mask uint32     // text's first (up to) four bytes, little-endian
	excuses    []ordinary // ordinary words that contain text
}

// keyMatcher implements SensitiveKey.
type keyMatcher struct {
	// Terms of two or more bytes, by their first two: buckets[pairs[i]]
	// holds the terms that begin with the letters numbered i/nLetters and
	// i%nLetters (see letterIndex); bucket 0 is empty.
	pairs   [nLetters * nLetters]uint16
	buckets [][]term
	singles [nLetters][]term // one-byte terms (from ExtraKeys)
	nterms  int
	allow   map[string]struct{} // ASCII allow keys, lowercased
	allowNA []string            // allow keys with non-ASCII bytes
}

// normTerm lowercases a term and drops everything but letters and digits.
func normTerm(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; charClass[c] != clSep {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func parseOrdinary(w string) ordinary {
	o := ordinary{word: w}
	if strings.HasSuffix(w, "*") {
		o.word, o.prefix = w[:len(w)-1], true
	} else if strings.HasPrefix(w, "*") {
		o.word, o.suffix = w[1:], true
	}
	return o
}

func newKeyMatcher(c *Config) *keyMatcher {
	m := &keyMatcher{buckets: [][]term{nil}}
	var terms []string
	if !c.DisableDefaults {
		terms = append(append(terms, sentryTerms...), extraTerms...)
	}
	terms = append(terms, c.ExtraKeys...)
	seen := map[string]bool{}
	ords := make([]ordinary, len(ordinaryWords))
	for i, w := range ordinaryWords {
		ords[i] = parseOrdinary(w)
	}
	for _, t := range terms {
		t = normTerm(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		tm := term{text: t}
		for i := 0; i < 4 && i < len(t); i++ {
			tm.head |= uint32(t[i]) << (8 * i)
			tm.mask |= 0xff << (8 * i)
		}
		for _, o := range ords {
			if strings.Contains(o.word, t) && o.word != t && o.word != t+"s" {
				tm.excuses = append(tm.excuses, o)
			}
		}
		m.nterms++
		if len(t) == 1 {
			m.singles[letterIndex[t[0]]] = append(m.singles[letterIndex[t[0]]], tm)
			continue
		}
		pi := int(letterIndex[t[0]])*nLetters + int(letterIndex[t[1]])
		if m.pairs[pi] == 0 {
			m.buckets = append(m.buckets, nil)
			m.pairs[pi] = uint16(len(m.buckets) - 1)
		}
		m.buckets[m.pairs[pi]] = append(m.buckets[m.pairs[pi]], tm)
	}
	for _, k := range c.AllowKeys {
		if isASCII(k) {
			if m.allow == nil {
				m.allow = map[string]struct{}{}
			}
			m.allow[strings.ToLower(k)] = struct{}{}
		} else {
			m.allowNA = append(m.allowNA, k)
		}
	}
	return m
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// allowed reports whether key is on the allow list. It does not allocate.
func (m *keyMatcher) allowed(key string) bool {
	if m.allow != nil && len(key) <= maxKeyBuf {
		var lb [maxKeyBuf]byte
		ascii := true
		for i := 0; i < len(key); i++ {
			c := key[i]
			if c >= 0x80 {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lb[i] = c
		}
		if ascii {
			if _, ok := m.allow[string(lb[:len(key)])]; ok {
				return true
			}
		}
	}
	if m.allow != nil && len(key) > maxKeyBuf {
		for a := range m.allow {
			if strings.EqualFold(a, key) {
				return true
			}
		}
	}
	for _, a := range m.allowNA {
		if strings.EqualFold(a, key) {
			return true
		}
	}
	return false
}

// sensitive implements Redactor.SensitiveKey.
func (m *keyMatcher) sensitive(key string) bool {
	if m.nterms == 0 || key == "" {
		return false
	}
	if (m.allow != nil || m.allowNA != nil) && m.allowed(key) {
		return false
	}
	if len(key) <= smallKey {
		return m.sensitiveSmall(key)
	}
	// buf has 3 spare bytes, so that match can load 4 bytes at any p < n.
	var bufA [maxKeyBuf + 3]byte
	var flA [maxKeyBuf]uint8
	buf, fl := bufA[:], flA[:]
	if len(key) > maxKeyBuf {
		buf, fl = make([]byte, len(key)+3), make([]uint8, len(key))
	}
	n := fold(key, buf, fl)
	return m.match(buf, fl[:n])
}

// smallKey is the key length up to which sensitiveSmall's smaller buffers,
// cheaper to clear, do.
const smallKey = 48

func (m *keyMatcher) sensitiveSmall(key string) bool {
	var buf [smallKey + 3]byte
	var fl [smallKey]uint8
	n := fold(key, buf[:], fl[:])
	return m.match(buf[:], fl[:n])
}

// fold writes the letters and digits of key to buf, ASCII-lowercased, and
// marks the words' first and last bytes in fl. Words are split at every
// other byte and at camelCase boundaries: before an upper-case letter that
// follows a lower-case letter or digit ("apiKey"), and before the last of
// a run of upper-case letters followed by a lower-case one ("APIKey").
func fold(key string, buf []byte, fl []uint8) int {
	n := 0
	prev, prev2 := uint8(clSep), uint8(clSep)
	for i := 0; i < len(key); i++ {
		c := key[i]
		cl := charClass[c]
		if cl == clSep {
			if n > 0 {
				fl[n-1] |= fEnd
			}
			prev, prev2 = clSep, clSep
			continue
		}
		start := prev == clSep
		switch {
		case cl == clUpper && (prev == clLower || prev == clDigit):
			start = true
		case cl == clLower && prev == clUpper && prev2 == clUpper:
			fl[n-1] |= fStart
			fl[n-2] |= fEnd
		}
		if start {
			if n > 0 {
				fl[n-1] |= fEnd
			}
			fl[n] = fStart
		} else {
			fl[n] = 0
		}
		if cl == clUpper {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
		prev2, prev = prev, cl
	}
	if n > 0 {
		fl[n-1] |= fEnd
	}
	return n
}

// match looks for the terms in the folded key buf[:len(fl)]; buf has at
// least 3 more bytes.
func (m *keyMatcher) match(buf []byte, fl []uint8) bool {
	n := len(fl)
	for p := 0; p < n; p++ {
		l1 := letterIndex[buf[p]]
		if l1 == 0 {
			continue
		}
		if ts := m.singles[l1]; ts != nil {
			for i := range ts {
				if counts(&ts[i], buf[:n], fl, p, p+1) {
					return true
				}
			}
		}
		// buf[p+1] is 0 (letter 0) at p == n-1.
		bi := m.pairs[int(l1)*nLetters+int(letterIndex[buf[p+1]])]
		if bi == 0 {
			continue
		}
		ts := m.buckets[bi]
		w := binary.LittleEndian.Uint32(buf[p:])
		for i := range ts {
			t := &ts[i]
			if w&t.mask != t.head {
				continue
			}
			e := p + len(t.text)
			if e > n || len(t.text) > 4 && string(buf[p+4:e]) != t.text[4:] {
				continue
			}
			if counts(t, buf[:n], fl, p, e) {
				return true
			}
		}
	}
	return false
}

// counts applies the word rules to the occurrence [a, e) of t.
func counts(t *term, buf []byte, fl []uint8, a, e int) bool {
	ws := a
	for fl[ws]&fStart == 0 {
		ws--
	}
	lastWs := e - 1
	for fl[lastWs]&fStart == 0 {
		lastWs--
	}
	// endsWord: the occurrence ends its word, or is followed by a final "s".
	endsWord := fl[e-1]&fEnd != 0 ||
		e < len(buf) && buf[e] == 's' && fl[e]&fStart == 0 && fl[e]&fEnd != 0
	if lastWs != ws {
		// Across words: only whole words ("Pass_Word", "CardNumber").
		return a == ws && endsWord
	}
	atStart := a == ws
	if atStart && endsWord {
		return true // the word is the term or its plural
	}
	if len(t.text) <= shortTerm && !atStart && !endsWord {
		return false // "consider", "president"
	}
	we := e - 1
	for fl[we]&fEnd == 0 {
		we++
	}
	w := buf[ws : we+1]
	for i := range t.excuses {
		if t.excuses[i].covers(w, a-ws, e-ws) {
			return false
		}
	}
	return true
}
