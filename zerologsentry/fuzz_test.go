package zerologsentry_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/zerologsentry"
)

// FuzzWriteLevel writes arbitrary bytes at arbitrary levels. The Writer
// must never panic, and every valid JSON object at a level that passes a
// threshold must come out as exactly one record, with valid UTF-8 text.
// The seed corpus is in testdata/fuzz/FuzzWriteLevel.
func FuzzWriteLevel(f *testing.F) {
	for _, s := range []string{
		`{"level":"error","error":"boom","time":"2024-01-02T03:04:05Z","message":"m"}`,
		`{"a":{"b":[1,2.5,-3,1e400,18446744073709551615,null,true,{"c":"\ud83d\ude00"}]}}`,
		`{}`, `[]`, `{"logsentry_id":1}`, "{\"k\":\"\xff\"}", `{"s":"\u00e9\ud800"}`,
	} {
		f.Add(int8(zerolog.ErrorLevel), []byte(s))
	}
	// The filter reads each record while Emit runs: its Attrs point into
	// a pooled buffer that is cleared after.
	type seen struct {
		sev      logsentry.Severity
		problems []string
	}
	var (
		mu      sync.Mutex
		records []seen
	)
	w := zerologsentry.NewWriter(
		logsentry.WithHub(nopHub(f)),
		logsentry.WithFilter(func(r logsentry.Record, _ logsentry.Sinks) logsentry.Sinks {
			var p []string
			if !utf8.ValidString(r.Message) || !utf8.ValidString(r.Level) {
				p = append(p, fmt.Sprintf("message %q or level %q", r.Message, r.Level))
			}
			for _, a := range r.Attrs {
				p = invalidUTF8(p, a.Key, a.Value.Any())
			}
			mu.Lock()
			records = append(records, seen{r.Severity, p})
			mu.Unlock()
			return logsentry.SinkNone
		}),
	)
	f.Fuzz(func(t *testing.T, level int8, line []byte) {
		mu.Lock()
		records = records[:0]
		mu.Unlock()
		l := zerolog.Level(level)
		if n, err := w.WriteLevel(l, line); n != len(line) || err != nil {
			t.Fatalf("WriteLevel = %d, %v", n, err)
		}
		defer func() { _, _ = w.Write(line) }() // must not panic either
		s := zerologsentry.Severity(l)
		if s == logsentry.SeverityOff || !w.Bridge().Enabled(s) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !json.Valid(line) || !bytes.HasPrefix(bytes.TrimLeft(line, " \t\r\n"), []byte("{")) {
			return
		}
		if len(records) != 1 {
			t.Fatalf("%d records for the JSON object %q at level %v, want 1", len(records), line, l)
		}
		r := records[0]
		if r.sev != s {
			t.Errorf("severity %v, want %v", r.sev, s)
		}
		for _, p := range r.problems {
			t.Errorf("invalid UTF-8 in %s", p)
		}
	})
}

// invalidUTF8 appends to p a description of each key or string under key
// in v (a slog value, as Value.Any returns it) that is not valid UTF-8.
func invalidUTF8(p []string, key string, v any) []string {
	if !utf8.ValidString(key) {
		p = append(p, fmt.Sprintf("key %q", key))
	}
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			p = append(p, fmt.Sprintf("%s: %q", key, v))
		}
	case []slog.Attr:
		for _, a := range v {
			p = invalidUTF8(p, key+"."+a.Key, a.Value.Any())
		}
	case []any:
		for i, e := range v {
			p = invalidUTF8(p, fmt.Sprintf("%s[%d]", key, i), e)
		}
	case map[string]any:
		for k, e := range v {
			p = invalidUTF8(p, key+"."+k, e)
		}
	}
	return p
}
