package zerologsentry

import (
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry/internal/attrbuf"
)

// Tee returns a zerolog.LevelWriter that writes each line to every one of
// outs, in order, with the [CorrelationFieldName] field removed, and then to
// w. It is zerolog.MultiLevelWriter(outs..., w) without the hook's field in
// the other outputs:
//
//	w := zerologsentry.NewWriter()
//	logger := zerolog.New(w.Tee(os.Stderr)).Hook(w)
//
// Outs that implement zerolog.LevelWriter get WriteLevel. Write errors of
// outs are returned (the first one), as MultiLevelWriter does; w never
// fails. Close closes the outs that are io.Closers, as MultiLevelWriter
// does, then flushes w.
func (w *Writer) Tee(outs ...io.Writer) zerolog.LevelWriter {
	t := &tee{w: w, outs: make([]zerolog.LevelWriter, 0, len(outs))}
	for _, o := range outs {
		if lw, ok := o.(zerolog.LevelWriter); ok {
			t.outs = append(t.outs, lw)
		} else {
			t.outs = append(t.outs, zerolog.LevelWriterAdapter{Writer: o})
		}
	}
	return t
}

type tee struct {
	w    *Writer
	outs []zerolog.LevelWriter
}

func (t *tee) Write(p []byte) (int, error) {
	q, buf := stripCorrelation(p)
	var err error
	for _, o := range t.outs {
		n, e := o.Write(q)
		err = firstErr(err, e, n, len(q))
	}
	putLineBuf(buf)
	_, _ = t.w.Write(p)
	return len(p), err
}

func (t *tee) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	if t.w.enabled(l) {
		// The Writer parses this line anyway: parse it once, and cut the
		// correlation field out where the parser found it.
		attrs := attrbuf.Get()
		pl := t.w.parse(p, attrs)
		if pl.id != 0 {
			// Claim what the hook captured before the other outputs,
			// which may block (a slow terminal): a line waiting there
			// must not hold its slot of the hook's table, where enough
			// such lines would push each other out.
			pl.claimed = t.w.take(pl.id, l)
		}
		q, buf := consoleCopy(p, pl)
		err := t.writeOuts(l, q)
		putLineBuf(buf)
		t.w.send(l, p, pl, attrs)
		return len(p), err
	}
	q, buf := p, (*[]byte)(nil)
	if mayBeMarked(Severity(l)) {
		// Only lines at or above the lowest level a hook has marked can
		// carry the field; lower ones go out as they are, unsearched.
		q, buf = stripCorrelation(p)
	}
	err := t.writeOuts(l, q)
	putLineBuf(buf)
	return len(p), err
}

// writeOuts writes q to every output, and returns the first error.
func (t *tee) writeOuts(l zerolog.Level, q []byte) error {
	var err error
	for _, o := range t.outs {
		n, e := o.WriteLevel(l, q)
		err = firstErr(err, e, n, len(q))
	}
	return err
}

// firstErr returns err if set, else the error of a write of want bytes
// that wrote n and returned e (io.ErrShortWrite for a short write).
func firstErr(err, e error, n, want int) error {
	switch {
	case err != nil:
		return err
	case e != nil:
		return e
	case n != want:
		return io.ErrShortWrite
	}
	return nil
}

func (t *tee) Close() error {
	var errs []error
	for _, o := range t.outs {
		if c, ok := o.(io.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := t.w.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// correlationName is the correlation field's name and closing quote. The
// search starts from it rather than from the opening quote, the commonest
// byte of a JSON line.
var correlationName = []byte(CorrelationFieldName + `"`)

// lineBufs holds buffers for lines copied without the correlation field.
var lineBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledLine bounds the buffers kept for reuse, as zerolog bounds its
// own event buffers.
const maxPooledLine = 64 << 10

func putLineBuf(b *[]byte) {
	if b != nil && cap(*b) <= maxPooledLine {
		lineBufs.Put(b)
	}
}

// stripCorrelation returns p without its top-level CorrelationFieldName
// member, in a pooled buffer the caller returns with putLineBuf, or p
// itself (and a nil buffer) when p has no such member.
func stripCorrelation(p []byte) ([]byte, *[]byte) {
	if !hasCorrelationKey(p) {
		return p, nil
	}
	member, _, end, ok := topLevelField(p, CorrelationFieldName)
	if !ok {
		// A line made invalid before the field (RawJSON of bad bytes):
		// the parser finds it from the end (see recoverTail). Rare, so
		// parsed here rather than searched.
		pl := parseLine(p, nil)
		if !pl.recovered {
			return p, nil
		}
		member, end = pl.idMember, pl.idEnd
	}
	return cutCorrelation(p, member, end)
}

// consoleCopy returns line p, which parsed as pl, without its correlation
// field: cut where the parser found it, or, when the parser stopped before
// the end (zerolog writes RawJSON as it is given, valid or not), searched
// for as in lines the Writer does not parse. The buffer, if not nil, goes
// back with putLineBuf.
func consoleCopy(p []byte, pl line) ([]byte, *[]byte) {
	switch {
	case pl.complete && pl.idEnd > 0:
		return cutCorrelation(p, pl.idMember, pl.idEnd)
	case !pl.complete:
		return stripCorrelation(p) // which finds it in an invalid line too
	}
	return p, nil
}

// maxCorrelationMembers bounds the correlation members cut from one line.
const maxCorrelationMembers = 8

// cutCorrelation returns p without its correlation member p[member:end],
// nor any later one: a logger with the Writer attached twice as a hook
// writes one per hook. In a pooled buffer the caller returns with
// putLineBuf.
func cutCorrelation(p []byte, member, end int) ([]byte, *[]byte) {
	out, buf := cutMember(p, member, end)
	for range maxCorrelationMembers - 1 {
		if !hasCorrelationKey(out) {
			break
		}
		m, _, e, ok := topLevelField(out, CorrelationFieldName)
		if !ok {
			break
		}
		next, nbuf := cutMember(out, m, e)
		putLineBuf(buf)
		out, buf = next, nbuf
	}
	return out, buf
}

// cutMember returns p without the object member p[member:end], in a
// pooled buffer the caller returns with putLineBuf.
func cutMember(p []byte, member, end int) ([]byte, *[]byte) {
	// Remove the member and one adjacent comma: the one before it, or,
	// for the first member, the one after it.
	from, to := member, end
	i := from - 1
	for i >= 0 && isSpace(p[i]) {
		i--
	}
	if i >= 0 && p[i] == ',' {
		from = i
	} else {
		j := to
		for j < len(p) && isSpace(p[j]) {
			j++
		}
		if j < len(p) && p[j] == ',' {
			to = j + 1
		}
	}
	buf := lineBufs.Get().(*[]byte)
	out := append((*buf)[:0], p[:from]...)
	out = append(out, p[to:]...)
	*buf = out
	return out, buf
}

// hasCorrelationKey reports whether p contains the correlation field's
// quoted name: bytes.Contains of the quoted name, searched from the name.
func hasCorrelationKey(p []byte) bool {
	for off := 0; ; {
		i := bytes.Index(p[off:], correlationName)
		if i < 0 {
			return false
		}
		if at := off + i; at > 0 && p[at-1] == '"' {
			return true
		}
		off += i + 1
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
