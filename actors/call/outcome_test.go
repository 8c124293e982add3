package call

import (
	"strings"
	"testing"

	"github.com/humd/humd/storage"
)

// TestOutcomeFits: a model's outcome is kept only within the JSON depth
// every record reads back at; brackets inside strings do not nest.
func TestOutcomeFits(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1) }
	max := storage.MaxJSONDepth
	for _, tc := range []struct {
		in   string
		fits bool
	}{
		{`{"stage":"won"}`, true},
		{deep(max), true},
		{deep(max + 1), false},
		{strings.Repeat("[", max+1) + strings.Repeat("]", max+1), false},
		{`{"a":"` + strings.Repeat("{[", 100) + `"}`, true},
		{`{"a":"\\"` + strings.Repeat(`,"b":{`, max) + strings.Repeat("}", max) + `}`, false},
	} {
		if got := outcomeFits([]byte(tc.in)); got != tc.fits {
			t.Errorf("outcomeFits(%.40q...) = %v; want %v", tc.in, got, tc.fits)
		}
	}
}
