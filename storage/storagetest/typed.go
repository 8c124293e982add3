package storagetest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Typed builds a typed input from JSON, for tests that write their inputs
// as JSON. Unknown keys fail, so a misspelt field cannot pass unnoticed;
// decoding requests is transport's (transport/wire), not storage's or an
// actor's, which take typed values only.
func Typed[T any](t testing.TB, raw []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
