package storage_test

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// openPebble opens a store in dir on fs and fails the test on error. The
// caller closes it.
func openPebble(t testing.TB, fs vfs.FS, dir string) *storage.Pebble {
	t.Helper()
	s, err := storage.Open(dir, storage.Options{FS: fs, OnFatal: panicOnFatal})
	if err != nil {
		t.Fatalf("Open(%q) = %v", dir, err)
	}
	return s
}

func TestPebble_Conformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return openPebble(t, vfs.NewMem(), "db")
	})
}

// TestPebble_Reopen checks that records and counters outlive Close: a clean
// shutdown loses nothing, NoSync commits included, and Sequence continues
// from the stored counter rather than from the process's memory.
func TestPebble_Reopen(t *testing.T) {
	fs := vfs.NewMem()
	s := openPebble(t, fs, "db")
	b := s.NewBatch()
	b.Set([]byte("k/sync"), []byte("1"))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	b = s.NewBatch()
	b.Set([]byte("k/nosync"), []byte("2"))
	if err := b.Commit(storage.NoSync); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Sequence([]byte("seq/a")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	s = openPebble(t, fs, "db")
	defer s.Close()
	for k, want := range map[string]string{"k/sync": "1", "k/nosync": "2"} {
		if got, err := s.Get([]byte(k)); err != nil || string(got) != want {
			t.Errorf("after reopen Get(%q) = %q, %v; want %q", k, got, err, want)
		}
	}
	if n, err := s.Sequence([]byte("seq/a")); err != nil || n != 4 {
		t.Errorf("after reopen Sequence(seq/a) = %d, %v; want 4", n, err)
	}
}

// After Close every operation answers ErrClosed: workers that outlive a
// shutdown get an error, not Pebble's panic on a closed DB.
func TestPebble_UseAfterClose(t *testing.T) {
	s := openPebble(t, vfs.NewMem(), "db")
	b := s.NewBatch()
	b.Set([]byte("k"), []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Commit = %v", err)
	}
	if _, err := s.Get([]byte("k")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Get = %v", err)
	}
	if err := s.Scan([]byte("k"), storage.ScanOptions{}, func(_, _ []byte) (bool, error) { return true, nil }); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Scan = %v", err)
	}
	if _, err := s.Sequence([]byte("seq")); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Sequence = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
