package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
)

// Crash tests run Pebble on vfs.NewCrashableMem and reopen it on a
// CrashClone: a copy of the filesystem as a crash would leave it, holding
// everything that was fsynced and, with UnsyncedDataPercent > 0, a random
// selection of the 4 KiB blocks and directory entries that were not.

// crashAndReopen takes a crash clone of fs, closes s (its later writes do not
// reach the clone) and opens a store on the clone.
func crashAndReopen(t *testing.T, fs *vfs.MemFS, s *storage.Pebble, cfg vfs.CrashCloneCfg) (*storage.Pebble, *vfs.MemFS) {
	t.Helper()
	clone := fs.CrashClone(cfg)
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	return openPebble(t, clone, "db"), clone
}

// recValue is the value of record i: its id plus padding, so that records
// span WAL blocks and a crash clone can keep part of a batch's bytes.
func recValue(i int) []byte {
	return []byte(fmt.Sprintf("rec-%05d|%s", i, strings.Repeat("x", 300+i%97)))
}

func commitRec(t *testing.T, s storage.Store, i int, d storage.Durability) {
	t.Helper()
	b := s.NewBatch()
	b.Set([]byte(fmt.Sprintf("rec/%05d", i)), recValue(i))
	if err := b.Commit(d); err != nil {
		t.Fatalf("Commit(rec %d) = %v", i, err)
	}
}

// TestCrash_SyncCommitsSurvive commits NoSync records, then Sync records,
// then more NoSync records, and crashes. Everything up to the last Sync
// commit must survive byte for byte (a Sync commit also makes the NoSync
// commits before it durable, as storage.NoSync promises); of the trailing
// NoSync records, the survivors are an unbroken run from the first one.
func TestCrash_SyncCommitsSurvive(t *testing.T) {
	const before, synced, after = 20, 40, 40
	run := func(t *testing.T, cfg vfs.CrashCloneCfg) {
		fs := vfs.NewCrashableMem()
		s := openPebble(t, fs, "db")
		n := 0
		for range before {
			commitRec(t, s, n, storage.NoSync)
			n++
		}
		for range synced {
			commitRec(t, s, n, storage.Sync)
			n++
		}
		for range after {
			commitRec(t, s, n, storage.NoSync)
			n++
		}
		s, _ = crashAndReopen(t, fs, s, cfg)
		defer s.Close()

		durable := before + synced
		for i := range durable {
			got, err := s.Get([]byte(fmt.Sprintf("rec/%05d", i)))
			if err != nil || !bytes.Equal(got, recValue(i)) {
				t.Fatalf("record %d (committed before the last Sync commit) after crash = %.20q, %v; want %.20q",
					i, got, err, recValue(i))
			}
		}
		survived := 0
		for i := durable; i < n; i++ {
			got, err := s.Get([]byte(fmt.Sprintf("rec/%05d", i)))
			switch {
			case errors.Is(err, storage.ErrNotFound):
			case err != nil:
				t.Fatalf("Get(record %d) = %v", i, err)
			case !bytes.Equal(got, recValue(i)):
				t.Fatalf("NoSync record %d survived corrupted: %.20q", i, got)
			case survived != i-durable:
				t.Fatalf("NoSync record %d survived but record %d did not", i, durable+survived)
			default:
				survived++
			}
		}
		if cfg.UnsyncedDataPercent == 0 && survived != 0 {
			// The clone kept unsynced data, so this test could not tell a
			// Sync commit that skipped its fsync from one that did not.
			t.Fatalf("%d NoSync records survived a clone of synced data only; want 0", survived)
		}
		t.Logf("unsynced=%d%%: %d of %d trailing NoSync records survived", cfg.UnsyncedDataPercent, survived, after)
	}

	t.Run("unsynced=0", func(t *testing.T) { run(t, vfs.CrashCloneCfg{}) })
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0))
		pct := rng.IntN(101)
		t.Run(fmt.Sprintf("seed=%d/unsynced=%d", seed, pct), func(t *testing.T) {
			run(t, vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rng})
		})
	}
}

// TestCrash_BatchesAreAtomic has a writer commit batches of one record plus
// its index entries (about 6 KiB each, so every batch spans WAL blocks) while
// the test takes crash clones at many points. On every clone each batch is
// wholly present or wholly absent, the present batches are a prefix of the
// commit order, and every batch whose Sync commit had returned before the
// clone was taken is present.
func TestCrash_BatchesAreAtomic(t *testing.T) {
	const batches, idxPerBatch, cloneEvery = 160, 12, 8
	fs := vfs.NewCrashableMem()
	s := openPebble(t, fs, "db")

	var durable atomic.Int64 // batches [0, durable) were covered by a returned Sync commit
	progress := make(chan struct{})
	writerErr := make(chan error, 1)
	go func() {
		defer close(progress)
		for i := range batches {
			b := s.NewBatch()
			b.Set(fmt.Appendf(nil, "rec/%04d", i), recValue(i))
			for j := range idxPerBatch {
				b.Set(fmt.Appendf(nil, "idx/%02d/%04d", j, i), recValue(i*idxPerBatch+j))
			}
			d := storage.NoSync
			if i%10 == 9 {
				d = storage.Sync
			}
			if err := b.Commit(d); err != nil {
				writerErr <- err
				return
			}
			if d == storage.Sync {
				durable.Store(int64(i + 1))
			}
			if i%cloneEvery == 0 {
				progress <- struct{}{} // the clone is taken while the next commits run
			}
		}
	}()

	type crash struct {
		fs      *vfs.MemFS
		pct     int
		durable int
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var crashes []crash
	take := func() {
		d := int(durable.Load()) // read before cloning: those batches must be in the clone
		pct := []int{0, 100, rng.IntN(101)}[len(crashes)%3]
		crashes = append(crashes, crash{fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rng}), pct, d})
	}
	for range progress {
		take()
	}
	select {
	case err := <-writerErr:
		t.Fatalf("writer: Commit = %v", err)
	default:
	}
	take()
	take()
	take()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	partial := 0
	for n, c := range crashes {
		present := checkBatchesAtomic(t, c.fs, batches, idxPerBatch)
		if present < c.durable {
			t.Errorf("crash %d (unsynced=%d%%): %d batches present; want at least the %d whose Sync commit returned",
				n, c.pct, present, c.durable)
		}
		if present > 0 && present < batches {
			partial++
		}
	}
	if partial == 0 {
		t.Fatalf("no crash clone caught the writer midway; the test checked nothing")
	}
	t.Logf("%d crash clones, %d caught the writer midway", len(crashes), partial)
}

// checkBatchesAtomic opens a store on fs and returns how many batches are
// present, failing the test if one is partly present or if they are not a
// prefix of the commit order.
func checkBatchesAtomic(t *testing.T, fs *vfs.MemFS, batches, idxPerBatch int) int {
	t.Helper()
	s := openPebble(t, fs, "db")
	defer s.Close()
	keys := make([]int, batches) // keys found per batch id
	for _, prefix := range []string{"rec/", "idx/"} {
		err := s.Scan([]byte(prefix), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
			i, err := strconv.Atoi(string(k[bytes.LastIndexByte(k, '/')+1:]))
			if err != nil || i >= batches {
				return false, fmt.Errorf("unexpected key %q", k)
			}
			keys[i]++
			return true, nil
		})
		if err != nil {
			t.Fatalf("Scan(%q) = %v", prefix, err)
		}
	}
	present := 0
	for i, n := range keys {
		switch {
		case n != 0 && n != 1+idxPerBatch:
			t.Fatalf("batch %d is half there after a crash: %d of %d keys", i, n, 1+idxPerBatch)
		case n != 0 && present != i:
			t.Fatalf("batch %d survived a crash but batch %d did not", i, present)
		case n != 0:
			present++
		}
	}
	return present
}

// TestCrash_SequenceNeverReissued takes numbers from Sequence, commits a
// record that uses the last one with Sync, takes a few more numbers, and
// crashes; ten times over, each run reopening the previous crash clone. A
// number taken before a returned Sync commit is never handed out again, and
// every record committed with Sync keeps its own number.
func TestCrash_SequenceNeverReissued(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	key := []byte("seq/org/session")
	fs := vfs.NewCrashableMem()
	s := openPebble(t, fs, "db")
	var highest uint64 // the last number taken before a returned Sync commit
	var records []uint64
	for round := range 10 {
		for range 1 + rng.IntN(20) {
			n, err := s.Sequence(key)
			if err != nil {
				t.Fatalf("round %d: Sequence = %v", round, err)
			}
			if n <= highest {
				t.Fatalf("round %d: Sequence = %d after a crash; %d was already issued before a Sync commit", round, n, highest)
			}
			highest = n
		}
		b := s.NewBatch()
		b.Set(fmt.Appendf(nil, "sess/%020d", highest), []byte("x"))
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		records = append(records, highest)
		for range rng.IntN(5) { // may be lost, and then reissued: allowed
			if _, err := s.Sequence(key); err != nil {
				t.Fatal(err)
			}
		}
		pct := rng.IntN(101)
		s, fs = crashAndReopen(t, fs, s, vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rng})
	}
	defer s.Close()
	for _, n := range records {
		if ok, err := s.Has(fmt.Appendf(nil, "sess/%020d", n)); !ok || err != nil {
			t.Errorf("record for number %d after crashes: Has = %v, %v; want true", n, ok, err)
		}
	}
	if n, err := s.Sequence(key); err != nil || n <= highest {
		t.Errorf("final Sequence = %d, %v; want more than %d", n, err, highest)
	}
}
