package zerologsentry

import (
	"bytes"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// maxNesting bounds how deep the parser descends into objects and arrays. A
// value nested deeper is kept as its JSON text, so a hostile line cannot
// exhaust the stack or build an unbounded tree.
const maxNesting = 32

// fieldNames are zerolog's field names, read from its globals once per line:
// they are plain variables that a program may set at any time.
type fieldNames struct {
	message, level, time, err string
}

func currentFieldNames() fieldNames {
	return fieldNames{
		message: zerolog.MessageFieldName,
		level:   zerolog.LevelFieldName,
		time:    zerolog.TimestampFieldName,
		err:     zerolog.ErrorFieldName,
	}
}

// line is the result of parsing one zerolog JSON line.
type line struct {
	message string
	level   string
	time    time.Time
	errText string
	hasErr  bool
	id      uint64 // the hook's correlation id, 0 if none
	// claimed is what the hook captured for id, when Tee took it before
	// writing the other outputs; nil otherwise.
	claimed  *pending
	attrs    []slog.Attr
	complete bool // the whole object parsed
	// recovered: not complete, but the correlation field and the message
	// that zerolog writes last were found from the end (see recoverTail).
	recovered bool

	// idMember and idEnd delimit the top-level CorrelationFieldName member
	// (from its key's opening quote to the end of its value), for Tee to
	// cut out of the console's copy; idEnd is 0 when there is none.
	idMember, idEnd int
}

// parseLine parses the JSON object in p. Message, level, time and error
// fields (zerolog's field names) and the hook's correlation field are taken
// out; every other top-level field becomes an attr, appended to attrs.
// It never panics; on a syntax error it returns what it parsed so far with
// complete false, or what recoverTail could read (recovered true).
func parseLine(p []byte, attrs []slog.Attr) line {
	lp := lineParser{names: currentFieldNames(), l: line{attrs: attrs}}
	s := scanner{data: p}
	s.ws()
	if !s.eat('{') {
		return lp.l
	}
	s.ws()
	if s.eat('}') {
		lp.l.complete = true
		return lp.l
	}
	for {
		s.ws()
		member := s.pos
		key, ok := s.key()
		if !ok {
			return lp.recoverTail(p, "", member)
		}
		s.ws()
		if !s.eat(':') {
			return lp.recoverTail(p, key, member)
		}
		s.ws()
		valueAt := s.pos
		v, ok := s.value(1)
		if !ok {
			return lp.recoverTail(p, key, valueAt)
		}
		lp.member(key, v, member, s.pos)
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			break
		}
		return lp.recoverTail(p, "", s.pos)
	}
	lp.l.complete = true
	return lp.finish()
}

// lineParser collects the members of one line.
type lineParser struct {
	names   fieldNames
	l       line
	timeVal slog.Value
	hasTime bool
}

// member takes in the top-level member key: v, found at p[start:end].
func (lp *lineParser) member(key string, v slog.Value, start, end int) {
	l, names := &lp.l, &lp.names
	if key == CorrelationFieldName && l.idEnd == 0 {
		l.idMember, l.idEnd = start, end
	}
	switch {
	case key == "":
		l.attrs = append(l.attrs, slog.Attr{Key: key, Value: v})
	case key == names.message && v.Kind() == slog.KindString:
		l.message = v.String()
	case key == names.level && v.Kind() == slog.KindString:
		l.level = v.String()
	case key == names.time:
		lp.timeVal, lp.hasTime = v, true
	case key == names.err && v.Kind() == slog.KindString:
		l.errText, l.hasErr = v.String(), true
	case key == CorrelationFieldName && (v.Kind() == slog.KindInt64 || v.Kind() == slog.KindUint64):
		if v.Kind() == slog.KindInt64 {
			l.id = uint64(v.Int64())
		} else {
			l.id = v.Uint64()
		}
	default:
		l.attrs = append(l.attrs, slog.Attr{Key: key, Value: v})
	}
}

// finish reads the line's time, and returns the line.
func (lp *lineParser) finish() line {
	if lp.hasTime {
		if t, ok := parseTime(lp.timeVal, zerolog.TimeFieldFormat); ok {
			lp.l.time = t
		} else {
			lp.l.attrs = append(lp.l.attrs, slog.Attr{Key: lp.names.time, Value: lp.timeVal})
		}
	}
	return lp.l
}

// recoverTail reads what it can of a line that is not valid JSON past
// byte bad: zerolog writes what RawJSON (or a broken marshaler) gives it as
// it is, then its hooks' fields (this package's correlation field, and the
// timestamp or caller of With().Timestamp() and Caller(), which are hooks
// too) and the message last:
//
//	{"level":"error",...,"payload":{"partial":,"logsentry_id":7,"time":"...","message":"m"}
//
// The correlation field is found from the end, and the members after it
// are read as usual, so the line keeps its request's hub, its title and its
// time; the text from bad to the correlation field becomes one string
// field, under key (the member being read) or "!BADJSON". Without the
// correlation field the line is left as parsed (not complete).
func (lp *lineParser) recoverTail(p []byte, key string, bad int) line {
	member, end, id, ok := lastCorrelation(p)
	if !ok || member < bad {
		return lp.l
	}
	raw := bytes.TrimRight(bytes.TrimSpace(p[bad:member]), ",")
	if key == "" {
		key = "!BADJSON"
	}
	if len(raw) > 0 {
		lp.l.attrs = append(lp.l.attrs, slog.String(key, string(raw)))
	}
	// This one, not one read before the syntax error.
	lp.l.id, lp.l.idMember, lp.l.idEnd = id, member, end
	s := scanner{data: p, pos: end}
	s.ws()
	for s.eat(',') {
		s.ws()
		at := s.pos
		k, ok := s.key()
		if !ok {
			break
		}
		s.ws()
		if !s.eat(':') {
			break
		}
		s.ws()
		v, ok := s.value(1)
		if !ok {
			break
		}
		if k != CorrelationFieldName {
			lp.member(k, v, at, s.pos)
		}
		s.ws()
	}
	lp.l.recovered = true
	return lp.finish()
}

// lastCorrelation finds the last member "logsentry_id":<number> in p and
// returns where it starts and ends, and the number.
func lastCorrelation(p []byte) (member, end int, id uint64, ok bool) {
	member = bytes.LastIndex(p, []byte(`"`+CorrelationFieldName+`":`))
	if member < 0 {
		return 0, 0, 0, false
	}
	s := scanner{data: p, pos: member + len(CorrelationFieldName) + 3}
	s.ws()
	v, ok := s.number()
	switch {
	case !ok:
		return 0, 0, 0, false
	case v.Kind() == slog.KindInt64:
		id = uint64(v.Int64())
	case v.Kind() == slog.KindUint64:
		id = v.Uint64()
	default:
		return 0, 0, 0, false
	}
	return member, s.pos, id, true
}

// parseTime reads a timestamp written with zerolog's TimeFieldFormat: a
// layout for strings, or one of the Unix formats for numbers.
func parseTime(v slog.Value, format string) (time.Time, bool) {
	var unit int64 // nanoseconds per unit of a numeric timestamp
	switch format {
	case zerolog.TimeFormatUnixMs:
		unit = 1e6
	case zerolog.TimeFormatUnixMicro:
		unit = 1e3
	case zerolog.TimeFormatUnixNano:
		unit = 1
	default: // TimeFormatUnix, or a layout: a number is seconds
		unit = 1e9
	}
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		if unit == 1e9 && format != zerolog.TimeFormatUnix {
			// A layout without a zone (time.DateTime) holds the local
			// time of zerolog's default clock (time.Now); layouts with a
			// zone keep their own. (Asking zerolog.TimestampFunc for its
			// zone would call the user's clock once more per line.)
			if t, err := time.ParseInLocation(format, s, time.Local); err == nil {
				return t, true
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
		return time.Time{}, false
	case slog.KindInt64:
		n := v.Int64()
		sec, rem := n/(1e9/unit), n%(1e9/unit)
		return time.Unix(sec, rem*unit), true
	case slog.KindFloat64:
		f := v.Float64() * float64(unit) // nanoseconds
		// float64(math.MaxInt64) is 2^63, which int64 cannot hold.
		if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return time.Time{}, false
		}
		return time.Unix(0, int64(f)), true
	}
	return time.Time{}, false
}

// scanner reads JSON from data. Every method leaves pos after what it read
// and reports false on a syntax error; none panics on any input.
type scanner struct {
	data    []byte
	pos     int
	scratch []byte // reused for strings that need unescaping

	// text is data as a string, made at the first string without
	// escapes: such strings are sliced from it, one copy for the whole
	// line rather than one per string. Only for lines up to
	// maxSharedLine, so that a short string kept in a breadcrumb cannot
	// pin a huge line.
	text string
}

// maxSharedLine is the longest line whose strings share one copy.
const maxSharedLine = 4 << 10

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// value reads any JSON value as a slog.Value: strings, int64 or uint64 for
// integers that fit (else the literal as a string), float64 (the literal
// as a string when out of range), bools, nil for null, slog groups for
// objects and []any for arrays. depth is the nesting of the value.
func (s *scanner) value(depth int) (slog.Value, bool) {
	switch c := s.peek(); c {
	case '"':
		str, ok := s.str()
		return slog.StringValue(str), ok
	case '{':
		if depth > maxNesting {
			return s.raw()
		}
		return s.group(depth)
	case '[':
		if depth > maxNesting {
			return s.raw()
		}
		a, ok := s.array(depth)
		return slog.AnyValue(a), ok
	case 't', 'f', 'n':
		v, ok := s.literal()
		return slog.AnyValue(v), ok
	default:
		return s.number()
	}
}

// anyValue reads a JSON value inside an array or an object inside an array,
// as a plain Go value: string, int64, uint64, float64, bool, nil, []any or
// map[string]any.
func (s *scanner) anyValue(depth int) (any, bool) {
	switch c := s.peek(); c {
	case '"':
		return s.str()
	case '{', '[':
		if depth > maxNesting {
			v, ok := s.raw()
			return v.String(), ok
		}
		if c == '[' {
			return s.array(depth)
		}
		return s.object(depth)
	case 't', 'f', 'n':
		return s.literal()
	default:
		v, ok := s.number()
		return v.Any(), ok
	}
}

// group reads an object as a slog group. An empty object becomes an empty
// map, which is kept, where an empty group would be dropped.
func (s *scanner) group(depth int) (slog.Value, bool) {
	s.pos++ // '{'
	s.ws()
	if s.eat('}') {
		return slog.AnyValue(map[string]any{}), true
	}
	var attrs []slog.Attr
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return slog.Value{}, false
		}
		s.ws()
		if !s.eat(':') {
			return slog.Value{}, false
		}
		s.ws()
		v, ok := s.value(depth + 1)
		if !ok {
			return slog.Value{}, false
		}
		attrs = append(attrs, slog.Attr{Key: key, Value: v})
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return slog.GroupValue(attrs...), true
		}
		return slog.Value{}, false
	}
}

func (s *scanner) object(depth int) (map[string]any, bool) {
	s.pos++ // '{'
	m := map[string]any{}
	s.ws()
	if s.eat('}') {
		return m, true
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return nil, false
		}
		s.ws()
		if !s.eat(':') {
			return nil, false
		}
		s.ws()
		v, ok := s.anyValue(depth + 1)
		if !ok {
			return nil, false
		}
		m[key] = v
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return m, true
		}
		return nil, false
	}
}

func (s *scanner) array(depth int) ([]any, bool) {
	s.pos++ // '['
	a := []any{}
	s.ws()
	if s.eat(']') {
		return a, true
	}
	for {
		s.ws()
		v, ok := s.anyValue(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat(']') {
			return a, true
		}
		return nil, false
	}
}

// raw skips an object or array without building it (see skip), and
// returns its JSON text as a string value, made valid UTF-8 (the strings
// inside are not decoded, and JSON lets invalid bytes through in them).
func (s *scanner) raw() (slog.Value, bool) {
	start := s.pos
	if !s.skip() {
		return slog.Value{}, false
	}
	return slog.StringValue(strings.ToValidUTF8(string(s.data[start:s.pos]), "\uFFFD")), true
}

func (s *scanner) literal() (any, bool) {
	rest := s.data[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return false, true
	case len(rest) >= 4 && string(rest[:4]) == "null":
		s.pos += 4
		return nil, true
	}
	return nil, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads a JSON number. Integers become int64, or uint64 when
// positive and above math.MaxInt64; integers beyond both, and floats out of
// float64's range (1e400), keep their literal text so no digit is lost.
func (s *scanner) number() (slog.Value, bool) {
	d := s.data
	start, i := s.pos, s.pos
	neg := i < len(d) && d[i] == '-'
	if neg {
		i++
	}
	digits := i
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && isDigit(d[i]):
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return slog.Value{}, false
	}
	intEnd := i
	isInt := true
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return slog.Value{}, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return slog.Value{}, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.pos = i
	lit := d[start:i]
	if isInt {
		if u, ok := parseDigits(d[digits:intEnd]); ok {
			switch {
			case !neg && u <= math.MaxInt64:
				return slog.Int64Value(int64(u)), true
			case !neg:
				return slog.Uint64Value(u), true
			case u <= 1<<63:
				return slog.Int64Value(int64(-u)), true // -u wraps to the right int64 for u == 1<<63
			}
		}
		return slog.StringValue(string(lit)), true
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return slog.StringValue(string(lit)), true
	}
	return slog.Float64Value(f), true
}

// parseDigits parses decimal digits as a uint64, reporting overflow.
func parseDigits(b []byte) (uint64, bool) {
	var n uint64
	for _, c := range b {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// Keys repeat from line to line, so short plain keys are interned: a key
// found in the table costs no allocation. The table is a fixed array of
// atomic pointers indexed by a hash of the key; a collision replaces the
// entry, so it never grows.
const (
	internSize   = 1024 // a power of two
	maxInternKey = 64
)

var internTable [internSize]atomic.Pointer[string]

// key reads an object key, interned when it is short and plain.
func (s *scanner) key() (string, bool) {
	d := s.data
	if s.pos >= len(d) || d[s.pos] != '"' {
		return "", false
	}
	h := uint32(2166136261) // FNV-1a
	for i := s.pos + 1; i < len(d) && i <= s.pos+1+maxInternKey; i++ {
		c := d[i]
		if c == '"' {
			raw := d[s.pos+1 : i]
			slot := &internTable[h&(internSize-1)]
			if p := slot.Load(); p != nil && *p == string(raw) {
				s.pos = i + 1
				return *p, true
			}
			k := string(raw)
			slot.Store(&k)
			s.pos = i + 1
			return k, true
		}
		if c == '\\' || c >= utf8.RuneSelf {
			break
		}
		h = (h ^ uint32(c)) * 16777619
	}
	return s.str()
}

// str reads a JSON string. Escapes are decoded, \u surrogate pairs joined;
// lone surrogates and invalid UTF-8 bytes become U+FFFD, as encoding/json
// does.
func (s *scanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	d := s.data
	start := s.pos
	i := start
	for i < len(d) {
		c := d[i]
		if c == '"' {
			s.pos = i + 1
			if len(d) > maxSharedLine {
				return string(d[start:i]), true
			}
			if s.text == "" {
				s.text = string(d)
			}
			return s.text[start:i], true
		}
		if c == '\\' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	buf := append(s.scratch[:0], d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.scratch = buf
			return string(buf), true
		case c == '\\':
			if i+1 >= len(d) {
				return "", false
			}
			i++
			switch e := d[i]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(d[i+1:])
				if !ok {
					return "", false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 < len(d) && d[i+1] == '\\' && d[i+2] == 'u' {
						r2, _ = hex4(d[i+3:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
			i++
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, d[i:i+size]...)
			}
			i += size
		}
	}
	return "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
