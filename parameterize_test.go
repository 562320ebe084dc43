package logsentry

import (
	"hash/maphash"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParameterize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Nothing to replace: the same string comes back.
		{"", ""},
		{"disk almost full", "disk almost full"},
		{"user42 v2 utf8 h2c x86_64", "user42 v2 utf8 h2c x86_64"},
		{"10MB over quota", "10MB over quota"},
		{"décès 1é", "décès 1é"},
		// Integers, negative ones, floats.
		{"charge 4821 failed", "charge <int> failed"},
		{"charge 18446744073709551615 failed", "charge <int> failed"},
		{"job-123 failed after 3 tries", "job-<int> failed after <int> tries"},
		{"delta -12 out of range", "delta <int> out of range"},
		{"ratio 0.25, -1.5 and 1e-05 and 6.02e+23", "ratio <float>, <float> and <float> and <float>"},
		{"upgrade to v1.2.3", "upgrade to v1.<float>"},
		{"[3/10] retrying", "[<int>/<int>] retrying"},
		// Go durations.
		{"timeout after 150ms", "timeout after <duration>"},
		{"took 1.5s, then 2h45m0s, then 3µs", "took <duration>, then <duration>, then <duration>"},
		{"5min left", "5min left"},
		// Addresses.
		{"dial tcp 10.0.0.1:5432: connect: connection refused", "dial tcp <ip>:<int>: connect: connection refused"},
		{"dial tcp [::1]:8080: refused", "dial tcp [<ip>]:<int>: refused"},
		{"from 2001:db8::ff00:42:8329 and fe80::1:", "from <ip> and <ip>:"},
		{"version 1.2.3.4.5", "version <float>.<float>.<int>"},
		{"host 256.1.1.1", "host <float>.<float>"},
		{"GET https://api.example.com/v1/users/42?x=1 failed", "GET <url> failed"},
		{"bad dsn postgres://u:p@db:5432/app", "bad dsn <url>"},
		{"mail to john.doe+tag@example.co.uk bounced", "mail to <email> bounced"},
		{"user alice@example bounced; not@ this", "user <email> bounced; not@ this"},
		// Ids.
		{"order 3f2504e0-4f89-11d3-9a0c-0305e82c3301 not found", "order <uuid> not found"},
		{"at 0xc000012345 and 0XFF", "at <hex> and <hex>"},
		{"commit 1a2b3c4 and deadbeef01 and DEADBEEF01", "commit <hex> and <hex> and <hex>"},
		{"deadbeef and DeadBeef01 and abcdefg1", "deadbeef and DeadBeef01 and abcdefg1"},
		// Dates and times.
		{"expired 2026-12-07", "expired <date>"},
		{"at 2026-12-07T05:07:34Z", "at <date>"},
		{"at 2026-12-07T05:07:34.123456789+01:00 done", "at <date> done"},
		{"at 2026-12-07 05:07:34.5 +0000 UTC m=+0.1", "at <date> m=+<float>"},
		{"at 05:07 and 5:07:34.25", "at <date> and <date>"},
		// Values after '='.
		{`lookup id="a b \" c" ok=true`, "lookup id=<quoted_str> ok=<bool>"},
		{`name='x' empty="" open="x`, `name=<quoted_str> empty="" open="x`},
		{"ok true", "ok true"},
		// Non-ASCII punctuation ends a word; non-ASCII letters do not.
		{"retry 3… 4821€ “42” 12°C id—42 5\u00a0s", "retry <int>… <int>€ “<int>” <int>°C id—<int> <int>\u00a0s"},
		{"Straße7 ü8", "Straße7 ü8"},
		// Ids glued to a name.
		{"open /tmp/upload3829475612: no space", "open /tmp/upload<int>: no space"},
		{"order ORD00042 job_123456 utf16 sha256 x86_64 rfc3339", "order ORD<int> job_<int> utf16 sha256 x86_64 rfc3339"},
		// time.Kitchen.
		{"at 3:04PM and 3:04 pm", "at <date> and <date>"},
		// Not e-mail addresses.
		{"go: github.com/acme/billing@v1.2.3: invalid version", "go: github.com/acme/billing@v1.<float>: invalid version"},
		{"owner=alice@example.com denied", "owner=<email> denied"},
		{"path /a/b@c.d/e", "path /a/<email>/e"},
	} {
		if got := parameterize(c.in, 0); got != c.want {
			t.Errorf("parameterize(%q, 0)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestGroupTextBounds(t *testing.T) {
	long := strings.Repeat("id 12 ", 10_000) // 60 KB
	got := groupText(long)
	if n := jsonStringLen(got) - 2; n > maxFingerprintPart {
		t.Errorf("groupText kept %d bytes of JSON, want at most %d, the mark included", n, maxFingerprintPart)
	}
	if !strings.HasPrefix(got, "id <int> id <int> ") {
		t.Errorf("groupText = %.40q…, want it parameterized", got)
	}
	// A placeholder shorter than what it replaces must not pull bytes from
	// past the scanned prefix: a cut in a multi-byte rune stays valid.
	cut := strings.Repeat("é", maxParameterize) // 2 bytes each
	if g := groupText(cut); !utf8.ValidString(g) {
		t.Errorf("groupText of a long non-ASCII message is not valid UTF-8")
	}
}

func TestParameterizeAllocs(t *testing.T) {
	for _, s := range []string{"disk almost full", "user42 had no v2 token"} {
		if n := testing.AllocsPerRun(100, func() { parameterize(s, 0) }); n != 0 {
			t.Errorf("parameterize(%q, 0): %v allocations, want 0", s, n)
		}
	}
}

func FuzzParameterize(f *testing.F) {
	for _, s := range []string{
		"charge 4821 failed", "dial tcp 10.0.0.1:5432: refused", "at 2026-12-07T05:07:34Z",
		"from fe80::1: x", `id="a\"b" ok=true`, "mail a.b@c.d", "https://x.y/z 1.5s 2h45m0s 0xFF",
		"-1e+5 1.2.3.4.5 ::", "\xff1 é2", strings.Repeat("0 ", 600), strings.Repeat("\x01", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parameterize(s, 0)
		if utf8.ValidString(s) && !utf8.ValidString(p) {
			t.Fatalf("parameterize(%q, 0) = %q: not valid UTF-8", s, p)
		}
		if len(p) > 5*len(s) { // "<int>" for "0", "<duration>" for "1s"
			t.Fatalf("parameterize(%q, 0) = %q grew", s, p)
		}
		// A number's value never matters, whatever is around it.
		if a, b := parameterize(s+" 3 "+s, 0), parameterize(s+" 7 "+s, 0); a != b {
			t.Fatalf("the value of a number changed the result:\n  %q\n  %q", a, b)
		}
		// The rate-limit key hashes what the fingerprint holds.
		var h1, h2 maphash.Hash
		h1.SetSeed(seed)
		h2.SetSeed(seed)
		writeGroupKey(&h1, s)
		writeKeyPart(&h2, groupText(s))
		if h1.Sum64() != h2.Sum64() {
			t.Fatalf("writeGroupKey(%q) hashes other than groupText %q", s, groupText(s))
		}
		g := groupText(s)
		if n := jsonStringLen(g) - 2; n > maxFingerprintPart {
			t.Fatalf("groupText kept %d bytes", n)
		}
	})
}

// BenchmarkParameterize: ordinary messages, and 8 KB ones built to make a
// scan that restarts at each word quadratic.
func BenchmarkParameterize(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"plain", "disk almost full"},
		{"rendered", "charge 4821 for user 3f2504e0-4f89-11d3-9a0c-0305e82c3301 failed after 150ms"},
		{"dots 8KB", strings.Repeat("a.", 4096)},
		{"colons 8KB", strings.Repeat("a:", 4096)},
		{"quotes 8KB", strings.Repeat(`a="b `, 1638)},
		{"mails 8KB", strings.Repeat("a.b@", 2048)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				groupText(c.s)
			}
		})
	}
}
