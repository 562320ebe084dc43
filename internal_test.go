package logsentry

import (
	"encoding/json"
	"math"
	"path"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClamp(t *testing.T) {
	tests := []struct{ in, want Severity }{
		{math.MinInt, SeverityTrace},
		{-1, SeverityTrace},
		{0, SeverityTrace},
		{1, 1},
		{12, 12},
		{24, 24},
		{25, SeverityMax},
		{SeverityOff, SeverityMax},
	}
	for _, tt := range tests {
		if got := tt.in.clamp(); got != tt.want {
			t.Errorf("Severity(%d).clamp() = %d, want %d", int(tt.in), int(got), int(tt.want))
		}
	}
}

func TestFrameCache(t *testing.T) {
	var c frameCache
	var pcs [1]uintptr
	runtime.Callers(1, pcs[:])
	f1 := c.frames(pcs[0])
	f2 := c.frames(pcs[0])
	if len(f1) == 0 || f1[len(f1)-1].Function != "TestFrameCache" || len(f2) != len(f1) || &f1[0] != &f2[0] {
		t.Errorf("frames = %+v then %+v, want the same cached frames of TestFrameCache", f1, f2)
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("count = %d after one PC, want 1", n)
	}
	// Fill past the bound with distinct PCs: the count and the map stop
	// growing, and uncached PCs are still symbolized.
	base := pcs[0]
	for i := uintptr(1); i <= maxCachedPCs+100; i++ {
		if fr := c.frames(base + i); len(fr) == 0 {
			t.Fatalf("no frame for PC %#x", base+i)
		}
	}
	if n := c.n.Load(); n != maxCachedPCs {
		t.Errorf("count = %d, want %d", n, maxCachedPCs)
	}
	size := 0
	c.m.Range(func(any, any) bool { size++; return true })
	if size != maxCachedPCs {
		t.Errorf("cache holds %d PCs, want %d", size, maxCachedPCs)
	}
	if _, ok := c.m.Load(base + maxCachedPCs + 50); ok {
		t.Error("a PC past the bound was cached")
	}
	if fr := c.frames(pcs[0]); &fr[0] != &f1[0] {
		t.Error("a cached PC was evicted")
	}
}

func TestIsLoggingFrame(t *testing.T) {
	tests := map[string]bool{
		"github.com/logsentry/logsentry":                  true,
		"github.com/logsentry/logsentry/slogsentry":       true,
		"github.com/logsentry/logsentry/breadcrumbs":      true,
		"github.com/logsentry/logsentry_test":             false,
		"github.com/logsentry/logsentry/slogsentry_test":  false,
		"github.com/logsentry/logsentry/examples/httpsvc": false,
		"github.com/logsentry/logsentryx":                 false,
		"log/slog":                                        true,
		"log":                                             true,
		"go.uber.org/zap/zapcore":                         true,
		"github.com/sirupsen/logrus":                      true,
		"github.com/rs/zerolog/log":                       true,
		"github.com/getsentry/sentry-go":                  true,
		"runtime":                                         true,
		"main":                                            false,
		"logging":                                         false,
		"example.com/app":                                 false,
	}
	for mod, want := range tests {
		if got := isLoggingFrame(mod); got != want {
			t.Errorf("isLoggingFrame(%q) = %v, want %v", mod, got, want)
		}
	}
}

func TestOwnPackage(t *testing.T) {
	tests := []struct {
		file, pkg string
		ok        bool
	}{
		{ownDir + "/stack.go", thisModule, true},
		{ownDir + "/breadcrumbs/breadcrumbs.go", thisModule + "/breadcrumbs", true},
		{ownDir + "/internal/redact/redact.go", thisModule + "/internal/redact", true},
		{ownDir + "/stack_test.go", "", false},
		{ownDir + "/slogsentry/handler_test.go", "", false},
		{ownDir + "/examples/quickstart/main.go", "", false},
		{ownDir + "x/stack.go", "", false},
		{"/home/u/app/main.go", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if pkg, ok := ownPackage(tt.file); pkg != tt.pkg || ok != tt.ok {
			t.Errorf("ownPackage(%q) = %q, %v, want %q, %v", tt.file, pkg, ok, tt.pkg, tt.ok)
		}
	}
	if _, file, _, _ := runtime.Caller(0); path.Dir(file) != ownDir {
		t.Errorf("ownDir = %q, want the directory of %s", ownDir, file)
	}
}

// jsonStringLen is the length of json.Marshal's encoding of a valid UTF-8
// string, and truncateJSON keeps a prefix that encodes in its budget.
func FuzzJSONStringLen(f *testing.F) {
	for _, s := range []string{"", "plain", `<a href="x">&amp;</a>`, "\x00\x01\n\t\r\\\"", "\u2028\u2029", "é€😀", "\xe2\x80", "\xe2\x80\xa8x"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonStringLen(s); got != len(raw) {
			t.Fatalf("jsonStringLen(%q) = %d, json.Marshal gives %d bytes", s, got, len(raw))
		}
		n = int(uint(n)%66) - 2 // -2 to 63: the budget code may ask for less than nothing
		cut := truncateJSON(s, n)
		if cut == s {
			if len(raw)-2 > max(n, 0) {
				t.Fatalf("truncateJSON(%q, %d) kept %d bytes of JSON", s, n, len(raw)-2)
			}
			return
		}
		kept, ok := strings.CutSuffix(cut, truncatedMark)
		if !ok || !strings.HasPrefix(s, kept) || !utf8.ValidString(cut) || jsonStringLen(kept)-2 > max(n, 0) {
			t.Fatalf("truncateJSON(%q, %d) = %q", s, n, cut)
		}
	})
}
