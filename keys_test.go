package logsentry

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// The key cache gives the same answers as computing them, whatever the
// order, the collisions and the reuse of the caller's bytes.
func TestKeyCache(t *testing.T) {
	b := New(WithRedactKeys("tenant_secret"), WithAllowKeys("token_count"))
	cases := []struct {
		key, clean string
		sensitive  bool
	}{
		{"user_id", "user_id", false},
		{"password", "password", true},
		{"Authorization", "Authorization", true},
		{"tenant_secret", "tenant_secret", true},
		{"token_count", "token_count", false},
		{"api_key", "api_key", true},
		{"re\xffgion", "re\uFFFDgion", false},
		{"", "", false},
		{strings.Repeat("k", maxCachedKey+1), strings.Repeat("k", maxCachedKey+1), false},
		{strings.Repeat("p", maxKeyBytes+10), strings.Repeat("p", maxKeyBytes) + truncatedMark, false},
	}
	for round := range 3 { // miss, then hits, then hits again
		for _, c := range cases {
			clean, sensitive := b.key(c.key)
			if clean != c.clean || sensitive != c.sensitive {
				t.Errorf("round %d: key(%q) = %q, %v; want %q, %v", round, c.key, clean, sensitive, c.clean, c.sensitive)
			}
		}
	}

	// A key that aliases a buffer the caller reuses (zerolog's parser, a
	// byte slice turned into a string without copying) must not change the
	// cached entry when the buffer changes.
	buf := []byte("password")
	k := unsafe.String(&buf[0], len(buf))
	if _, s := b.key(k); !s {
		t.Fatal("password not sensitive")
	}
	copy(buf, "userid__")
	if clean, s := b.key("password"); clean != "password" || !s {
		t.Errorf("after the caller's buffer changed: key(password) = %q, %v", clean, s)
	}

	// More distinct keys than slots: every answer is still right.
	for i := range 3 * keyCacheSlots {
		k := fmt.Sprintf("field_%d", i)
		if clean, s := b.key(k); clean != k || s {
			t.Fatalf("key(%q) = %q, %v", k, clean, s)
		}
		if i%97 == 0 {
			if _, s := b.key("password"); !s {
				t.Fatalf("password not sensitive after %d other keys", i)
			}
		}
	}
}

func TestKeyCacheConcurrent(t *testing.T) {
	b := New()
	keys := []string{"password", "user_id", "secret", "path", "token", "region"}
	want := map[string]bool{"password": true, "secret": true, "token": true}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := keys[(i+g)%len(keys)]
				if i%3 == 0 {
					k = strings.Clone(k) // a fresh copy: compared by content
				}
				if _, s := b.key(k); s != want[k] {
					t.Errorf("key(%q) sensitive = %v", k, s)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Pooled field slices are cleared when released: the pool keeps no value
// of a record alive.
func TestFieldsReleasedCleared(t *testing.T) {
	b := New()
	secret := new(int)
	r := Record{Severity: SeverityInfo, Message: "m"}
	r.Attrs = append(r.Attrs, slog.Any("p", secret), slog.String("q", "v"))
	n := b.normalize(&r)
	if len(n.fields) != 2 {
		t.Fatalf("fields = %v", n.fields)
	}
	f := n.fields[:cap(n.fields)]
	n.release()
	if n.fields != nil || n.buf != nil {
		t.Error("release left the slice on the record")
	}
	for i := range f {
		if f[i].key != "" || f[i].val.Any() != nil || f[i].groups != nil {
			t.Errorf("released slot %d still holds %+v", i, f[i])
		}
	}
}

// A sensitive word past the cut of a long key still hides the value, in
// fields, nested groups and the user group.
func TestLongSensitiveKey(t *testing.T) {
	b := New()
	long := strings.Repeat("a", maxKeyBytes-6) + "_password"
	if clean, s := b.key(long); !s || clean == long {
		t.Fatalf("key(%d bytes ending in _password) = %q, %v; want cut and sensitive", len(long), clean, s)
	}
	r := Record{Severity: SeverityError, Message: "m", Attrs: []slog.Attr{
		slog.String(long, "hunter2"),
		slog.Group("g", slog.String(long, "hunter3")),
		slog.Group("user", slog.String("id", "u1"), slog.String(long, "hunter4")),
	}}
	n := b.normalize(&r)
	defer n.release()
	for _, f := range n.fields {
		if v := f.val.String(); v != filtered {
			t.Errorf("field %q = %q, want %s", f.key, v, filtered)
		}
	}
	for k, v := range n.user.Data {
		if v != filtered {
			t.Errorf("user.Data[%q] = %q, want %s", k, v, filtered)
		}
	}
	if len(n.fields) != 2 || len(n.user.Data) != 1 {
		t.Errorf("fields = %d, user data = %d; want 2 and 1", len(n.fields), len(n.user.Data))
	}
}
