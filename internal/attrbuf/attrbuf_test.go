package attrbuf

import (
	"log/slog"
	"testing"
)

// A slice given back is cleared, comes back empty, and one grown past the
// bound is not kept.
func TestPutClears(t *testing.T) {
	buf := Get()
	attrs := append(*buf, slog.String("a", "secret"), slog.Int("b", 1))
	Put(buf, attrs)
	for i, a := range attrs[:2] {
		if a.Key != "" || !a.Value.Equal(slog.Value{}) {
			t.Errorf("slot %d still holds %v", i, a)
		}
	}
	if got := Get(); len(*got) != 0 {
		t.Errorf("Get returned %d attrs, want 0", len(*got))
	}

	big := Get()
	grown := make([]slog.Attr, 1, maxPooled+1)
	grown[0] = slog.String("k", "v")
	Put(big, grown)
	if grown[0].Key != "k" {
		t.Error("a slice past the bound was cleared: it was kept")
	}
}
