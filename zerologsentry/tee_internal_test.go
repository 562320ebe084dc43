package zerologsentry

import (
	"bytes"
	"math/rand/v2"
	"testing"
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
