package zerologsentry_test

import (
	"bytes"
	"encoding/json"
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
	var (
		mu      sync.Mutex
		records []logsentry.Record
	)
	w := zerologsentry.NewWriter(
		logsentry.WithHub(nopHub(f)),
		logsentry.WithFilter(func(r logsentry.Record, _ logsentry.Sinks) logsentry.Sinks {
			mu.Lock()
			records = append(records, r)
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
		_, _ = w.Write(line)
		s := zerologsentry.Severity(l)
		if s == logsentry.SeverityOff || !w.Bridge().Enabled(s) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !json.Valid(line) || !bytes.HasPrefix(bytes.TrimLeft(line, " \t\r\n"), []byte("{")) {
			return
		}
		if len(records) == 0 {
			t.Fatalf("no record for the JSON object %q at level %v", line, l)
		}
		r := records[0]
		if r.Severity != s {
			t.Errorf("severity %v, want %v", r.Severity, s)
		}
		if !utf8.ValidString(r.Message) || !utf8.ValidString(r.Level) {
			t.Errorf("invalid UTF-8 in message %q or level %q", r.Message, r.Level)
		}
		for _, a := range r.Attrs {
			checkUTF8(t, a)
		}
	})
}

func checkUTF8(t *testing.T, a slog.Attr) {
	if !utf8.ValidString(a.Key) {
		t.Errorf("invalid UTF-8 in key %q", a.Key)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if !utf8.ValidString(a.Value.String()) {
			t.Errorf("invalid UTF-8 in %s: %q", a.Key, a.Value.String())
		}
	case slog.KindGroup:
		for _, g := range a.Value.Group() {
			checkUTF8(t, g)
		}
	}
}
