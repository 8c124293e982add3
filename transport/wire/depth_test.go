package wire_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/wire"
)

func deepObject(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + "{}" + strings.Repeat("}", depth-1)
}

func TestCheckJSONDepth(t *testing.T) {
	max := storage.MaxJSONDepth
	for _, tc := range []struct {
		in   string
		deep bool
	}{
		{``, false},
		{`{}`, false},
		{deepObject(max), false},
		{deepObject(max + 1), true},
		{strings.Repeat("[", max) + strings.Repeat("]", max), false},
		{strings.Repeat("[", max+1) + strings.Repeat("]", max+1), true},
		{deepObject(10000), true},
		// Brackets inside strings do not nest, escaped quotes do not end them.
		{`{"a":"` + strings.Repeat("{[", 100) + `"}`, false},
		{`{"a":"\"` + strings.Repeat("{", 100) + `"}`, false},
		{`{"a":"\\"` + strings.Repeat(`,"b":{`, max) + strings.Repeat("}", max) + `}`, true},
		// Siblings do not add up.
		{`[` + strings.Repeat(deepObject(max-1)+",", 50) + `1]`, false},
	} {
		err := wire.CheckDepth([]byte(tc.in))
		if (err != nil) != tc.deep || err != nil && !errors.Is(err, wire.ErrTooDeep) {
			t.Errorf("CheckDepth(%.40q...) = %v; want too deep: %v", tc.in, err, tc.deep)
		}
	}
}
