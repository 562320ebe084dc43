package logrussentry

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortAttrs orders by key for every length, on both sides of the switch to
// the generic sort, whatever the input order.
func TestSortAttrs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		for range 20 {
			attrs := make([]slog.Attr, n)
			for i := range attrs {
				attrs[i] = slog.Int(fmt.Sprintf("k%02d", r.IntN(30)), i)
			}
			sortAttrs(attrs)
			if !slices.IsSortedFunc(attrs, func(a, b slog.Attr) int {
				switch {
				case a.Key < b.Key:
					return -1
				case a.Key > b.Key:
					return 1
				}
				return 0
			}) {
				t.Fatalf("n=%d: not sorted: %v", n, attrs)
			}
		}
	}
}
