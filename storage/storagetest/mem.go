package storagetest

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
)

// OpenMem opens a Pebble store on an in-memory filesystem, closed when the
// test ends: the store the package tests of records and actors run on.
func OpenMem(t testing.TB) *storage.Pebble {
	t.Helper()
	s, err := storage.Open("db", storage.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
