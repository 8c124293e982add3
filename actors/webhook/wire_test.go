package webhook_test

import (
	"testing"

	"github.com/humd/humd/storage"
)

// wire decodes a request body as transport does, for tests that write
// their inputs as JSON.
func wire[T any](t testing.TB, raw []byte) T {
	t.Helper()
	var v T
	if err := storage.DecodeStrict(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
