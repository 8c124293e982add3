package actortest

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
)

// OpenStore opens Pebble on fs, an in-memory filesystem that outlives the
// store: closing it and opening it again on the same fs (with the same
// secrets key, which seals integration secrets) is a restart. The caches
// are small, since a test writes little and every test opens one.
func OpenStore(t testing.TB, fs vfs.FS, secretsKey []byte) *storage.Pebble {
	t.Helper()
	st, err := storage.Open("db", storage.Options{FS: fs, SecretsKey: secretsKey, CacheBytes: 8 << 20, MemTableBytes: 4 << 20,
		OnFatal: func(msg string) { t.Errorf("storage fatal: %s", msg) }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return st
}
