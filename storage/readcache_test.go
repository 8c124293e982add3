package storage_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

func openCached(t testing.TB, prefixes []string, budget int64) *storage.Pebble {
	t.Helper()
	s, err := storage.Open("db", storage.Options{FS: vfs.NewMem(), OnFatal: panicOnFatal, CachedPrefixes: prefixes, ReadCacheBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// With every key behind the read cache the store must still pass the whole
// conformance suite: the cache may never change what a read answers.
func TestPebble_ConformanceAllCached(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := storage.Open("db", storage.Options{FS: vfs.NewMem(), OnFatal: panicOnFatal, CachedPrefixes: []string{""}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func commitSet(t testing.TB, s storage.Store, key, val string) {
	t.Helper()
	b := s.NewBatch()
	if val == "" {
		b.Delete([]byte(key))
	} else {
		b.Set([]byte(key), []byte(val))
	}
	if err := b.Commit(storage.NoSync); err != nil {
		t.Fatal(err)
	}
}

// A cached value and a cached absence both give way to the next commit.
func TestReadCache_CommitReplacesCachedValueAndAbsence(t *testing.T) {
	s := openCached(t, []string{"optout/"}, 0)
	key := []byte("optout/org/+1555")
	for round, want := range []string{"", "a", "b", ""} {
		if round > 0 {
			commitSet(t, s, string(key), want)
		}
		for range 2 { // the second read comes from the cache
			v, err := s.Get(key)
			if want == "" {
				if !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("round %d: Get = %q, %v; want ErrNotFound", round, v, err)
				}
				continue
			}
			if err != nil || string(v) != want {
				t.Fatalf("round %d: Get = %q, %v; want %q", round, v, err, want)
			}
		}
		if has, _ := s.Has(key); has != (want != "") {
			t.Fatalf("round %d: Has = %v", round, has)
		}
	}
}

// A discarded batch leaves the cached value in place and correct.
func TestReadCache_DiscardKeepsValue(t *testing.T) {
	s := openCached(t, []string{"block/"}, 0)
	commitSet(t, s, "block/o/1", "x")
	if _, err := s.Get([]byte("block/o/1")); err != nil {
		t.Fatal(err)
	}
	b := s.NewBatch()
	b.Set([]byte("block/o/1"), []byte("y"))
	b.Discard()
	if v, err := s.Get([]byte("block/o/1")); err != nil || string(v) != "x" {
		t.Fatalf("Get = %q, %v; want x", v, err)
	}
}

// Readers racing writers never see a value older than the last commit that
// returned before the read began.
func TestReadCache_NoStaleReadAfterCommit(t *testing.T) {
	s := openCached(t, []string{"contact/"}, 0)
	const writes = 2000
	keys := []string{"contact/o/a", "contact/o/b", "contact/o/c"}
	var committed [3]struct {
		sync.Mutex
		n int
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i, k := range keys {
		wg.Go(func() {
			for n := 1; n <= writes; n++ {
				commitSet(t, s, k, strconv.Itoa(n))
				committed[i].Lock()
				committed[i].n = n
				committed[i].Unlock()
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for r := 0; r < writes*3; r++ {
				i := r % len(keys)
				committed[i].Lock()
				floor := committed[i].n
				committed[i].Unlock()
				v, err := s.Get([]byte(keys[i]))
				if floor == 0 && errors.Is(err, storage.ErrNotFound) {
					continue
				}
				n, _ := strconv.Atoi(string(v))
				if err != nil || n < floor {
					errs <- fmt.Errorf("%s: read %q (%v) after %d was committed", keys[i], v, err, floor)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A tiny budget keeps working: full shards are emptied and refilled.
func TestReadCache_BudgetOverflow(t *testing.T) {
	s := openCached(t, []string{"number/"}, 16*200)
	for i := range 500 {
		commitSet(t, s, fmt.Sprintf("number/o/%d", i), strconv.Itoa(i))
	}
	for range 2 {
		for i := range 500 {
			v, err := s.Get(fmt.Appendf(nil, "number/o/%d", i))
			if err != nil || string(v) != strconv.Itoa(i) {
				t.Fatalf("Get(%d) = %q, %v", i, v, err)
			}
		}
	}
}
