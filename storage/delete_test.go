package storage_test

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
)

// DeleteAll removes the named keys and everything under the prefixes, and
// nothing else.
func TestDeleteAll(t *testing.T) {
	s := openPebble(t, vfs.NewMem(), "db")
	defer s.Close()
	b := s.NewBatch()
	for _, k := range []string{"rec/1", "cur/1", "log/1/a", "log/1/b", "log/10/a", "rec/2"} {
		b.Set([]byte(k), []byte("x"))
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if err := storage.DeleteAll(s, [][]byte{[]byte("rec/1"), []byte("cur/1")}, []byte("log/1/")); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"rec/1": false, "cur/1": false, "log/1/a": false, "log/1/b": false, "log/10/a": true, "rec/2": true} {
		if ok, err := s.Has([]byte(k)); err != nil || ok != want {
			t.Errorf("Has(%s) = %v, %v; want %v", k, ok, err, want)
		}
	}
}
