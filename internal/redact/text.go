package redact

import (
	"regexp"
	"sort"
	"strings"
)

// Kinds of secret the prefilter saw a hint of; String runs only their
// detectors.
const (
	kindKV    = 1 << iota // key=value, key: value, --key value
	kindURL               // URL with userinfo, webhook URL
	kindJWT               // eyJ...
	kindPEM               // -----BEGIN
	kindToken             // vendor token prefixes
	kindAuth              // Bearer / Basic
	kindCard              // 13+ digits
)

// Prefilter byte classes.
const (
	tNone  = iota
	tSep   // = :
	tJ     // J (eyJ)
	tDash  // - (PEM, xox?-, glpat-, sk-, --flag)
	tUnder // _ (gh?_, github_pat_, sk_, rk_, npm_, hf_)
	tA     // A (AKIA, ASIA, ABIA, ACCA, AIza)
	tB     // B b (Bearer, Basic)
	tDigit // 0-9
)

// triggersAll: every detector; triggersKV: key-based detectors only
// (DisableDefaults).
var triggersAll, triggersKV = func() (all, kv [256]uint8) {
	all['='], all[':'], all['-'] = tSep, tSep, tDash
	kv = all
	all['J'], all['_'], all['A'], all['B'], all['b'] = tJ, tUnder, tA, tB, tB
	for c := '0'; c <= '9'; c++ {
		all[c] = tDigit
	}
	return all, kv
}()

var (
	pemRe = regexp.MustCompile(`-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)`)
	jwtRe = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)?`)
	// tokenRe: vendor tokens with a distinctive prefix. The prefilter must
	// see each alternative's hint (see scan).
	tokenRe = regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b` + // AWS access key id
		`|gh[pousr]_[A-Za-z0-9]{30,255}` + // GitHub
		`|github_pat_[A-Za-z0-9_]{22,255}` +
		`|xox[abposre]-[A-Za-z0-9\-]{10,}` + // Slack
		`|xapp-[0-9]-[A-Za-z0-9\-]{10,}` +
		`|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}` + // Stripe
		`|AIza[0-9A-Za-z_\-]{35}` + // Google API key
		`|glpat-[A-Za-z0-9_\-]{20,}` + // GitLab
		`|\bnpm_[A-Za-z0-9]{36}\b` + // npm
		`|\bhf_[A-Za-z]{34}\b` + // Hugging Face
		`|\bsk-(?:(?:proj|ant|svcacct|admin)-)?[A-Za-z0-9_\-]{32,}`) // OpenAI, Anthropic
)

// scan is the prefilter: one pass over s that notes which kinds of secret s
// may hold. Most bytes cost one table look-up.
func (r *Redactor) scan(s string) (kinds uint) {
	trig := r.triggers
	for i := 0; i < len(s); i++ {
		t := trig[s[i]]
		if t == tNone {
			continue
		}
		switch t {
		case tSep:
			if s[i] == ':' && strings.HasPrefix(s[i+1:], "//") {
				if r.defaults && urlHint(s, i+3) {
					kinds |= kindURL
				}
				continue
			}
			if kinds&kindKV == 0 {
				if _, _, ok := r.kvAt(s, i); ok {
					kinds |= kindKV
				}
			}
		case tJ:
			if i >= 2 && s[i-2] == 'e' && s[i-1] == 'y' {
				kinds |= kindJWT
			}
		case tDash:
			if i+1 < len(s) && s[i+1] == '-' {
				if r.defaults && strings.HasPrefix(s[i:], "-----BEGIN") {
					kinds |= kindPEM
				}
				if kinds&kindKV == 0 && (i == 0 || isSpace(s[i-1])) {
					if _, _, ok := r.flagAt(s, i); ok {
						kinds |= kindKV
					}
				}
				continue
			}
			if r.defaults && (i >= 4 && (s[i-4:i-1] == "xox" || s[i-4:i] == "xapp") ||
				i >= 5 && s[i-5:i] == "glpat" || i >= 2 && s[i-2:i] == "sk") {
				kinds |= kindToken
			}
		case tUnder:
			if i >= 3 && s[i-3] == 'g' && s[i-2] == 'h' || i >= 6 && s[i-6:i] == "github" ||
				i >= 2 && s[i-1] == 'k' && (s[i-2] == 's' || s[i-2] == 'r') ||
				i >= 3 && s[i-3:i] == "npm" || i >= 2 && s[i-2:i] == "hf" {
				kinds |= kindToken
			}
		case tA:
			if i+4 <= len(s) {
				switch s[i+1 : i+4] {
				case "KIA", "SIA", "BIA", "CCA", "Iza":
					kinds |= kindToken
				}
			}
		case tB:
			if kinds&kindAuth == 0 {
				if _, _, ok := authAt(s, i); ok {
					kinds |= kindAuth
				}
			}
		case tDigit:
			j, digits := i, 0
			for j < len(s) {
				if c := s[j]; '0' <= c && c <= '9' {
					digits++
				} else if !(c == ' ' || c == '-') || j+1 == len(s) || s[j+1] < '0' || s[j+1] > '9' {
					break
				}
				j++
			}
			if digits >= 13 {
				kinds |= kindCard
			}
			i = j - 1
		}
	}
	return kinds
}

// redactOnce finds the secrets in s and replaces them.
func (r *Redactor) redactOnce(s string, kinds uint) string {
	var spans []span
	if kinds&kindKV != 0 {
		spans = r.kvSpans(s, spans)
	}
	if kinds&kindURL != 0 {
		spans = urlSpans(s, spans)
	}
	if kinds&kindPEM != 0 {
		spans = reSpans(pemRe, s, spans)
	}
	if kinds&kindJWT != 0 {
		spans = reSpans(jwtRe, s, spans)
	}
	if kinds&kindToken != 0 {
		spans = reSpans(tokenRe, s, spans)
	}
	if kinds&kindAuth != 0 {
		spans = authSpans(s, spans)
	}
	if kinds&kindCard != 0 {
		spans = cardSpans(s, spans)
	}
	for i := range r.patterns {
		p := &r.patterns[i]
		if p.prefix == "" || strings.Contains(s, p.prefix) {
			spans = reSpans(p.re, s, spans)
		}
	}
	return apply(s, spans)
}

type span struct{ start, end int }

func reSpans(re *regexp.Regexp, s string, spans []span) []span {
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[1] > m[0] {
			spans = append(spans, span{m[0], m[1]})
		}
	}
	return spans
}

// apply replaces spans of s with Filtered. A span inside an existing
// Filtered is dropped and one overlapping it is widened to cover it, so that
// applying again changes nothing; merged spans that hold nothing but
// Filtered are left as they are.
func apply(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var marks []int // starts of Filtered in s
	for off := 0; ; {
		k := strings.Index(s[off:], Filtered)
		if k < 0 {
			break
		}
		marks = append(marks, off+k)
		off += k + len(Filtered)
	}
	// markAt returns the start of the Filtered that holds byte p, or -1.
	markAt := func(p int) int {
		i := sort.SearchInts(marks, p+1) - 1
		if i >= 0 && p < marks[i]+len(Filtered) {
			return marks[i]
		}
		return -1
	}
	out := spans[:0]
	for _, sp := range spans {
		if len(marks) > 0 {
			ms, me := markAt(sp.start), markAt(sp.end-1)
			if ms >= 0 && ms == me {
				continue
			}
			if ms >= 0 {
				sp.start = ms
			}
			if me >= 0 {
				sp.end = me + len(Filtered)
			}
		}
		out = append(out, sp)
	}
	spans = out
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:0]
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.start <= merged[n-1].end {
			if sp.end > merged[n-1].end {
				merged[n-1].end = sp.end
			}
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	last := 0
	for _, sp := range merged {
		if onlyFiltered(s[sp.start:sp.end]) {
			continue
		}
		if b.Len() == 0 && last == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(Filtered)
		last = sp.end
	}
	if last == 0 && b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func onlyFiltered(s string) bool {
	for len(s) > 0 {
		if !strings.HasPrefix(s, Filtered) {
			return false
		}
		s = s[len(Filtered):]
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return charClass[c] == clLower || charClass[c] == clUpper || isDigit(c) }

// containsFold reports whether s contains the lowercase ASCII sub,
// ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with the lowercase ASCII prefix,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// ---- key=value ----

// maxKeyScan bounds how far back a key is looked for.
const maxKeyScan = 128

func isKeyChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || c >= 0x80
}

// isValueStop reports whether c ends an unquoted value.
func isValueStop(c byte) bool {
	return isSpace(c) || c == '"' || c == '\'' || c == '&' || c == ',' || c == ';'
}

// authSchemes are the HTTP authentication schemes kept in a filtered
// Authorization value ("Bearer [Filtered]").
var authSchemes = []string{"bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey"}

// kvAt looks at the separator s[i] ('=' or ':'): when the key before it is
// sensitive it returns the value's span (possibly empty).
func (r *Redactor) kvAt(s string, i int) (vs, ve int, ok bool) {
	sep := s[i]
	if i+1 < len(s) && (s[i+1] == sep || sep == '=' && s[i+1] == '~') || i > 0 && (s[i-1] == ':' || s[i-1] == '=' || s[i-1] == '!' || s[i-1] == '<' || s[i-1] == '>') {
		return 0, 0, false // ::, ==, =~, !=, <=, >=
	}
	j := i
	for j > 0 && i-j < 8 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	spaced := j < i
	quoted := false
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		quoted = true
		j--
		if j > 0 && s[j-1] == '\\' {
			j--
		}
	}
	if spaced && !quoted && sep == ':' {
		return 0, 0, false // "word : text"
	}
	end := j
	for j > 0 && end-j < maxKeyScan && isKeyChar(s[j-1]) {
		j--
	}
	if sep == ':' && j >= 2 && s[j-2:j] == "//" {
		return 0, 0, false // URL userinfo or host: see urlSpans
	}
	if j == end || !r.keys.sensitive(s[j:end]) {
		return 0, 0, false
	}
	vs, ve = value(s, i+1, sep, quoted)
	return vs, ve, true
}

// value finds the value that starts at or after s[j], following the
// separator sep.
func value(s string, j int, sep byte, quotedKey bool) (vs, ve int) {
	if sep == '=' && j < len(s) && s[j] == '>' {
		j++ // =>
	}
	spaced := false
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
		spaced = true
	}
	if j >= len(s) {
		return j, j
	}
	if strings.HasPrefix(s[j:], Filtered) {
		if e := j + len(Filtered); e == len(s) || isValueStop(s[e]) {
			return j, j // already filtered
		}
	}
	switch c := s[j]; {
	case c == '"' || c == '\'':
		vs, ve = j+1, closeQuote(s, j+1, c)
		return stripScheme(s, vs, ve), ve
	case c == '\\' && j+1 < len(s) && s[j+1] == '"':
		vs = j + 2
		ve = strings.Index(s[vs:], `\"`)
		if ve < 0 {
			ve = len(s)
		} else {
			ve += vs
		}
		return stripScheme(s, vs, ve), ve
	case c == '[' || c == '{':
		return j, closeBracket(s, j)
	}
	e := j
	for e < len(s) && !isValueStop(s[e]) {
		e++
	}
	e = trimClosers(s, j, e)
	if sep == ':' && spaced && !quotedKey && prose(s, j, e) {
		return j, j
	}
	if isScheme(s[j:e]) {
		k := e
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k > e && k < len(s) && !isValueStop(s[k]) {
			e2 := k
			for e2 < len(s) && !isValueStop(s[e2]) {
				e2++
			}
			return k, trimClosers(s, k, e2)
		}
	}
	return j, e
}

// trimClosers drops from the end of the unquoted value s[j:e] the closing
// brackets that close nothing opened in it: "(using password: YES)",
// "{User:bob Password:x}".
func trimClosers(s string, j, e int) int {
	for e > j {
		var open byte
		switch s[e-1] {
		case ')':
			open = '('
		case ']':
			open = '['
		case '}':
			open = '{'
		default:
			return e
		}
		opens, closes := 0, 0
		for k := j; k < e; k++ {
			switch s[k] {
			case open:
				opens++
			case s[e-1]:
				closes++
			}
		}
		if opens >= closes {
			return e
		}
		e--
	}
	return e
}

func isScheme(w string) bool {
	for _, sc := range authSchemes {
		if len(w) == len(sc) && hasPrefixFold(w, sc) {
			return true
		}
	}
	return false
}

// stripScheme skips an authentication scheme at the start of the quoted
// value [vs, ve).
func stripScheme(s string, vs, ve int) int {
	k := vs
	for k < ve && !isValueStop(s[k]) {
		k++
	}
	if k < ve && s[k] == ' ' && isScheme(s[vs:k]) {
		for k < ve && s[k] == ' ' {
			k++
		}
		if k < ve {
			return k
		}
	}
	return vs
}

// prose reports whether the word s[j:e] starts a sentence rather than being
// a value: "token: signature is invalid", "password: too short". Both it
// and the next word are plain lower-case words (the first may be
// capitalized).
func prose(s string, j, e int) bool {
	if e >= len(s) || s[e] != ' ' || !plainWord(s[j:e], true) {
		return false
	}
	k := e + 1
	for k < len(s) && !isSpace(s[k]) {
		k++
	}
	w := strings.TrimRight(s[e+1:k], ".,;:!?")
	return plainWord(w, false)
}

func plainWord(w string, capital bool) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || i == 0 && capital && 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func closeQuote(s string, j int, q byte) int {
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(s)
}

// closeBracket returns the end of the bracketed value at s[j], or len(s).
func closeBracket(s string, j int) int {
	depth := 0
	for k := j; k < len(s); k++ {
		switch s[k] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return k + 1
			}
		case '"':
			k = closeQuote(s, k+1, '"')
		}
	}
	return len(s)
}

// flagAt looks at a command-line flag "--key value" at s[i]: when key is
// sensitive it returns the value's span. "--key=value" is left to kvAt.
func (r *Redactor) flagAt(s string, i int) (vs, ve int, ok bool) {
	k := i + 2
	for k < len(s) && k-i < maxKeyScan && isKeyChar(s[k]) {
		k++
	}
	if k == i+2 || k+1 >= len(s) || s[k] != ' ' || s[k+1] == '-' || isSpace(s[k+1]) {
		return 0, 0, false
	}
	if !r.keys.sensitive(s[i+2 : k]) {
		return 0, 0, false
	}
	vs = k + 1
	if s[vs] == '"' || s[vs] == '\'' {
		return vs + 1, closeQuote(s, vs+1, s[vs]), true
	}
	ve = vs
	for ve < len(s) && !isSpace(s[ve]) {
		ve++
	}
	return vs, trimClosers(s, vs, ve), true
}

func (r *Redactor) kvSpans(s string, spans []span) []span {
	for i := 0; i < len(s); i++ {
		var vs, ve int
		var ok bool
		switch c := s[i]; c {
		case '=', ':':
			if c == ':' && strings.HasPrefix(s[i+1:], "//") {
				continue
			}
			vs, ve, ok = r.kvAt(s, i)
		case '-':
			if i+1 < len(s) && s[i+1] == '-' && (i == 0 || isSpace(s[i-1])) {
				vs, ve, ok = r.flagAt(s, i)
			}
		}
		if ok && ve > vs {
			spans = append(spans, span{vs, ve})
			i = ve - 1
		}
	}
	return spans
}

// ---- URLs ----

func isAuthorityStop(c byte) bool {
	return isSpace(c) || c == '/' || c == '"' || c == '\'' || c == '\\' || c == '<' || c == '>' || c == '`'
}

var webhookPrefixes = []string{
	"hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/",
	"discord.com/api/webhooks/", "discordapp.com/api/webhooks/",
}

// urlHint reports whether the URL authority at s[p:] has userinfo, or the
// URL is a webhook.
func urlHint(s string, p int) bool {
	for k := p; k < len(s) && !isAuthorityStop(s[k]); k++ {
		if s[k] == '@' {
			return true
		}
	}
	for _, w := range webhookPrefixes {
		if strings.HasPrefix(s[p:], w) {
			return true
		}
	}
	return false
}

// urlSpans filters URL passwords, token-like or Sentry DSN user names, and
// the secret path of webhook URLs.
func urlSpans(s string, spans []span) []span {
	for off := 0; ; {
		k := strings.Index(s[off:], "://")
		if k < 0 {
			return spans
		}
		p := off + k + 3
		off = p
		end, at := p, -1
		for end < len(s) && !isAuthorityStop(s[end]) {
			if s[end] == '@' {
				at = end
			}
			end++
		}
		if at > p {
			ui := s[p:at]
			switch c := strings.IndexByte(ui, ':'); {
			case containsFold(s[at+1:end], "sentry"):
				spans = append(spans, span{p, at}) // DSN: public (and secret) key
			case c >= 0:
				if c+1 < len(ui) {
					spans = append(spans, span{p + c + 1, at})
				}
			case tokenLike(ui):
				spans = append(spans, span{p, at})
			}
		}
		for _, w := range webhookPrefixes {
			if strings.HasPrefix(s[p:], w) {
				vs := p + len(w)
				ve := vs
				for ve < len(s) && !isSpace(s[ve]) && s[ve] != '"' && s[ve] != '\'' && s[ve] != '?' && s[ve] != '#' {
					ve++
				}
				if ve > vs {
					spans = append(spans, span{vs, ve})
				}
			}
		}
	}
}

// tokenLike reports whether a URL user name looks like a credential: 16 or
// more characters of a token's alphabet, with a digit.
func tokenLike(u string) bool {
	if len(u) < 16 {
		return false
	}
	digit := false
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case isDigit(c):
			digit = true
		case isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '~' || c == '%':
		default:
			return false
		}
	}
	return digit
}

// ---- Bearer / Basic ----

func isTokenChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// authAt looks at "Bearer <token>" or "Basic <credentials>" (any case) at
// s[i] and returns the token's span when it looks like one.
func authAt(s string, i int) (vs, ve int, ok bool) {
	if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
		return 0, 0, false
	}
	var bearer bool
	switch {
	case hasPrefixFold(s[i:], "bearer"):
		bearer, vs = true, i+6
	case hasPrefixFold(s[i:], "basic"):
		vs = i + 5
	default:
		return 0, 0, false
	}
	k := vs
	for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
		k++
	}
	if k == vs {
		return 0, 0, false
	}
	vs, ve = k, k
	for ve < len(s) && isTokenChar(s[ve]) {
		ve++
	}
	for ve < len(s) && s[ve] == '=' {
		ve++
	}
	if ve < len(s) && (isAlnum(s[ve]) || s[ve] >= 0x80) {
		return 0, 0, false
	}
	tok := s[vs:ve]
	if bearer {
		return vs, ve, bearerLike(tok)
	}
	return vs, ve, basicLike(tok)
}

func authSpans(s string, spans []span) []span {
	for i := 0; i < len(s); i++ {
		if s[i] != 'b' && s[i] != 'B' {
			continue
		}
		if vs, ve, ok := authAt(s, i); ok {
			spans = append(spans, span{vs, ve})
			i = ve - 1
		}
	}
	return spans
}

// bearerLike: 8+ characters with a digit, or 24+ characters: not an English
// word ("bearer token", "Bearer authentication").
func bearerLike(t string) bool {
	if len(t) >= 24 {
		return true
	}
	if len(t) < 8 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if isDigit(t[i]) {
			return true
		}
	}
	return false
}

// basicLike: standard base64 of printable text with a colon, as
// "user:password" is.
func basicLike(t string) bool {
	t = strings.TrimRight(t, "=")
	if len(t) < 4 || len(t)%4 == 1 {
		return false
	}
	var acc uint32
	bits, colon := 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		var v byte
		switch {
		case 'A' <= c && c <= 'Z':
			v = c - 'A'
		case 'a' <= c && c <= 'z':
			v = c - 'a' + 26
		case '0' <= c && c <= '9':
			v = c - '0' + 52
		case c == '+':
			v = 62
		case c == '/':
			v = 63
		default:
			return false
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			b := byte(acc >> bits)
			if b == ':' {
				colon = true
			} else if b < 0x20 || b == 0x7f {
				return false
			}
		}
	}
	return colon
}

// ---- payment cards ----

type group struct{ start, end int }

// cardSpans filters payment card numbers: 13 to 19 digits, written as one
// run or in groups of four (the last 1-4) or 4-6-5 / 4-6-4, separated by
// single spaces or dashes, not touching letters, digits or a decimal point,
// with a card network's leading digits (2[2-7], 3[0,4-9], 4, 5, 6) and a
// valid Luhn check digit.
func cardSpans(s string, spans []span) []span {
	const maxGroups = 24
	var gs [maxGroups]group
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		// A run of digit groups separated by single spaces or dashes.
		runStart := i
		n := 0
		j := i
		for n < maxGroups {
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			gs[n] = group{j, k}
			n++
			if k+1 < len(s) && (s[k] == ' ' || s[k] == '-') && isDigit(s[k+1]) {
				j = k + 1
				continue
			}
			break
		}
		runEnd := gs[n-1].end
		more := n == maxGroups && runEnd+1 < len(s) && (s[runEnd] == ' ' || s[runEnd] == '-') && isDigit(s[runEnd+1])
		leftOK := runStart == 0 || !isAlnum(s[runStart-1]) &&
			!((s[runStart-1] == '.' || s[runStart-1] == ',') && runStart >= 2 && isDigit(s[runStart-2]))
		rightOK := more || runEnd == len(s) || !isAlnum(s[runEnd]) &&
			!((s[runEnd] == '.' || s[runEnd] == ',') && runEnd+1 < len(s) && isDigit(s[runEnd+1]))
		last := n
		if more {
			last = n - 4 // windows starting later are looked at with the next batch
		}
		for a := 0; a < last; a++ {
			if a == 0 && !leftOK {
				continue
			}
			for b := min(n-1, a+4); b >= a; b-- {
				if b == n-1 && !rightOK {
					continue
				}
				if card(s, gs[a:b+1]) {
					spans = append(spans, span{gs[a].start, gs[b].end})
					a = b
					break
				}
			}
		}
		if more {
			i = gs[n-4].start
			// The next batch starts at a separator-preceded group: its left is fine.
			continue
		}
		i = runEnd
	}
	return spans
}

func card(s string, gs []group) bool {
	digits := 0
	for _, g := range gs {
		digits += g.end - g.start
	}
	if digits < 13 || digits > 19 {
		return false
	}
	if len(gs) > 1 {
		sep := s[gs[0].end]
		for _, g := range gs[1:] {
			if s[g.start-1] != sep {
				return false
			}
		}
		l := func(i int) int { return gs[i].end - gs[i].start }
		ok := len(gs) == 3 && l(0) == 4 && l(1) == 6 && (l(2) == 5 || l(2) == 4)
		if !ok {
			ok = true
			for i := 0; i < len(gs)-1; i++ {
				ok = ok && l(i) == 4
			}
			ok = ok && l(len(gs)-1) <= 4
		}
		if !ok {
			return false
		}
	}
	if gs[0].end-gs[0].start < 2 {
		return false
	}
	d0, d1 := s[gs[0].start], s[gs[0].start+1]
	switch d0 {
	case '2':
		if d1 < '2' || d1 > '7' {
			return false
		}
	case '3':
		if d1 != '0' && d1 < '4' {
			return false
		}
	case '4', '5', '6':
	default:
		return false
	}
	// Luhn, from the last digit.
	sum, double := 0, false
	for i := len(gs) - 1; i >= 0; i-- {
		for k := gs[i].end - 1; k >= gs[i].start; k-- {
			d := int(s[k] - '0')
			if double {
				d *= 2
				if d > 9 {
					d -= 9
				}
			}
			sum += d
			double = !double
		}
	}
	return sum%10 == 0
}
