package zerologsentry

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
)

// hasCorrelationKey is bytes.Contains of the quoted field name, searched
// from the name.
func TestHasCorrelationKey(t *testing.T) {
	quoted := []byte(`"` + CorrelationFieldName + `"`)
	cases := []string{
		``, `"`, CorrelationFieldName, CorrelationFieldName + `"`, `"` + CorrelationFieldName,
		`"` + CorrelationFieldName + `"`, `{"a":1,"` + CorrelationFieldName + `":7}`,
		`{"m":"` + CorrelationFieldName + `\"x"}`, `x` + CorrelationFieldName + `"` + CorrelationFieldName + `"`,
		`""` + CorrelationFieldName + `"`, `{"` + CorrelationFieldName + `_2":1}`,
	}
	r := rand.New(rand.NewPCG(3, 4))
	parts := []string{`"`, CorrelationFieldName, `x`, `,`, `:`, `\`}
	for range 2000 {
		var b []byte
		for range r.IntN(8) {
			b = append(b, parts[r.IntN(len(parts))]...)
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := hasCorrelationKey([]byte(c)), bytes.Contains([]byte(c), quoted); got != want {
			t.Errorf("hasCorrelationKey(%q) = %v, want %v", c, got, want)
		}
	}
}

// FuzzCutCorrelation checks Tee's two ways of removing the correlation
// field against each other: consoleCopy (lines the Writer parses: cut where
// parseLine found the member, or searched when the parser stopped early)
// and stripCorrelation's own search (lines it does not parse). They agree
// unless the key is written with escapes (which only the parser decodes),
// and a valid JSON line stays valid.
func FuzzCutCorrelation(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"logsentry_id":5,"message":"m"}`, `{"logsentry_id":5}`,
		`{ "logsentry_id" : 5 , "b":[1,{"logsentry_id":2}]}`,
		`{"a":"\"logsentry_id\":1","logsentry_id":"x"}`, `{"logsentry\u005fid":1}`,
		`{"logsentry_id":1,"logsentry_id":2}`, `{"a":1}`, `{`, `[]`,
		`{"level":"error","payload":01,"logsentry_id":1,"message":"m"}`, `{"a":"\x","logsentry_id":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		in := bytes.Clone(p)
		got, buf := consoleCopy(p, parseLine(p, nil))
		defer putLineBuf(buf)
		want, wbuf := stripCorrelation(p)
		defer putLineBuf(wbuf)
		if !bytes.Equal(p, in) {
			t.Fatalf("the line was modified: %q, was %q", p, in)
		}
		if !bytes.Equal(got, want) && !bytes.Contains(p, []byte(`\`)) {
			t.Errorf("cut of parsed %q = %q, stripCorrelation = %q", p, got, want)
		}
		if json.Valid(p) && !json.Valid(got) {
			t.Errorf("cut of parsed %q = %q: not JSON", p, got)
		}
		// Of an object whose keys are written without escapes, the cut
		// is the object without its correlation members (all of them: a
		// Writer attached twice as a hook writes two), and nothing else.
		var whole, cut map[string]any
		if json.Unmarshal(p, &whole) == nil && !bytes.Contains(p, []byte(`\`)) {
			delete(whole, CorrelationFieldName)
			if err := json.Unmarshal(got, &cut); err != nil || !reflect.DeepEqual(cut, whole) {
				t.Errorf("cut of %q = %q, want the object less its %s (%v)", p, got, CorrelationFieldName, err)
			}
		}
	})
}

// The Writer's level table agrees with its bridge at every zerolog level,
// under thresholds that make the enabled levels a range, a set with a gap
// (NoLevel counts as info) and nothing.
func TestEnabledTable(t *testing.T) {
	for name, w := range map[string]*Writer{
		"defaults":   NewWriter(),
		"debug logs": NewWriter(WithLogLevel(zerolog.DebugLevel)),
		"warn only":  NewWriter(WithEventLevel(zerolog.WarnLevel), WithBreadcrumbLevel(zerolog.Disabled)),
		"panic only": NewWriter(WithEventLevel(zerolog.PanicLevel), WithBreadcrumbLevel(zerolog.Disabled)),
		"nothing":    NewWriter(WithEventLevel(zerolog.Disabled), WithBreadcrumbLevel(zerolog.Disabled)),
	} {
		n := 0
		for i := -128; i < 128; i++ {
			l := zerolog.Level(i)
			want := Severity(l) != logsentry.SeverityOff && w.b.Enabled(Severity(l))
			if got := w.enabled(l); got != want {
				t.Errorf("%s: enabled(%v) = %v, want %v", name, l, got, want)
			}
			if want {
				n++
			}
		}
		if name == "nothing" && n != 0 || name != "nothing" && n == 0 {
			t.Errorf("%s: %d levels enabled", name, n)
		}
	}
}

func TestErrorLikeKey(t *testing.T) {
	for key, want := range map[string]bool{
		"err": true, "error": true, "ERROR": true, "cause": true, "Cause": true,
		"dbErr": true, "lastError": true, "db_error": true, "req.err": true, "DB-ERR": true, "db_ERR": true,
		"stderr": false, "terror": false, "mirror": false, "DBERR": false, "status": false, "reason": false, "": false,
	} {
		if got := errorLikeKey(key); got != want {
			t.Errorf("errorLikeKey(%q) = %v, want %v", key, got, want)
		}
	}
}
