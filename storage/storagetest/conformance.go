package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/humd/humd/storage"
)

// Run runs the conformance suite against stores made by open. Each subtest
// calls open once and expects a new, empty store; Run closes it when the
// subtest ends and fails the subtest if Close returns an error, so open must
// not close it itself.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"GetMissing", testGetMissing},
		{"SetGet", testSetGet},
		{"GetReturnsCopy", testGetReturnsCopy},
		{"BatchCopiesInput", testBatchCopiesInput},
		{"Has", testHas},
		{"BatchInvisibleUntilCommit", testBatchInvisibleUntilCommit},
		{"BatchDiscard", testBatchDiscard},
		{"BatchLastWriteWins", testBatchLastWriteWins},
		{"Delete", testDelete},
		{"ScanOrder", testScanOrder},
		{"ScanAfterAndLimit", testScanAfterAndLimit},
		{"ScanStop", testScanStop},
		{"ScanError", testScanError},
		{"ScanRetainedCopies", testScanRetainedCopies},
		{"ScanPrefixBoundaries", testScanPrefixBoundaries},
		{"ScanU64Order", testScanU64Order},
		{"ScanSeesWholeBatches", testScanSeesWholeBatches},
		{"Sequence", testSequence},
		{"SequenceConcurrent", testSequenceConcurrent},
		{"JSON", testJSON},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v; want nil", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// commit writes key/value pairs (kv alternates key, value) in one batch.
func commit(t *testing.T, s storage.Store, d storage.Durability, kv ...string) {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("commit: odd number of arguments %d", len(kv))
	}
	b := s.NewBatch()
	for i := 0; i < len(kv); i += 2 {
		b.Set([]byte(kv[i]), []byte(kv[i+1]))
	}
	if err := b.Commit(d); err != nil {
		t.Fatalf("Commit(%v) = %v; want nil", d, err)
	}
}

func mustGet(t *testing.T, s storage.Store, key string) string {
	t.Helper()
	v, err := s.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q) = %v; want a value", key, err)
	}
	return string(v)
}

func wantMissing(t *testing.T, s storage.Store, key string) {
	t.Helper()
	if v, err := s.Get([]byte(key)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
	if ok, err := s.Has([]byte(key)); ok || err != nil {
		t.Errorf("Has(%q) = %v, %v; want false, nil", key, ok, err)
	}
}

// scanKeys returns the keys Scan visits, checking each value is "v:"+key.
func scanKeys(t *testing.T, s storage.Store, prefix string, o storage.ScanOptions) []string {
	t.Helper()
	var keys []string
	err := s.Scan([]byte(prefix), o, func(k, v []byte) (bool, error) {
		if want := "v:" + string(k); string(v) != want {
			t.Errorf("Scan(%q) value at %q = %q; want %q", prefix, k, v, want)
		}
		keys = append(keys, string(k))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Scan(%q, %+v) = %v; want nil", prefix, o, err)
	}
	return keys
}

// fill commits every key with value "v:"+key, in a shuffled order so that an
// implementation that returns insertion order fails the order checks.
func fill(t *testing.T, s storage.Store, keys ...string) {
	t.Helper()
	shuffled := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	kv := make([]string, 0, 2*len(keys))
	for _, k := range shuffled {
		kv = append(kv, k, "v:"+k)
	}
	commit(t, s, storage.Sync, kv...)
}

func testGetMissing(t *testing.T, s storage.Store) {
	v, err := s.Get([]byte("missing"))
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get(missing) = %q, %v; want ErrNotFound", v, err)
	}
	if ok, err := s.Has([]byte("missing")); ok || err != nil {
		t.Errorf("Has(missing) = %v, %v; want false, nil", ok, err)
	}
}

func testSetGet(t *testing.T, s storage.Store) {
	commit(t, s, storage.Sync, "k", "v1")
	if got := mustGet(t, s, "k"); got != "v1" {
		t.Errorf("Get(k) = %q; want %q", got, "v1")
	}
	commit(t, s, storage.Sync, "k", "v2")
	if got := mustGet(t, s, "k"); got != "v2" {
		t.Errorf("Get(k) after overwrite = %q; want %q", got, "v2")
	}
	// Binary keys and values survive byte for byte.
	bin := "\x00\xff/\x00k\xff"
	commit(t, s, storage.Sync, bin, "\x00\x01\xfe\xff")
	if got := mustGet(t, s, bin); got != "\x00\x01\xfe\xff" {
		t.Errorf("Get(%q) = %q; want %q", bin, got, "\x00\x01\xfe\xff")
	}
	// An empty value is a present key, not a missing one.
	commit(t, s, storage.Sync, "empty", "")
	v, err := s.Get([]byte("empty"))
	if err != nil || len(v) != 0 {
		t.Errorf("Get(empty) = %q, %v; want empty value, nil", v, err)
	}
	if ok, err := s.Has([]byte("empty")); !ok || err != nil {
		t.Errorf("Has(empty) = %v, %v; want true, nil", ok, err)
	}
}

func testGetReturnsCopy(t *testing.T, s storage.Store) {
	commit(t, s, storage.Sync, "k", "value")
	v, err := s.Get([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range v {
		v[i] = 'X'
	}
	_ = append(v[:0], "overwritten-and-longer"...)
	if got := mustGet(t, s, "k"); got != "value" {
		t.Errorf("Get(k) after mutating an earlier result = %q; want %q", got, "value")
	}
}

func testBatchCopiesInput(t *testing.T, s storage.Store) {
	key, val := []byte("k1"), []byte("v1")
	b := s.NewBatch()
	b.Set(key, val)
	// The caller reuses its buffers before Commit.
	copy(key, "k2")
	copy(val, "XX")
	b.Set(key, val)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "k1"); got != "v1" {
		t.Errorf("Get(k1) = %q; want %q (Batch.Set must copy its arguments)", got, "v1")
	}
	if got := mustGet(t, s, "k2"); got != "XX" {
		t.Errorf("Get(k2) = %q; want %q", got, "XX")
	}
}

func testHas(t *testing.T, s storage.Store) {
	commit(t, s, storage.Sync, "present", "x")
	if ok, err := s.Has([]byte("present")); !ok || err != nil {
		t.Errorf("Has(present) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := s.Has([]byte("presen")); ok || err != nil {
		t.Errorf("Has(presen) = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.Has([]byte("present2")); ok || err != nil {
		t.Errorf("Has(present2) = %v, %v; want false, nil", ok, err)
	}
}

func testBatchInvisibleUntilCommit(t *testing.T, s storage.Store) {
	b := s.NewBatch()
	if !b.Empty() {
		t.Errorf("NewBatch().Empty() = false; want true")
	}
	b.Set([]byte("b/rec"), []byte("v:b/rec"))
	b.Set([]byte("b/idx"), []byte("v:b/idx"))
	if b.Empty() {
		t.Errorf("Empty() after Set = true; want false")
	}
	wantMissing(t, s, "b/rec")
	wantMissing(t, s, "b/idx")
	if got := scanKeys(t, s, "b/", storage.ScanOptions{}); len(got) != 0 {
		t.Errorf("Scan(b/) before Commit = %q; want nothing", got)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if got := scanKeys(t, s, "b/", storage.ScanOptions{}); !slices.Equal(got, []string{"b/idx", "b/rec"}) {
		t.Errorf("Scan(b/) after Commit = %q; want [b/idx b/rec]", got)
	}
	// An empty batch commits without error and changes nothing.
	if err := s.NewBatch().Commit(storage.Sync); err != nil {
		t.Errorf("empty batch Commit = %v; want nil", err)
	}
}

func testBatchDiscard(t *testing.T, s storage.Store) {
	b := s.NewBatch()
	b.Set([]byte("d/1"), []byte("x"))
	b.Delete([]byte("d/0"))
	b.Discard()
	wantMissing(t, s, "d/1")
	if got := scanKeys(t, s, "", storage.ScanOptions{}); len(got) != 0 {
		t.Errorf("Scan after Discard = %q; want nothing", got)
	}
	// The store is still usable.
	commit(t, s, storage.Sync, "d/2", "y")
	if got := mustGet(t, s, "d/2"); got != "y" {
		t.Errorf("Get(d/2) = %q; want y", got)
	}
}

func testBatchLastWriteWins(t *testing.T, s storage.Store) {
	b := s.NewBatch()
	b.Set([]byte("a"), []byte("1"))
	b.Delete([]byte("a"))
	b.Delete([]byte("b"))
	b.Set([]byte("b"), []byte("2"))
	b.Set([]byte("c"), []byte("3"))
	b.Set([]byte("c"), []byte("4"))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, s, "a")
	if got := mustGet(t, s, "b"); got != "2" {
		t.Errorf("Get(b) = %q; want 2", got)
	}
	if got := mustGet(t, s, "c"); got != "4" {
		t.Errorf("Get(c) = %q; want 4", got)
	}
}

func testDelete(t *testing.T, s storage.Store) {
	fill(t, s, "x/a", "x/b", "x/c")
	b := s.NewBatch()
	b.Delete([]byte("x/b"))
	b.Delete([]byte("x/never-existed"))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatalf("Commit(delete) = %v; want nil", err)
	}
	wantMissing(t, s, "x/b")
	if got := mustGet(t, s, "x/a"); got != "v:x/a" {
		t.Errorf("Get(x/a) = %q; want v:x/a", got)
	}
	if got := scanKeys(t, s, "x/", storage.ScanOptions{}); !slices.Equal(got, []string{"x/a", "x/c"}) {
		t.Errorf("Scan(x/) = %q; want [x/a x/c]", got)
	}
	if got := scanKeys(t, s, "x/", storage.ScanOptions{Reverse: true}); !slices.Equal(got, []string{"x/c", "x/a"}) {
		t.Errorf("Scan(x/, reverse) = %q; want [x/c x/a]", got)
	}
	// A deleted key can be written again.
	commit(t, s, storage.Sync, "x/b", "again")
	if got := mustGet(t, s, "x/b"); got != "again" {
		t.Errorf("Get(x/b) after rewrite = %q; want again", got)
	}
}

// scanFixture is five keys under "p/" and neighbours on both sides of it.
var scanFixture = []string{"o/z", "p", "p.x", "p/a", "p/b", "p/c", "p/d", "p/e", "p0", "q/a"}

func testScanOrder(t *testing.T, s storage.Store) {
	fill(t, s, scanFixture...)
	want := []string{"p/a", "p/b", "p/c", "p/d", "p/e"}
	if got := scanKeys(t, s, "p/", storage.ScanOptions{}); !slices.Equal(got, want) {
		t.Errorf("Scan(p/) = %q; want %q", got, want)
	}
	slices.Reverse(want)
	if got := scanKeys(t, s, "p/", storage.ScanOptions{Reverse: true}); !slices.Equal(got, want) {
		t.Errorf("Scan(p/, reverse) = %q; want %q", got, want)
	}
}

func testScanAfterAndLimit(t *testing.T, s storage.Store) {
	fill(t, s, scanFixture...)
	all := []string{"p/a", "p/b", "p/c", "p/d", "p/e"}
	rev := []string{"p/e", "p/d", "p/c", "p/b", "p/a"}
	cases := []struct {
		after   string
		reverse bool
		limit   int
		want    []string
	}{
		{"", false, 0, all},
		{"", true, 0, rev},
		{"p/b", false, 0, []string{"p/c", "p/d", "p/e"}},
		{"p/bb", false, 0, []string{"p/c", "p/d", "p/e"}}, // After need not exist
		{"p/e", false, 0, nil},
		{"p/", false, 0, all},
		{"p/c", true, 0, []string{"p/b", "p/a"}},
		{"p/bb", true, 0, []string{"p/b", "p/a"}},
		{"p/a", true, 0, nil},
		{"p/", true, 0, nil},
		{"", false, 2, []string{"p/a", "p/b"}},
		{"", true, 2, []string{"p/e", "p/d"}},
		{"", false, 5, all},
		{"", false, 50, all},
		{"p/b", false, 2, []string{"p/c", "p/d"}},
		{"p/d", true, 2, []string{"p/c", "p/b"}},
		{"p/d", false, 2, []string{"p/e"}},
	}
	for _, c := range cases {
		o := storage.ScanOptions{Reverse: c.reverse, Limit: c.limit}
		if c.after != "" {
			o.After = []byte(c.after)
		}
		if got := scanKeys(t, s, "p/", o); !slices.Equal(got, c.want) {
			t.Errorf("Scan(p/, After=%q Reverse=%v Limit=%d) = %q; want %q", c.after, c.reverse, c.limit, got, c.want)
		}
	}
}

func testScanStop(t *testing.T, s storage.Store) {
	fill(t, s, scanFixture...)
	for _, reverse := range []bool{false, true} {
		var got []string
		err := s.Scan([]byte("p/"), storage.ScanOptions{Reverse: reverse}, func(k, _ []byte) (bool, error) {
			got = append(got, string(k))
			return len(got) < 2, nil
		})
		want := []string{"p/a", "p/b"}
		if reverse {
			want = []string{"p/e", "p/d"}
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Scan(p/, Reverse=%v) stopping after 2 = %q, %v; want %q, nil", reverse, got, err, want)
		}
	}
}

func testScanError(t *testing.T, s storage.Store) {
	fill(t, s, scanFixture...)
	errBoom := errors.New("boom")
	n := 0
	err := s.Scan([]byte("p/"), storage.ScanOptions{}, func(_, _ []byte) (bool, error) {
		n++
		if n == 2 {
			// more=true: the error alone must stop the scan.
			return true, fmt.Errorf("callback: %w", errBoom)
		}
		return true, nil
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("Scan with failing callback = %v; want an error wrapping %v", err, errBoom)
	}
	if n != 2 {
		t.Errorf("callback ran %d times; want 2 (Scan must stop at the first error)", n)
	}
}

func testScanRetainedCopies(t *testing.T, s storage.Store) {
	fill(t, s, scanFixture...)
	var keys, vals [][]byte
	err := s.Scan([]byte("p/"), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		keys = append(keys, k) // retained without copying, as the contract allows
		vals = append(vals, v)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Change the store under the retained slices, and run more reads that
	// might reuse buffers.
	b := s.NewBatch()
	for _, k := range []string{"p/a", "p/b", "p/c"} {
		b.Set([]byte(k), []byte("changed-value-that-is-longer"))
	}
	b.Delete([]byte("p/d"))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	scanKeys(t, s, "q/", storage.ScanOptions{})
	_ = s.Scan([]byte("p/"), storage.ScanOptions{Reverse: true}, func(_, _ []byte) (bool, error) { return true, nil })

	want := []string{"p/a", "p/b", "p/c", "p/d", "p/e"}
	if len(keys) != len(want) {
		t.Fatalf("Scan(p/) visited %d keys; want %d", len(keys), len(want))
	}
	for i, w := range want {
		if string(keys[i]) != w || string(vals[i]) != "v:"+w {
			t.Errorf("retained pair %d = %q=%q; want %q=%q", i, keys[i], vals[i], w, "v:"+w)
		}
	}
	// Mutating what Scan handed out does not reach the store.
	for i := range keys {
		keys[i][0] = 'Z'
		vals[i][0] = 'Z'
	}
	if got := mustGet(t, s, "p/e"); got != "v:p/e" {
		t.Errorf("Get(p/e) after mutating Scan output = %q; want v:p/e", got)
	}
}

func testScanPrefixBoundaries(t *testing.T, s storage.Store) {
	keys := []string{
		"a", "a.", "a/", "a/x", "a/y/z", "a/\xff", "a/\xff\xff", "a0", "a0/x",
		"b/", "b/x", "\x00", "\xfe\xff", "\xff", "\xff\xff", "\xff\xff\x00", "\xff\xff\xff",
	}
	fill(t, s, keys...)
	sorted := slices.Clone(keys)
	sort.Strings(sorted) // bytewise, like the store
	for _, prefix := range []string{"a/", "a", "a0", "b/", "a/\xff", "\xff", "\xff\xff", "c/", ""} {
		var want []string
		for _, k := range sorted {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		if got := scanKeys(t, s, prefix, storage.ScanOptions{}); !slices.Equal(got, want) {
			t.Errorf("Scan(%q) = %q; want %q", prefix, got, want)
		}
		slices.Reverse(want)
		if got := scanKeys(t, s, prefix, storage.ScanOptions{Reverse: true}); !slices.Equal(got, want) {
			t.Errorf("Scan(%q, reverse) = %q; want %q", prefix, got, want)
		}
	}
}

func testScanU64Order(t *testing.T, s storage.Store) {
	nums := []uint64{1, 2, 255, 256, 65535, 65536, 1 << 40, 1<<64 - 1}
	var keys []string
	for _, n := range nums {
		keys = append(keys, string(storage.Key("n", storage.U64Seg(n))))
	}
	fill(t, s, keys...) // fill shuffles
	var got []uint64
	err := s.Scan(storage.Prefix("n"), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		n, ok := storage.DecodeU64(bytes.TrimPrefix(k, storage.Prefix("n")))
		if !ok {
			return false, fmt.Errorf("bad key %q", k)
		}
		got = append(got, n)
		return true, nil
	})
	if err != nil || !slices.Equal(got, nums) {
		t.Errorf("Scan(n/) = %v, %v; want numeric order %v", got, err, nums)
	}
}

// testScanSeesWholeBatches checks atomic visibility: writers commit a record
// and its index entry in one batch while readers scan both families under
// one prefix; no scan may see one without the other.
func testScanSeesWholeBatches(t *testing.T, s storage.Store) {
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers+2)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("%d-%03d", w, i)
				b := s.NewBatch()
				b.Set([]byte("w/idx/"+id), []byte(id))
				b.Set([]byte("w/rec/"+id), []byte(id))
				d := storage.NoSync
				if i%5 == 0 {
					d = storage.Sync
				}
				if err := b.Commit(d); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				idx, rec := map[string]bool{}, map[string]bool{}
				err := s.Scan([]byte("w/"), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
					if bytes.HasPrefix(k, []byte("w/idx/")) {
						idx[string(v)] = true
					} else {
						rec[string(v)] = true
					}
					return true, nil
				})
				if err != nil {
					errs <- err
					return
				}
				if !maps.Equal(idx, rec) {
					errs <- fmt.Errorf("one Scan saw %d index entries and %d records: a batch was half visible", len(idx), len(rec))
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(listKeys(t, s, "w/rec/")); got != writers*perWriter {
		t.Errorf("Scan(w/rec/) found %d records; want %d", got, writers*perWriter)
	}
}

// listKeys lists the keys under prefix without checking values.
func listKeys(t *testing.T, s storage.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.Scan([]byte(prefix), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		keys = append(keys, string(k))
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func testSequence(t *testing.T, s storage.Store) {
	next := func(key string) uint64 {
		t.Helper()
		n, err := s.Sequence([]byte(key))
		if err != nil {
			t.Fatalf("Sequence(%q) = %v", key, err)
		}
		return n
	}
	for want := uint64(1); want <= 3; want++ {
		if got := next("seq/a"); got != want {
			t.Errorf("Sequence(seq/a) = %d; want %d", got, want)
		}
	}
	if got := next("seq/b"); got != 1 {
		t.Errorf("Sequence(seq/b) = %d; want 1 (counters are independent)", got)
	}
	if got := next("seq/a"); got != 4 {
		t.Errorf("Sequence(seq/a) after seq/b = %d; want 4", got)
	}
	// A counter key shares no state with a key that merely extends it.
	if got := next("seq/a/x"); got != 1 {
		t.Errorf("Sequence(seq/a/x) = %d; want 1", got)
	}
}

func testSequenceConcurrent(t *testing.T, s storage.Store) {
	const goroutines, perKey = 8, 50
	keys := []string{"seq/x", "seq/y"}
	got := make([][][]uint64, goroutines) // [goroutine][key][]numbers
	var wg sync.WaitGroup
	for g := range goroutines {
		got[g] = make([][]uint64, len(keys))
		wg.Go(func() {
			for i := range perKey * len(keys) {
				k := i % len(keys)
				n, err := s.Sequence([]byte(keys[k]))
				if err != nil {
					t.Errorf("Sequence(%q) = %v", keys[k], err)
					return
				}
				got[g][k] = append(got[g][k], n)
			}
		})
	}
	wg.Wait()
	for k, key := range keys {
		seen := map[uint64]bool{}
		for g := range goroutines {
			for _, n := range got[g][k] {
				if seen[n] {
					t.Errorf("Sequence(%q) issued %d twice", key, n)
				}
				seen[n] = true
				if n < 1 || n > goroutines*perKey {
					t.Errorf("Sequence(%q) = %d; want 1..%d", key, n, goroutines*perKey)
				}
			}
		}
		if len(seen) != goroutines*perKey {
			t.Errorf("Sequence(%q) issued %d distinct numbers; want %d", key, len(seen), goroutines*perKey)
		}
	}
}

type jsonRecord struct {
	Name string            `json:"name"`
	N    int               `json:"n"`
	Tags []string          `json:"tags"`
	Meta map[string]string `json:"meta"`
}

func testJSON(t *testing.T, s storage.Store) {
	in := jsonRecord{Name: "front desk", N: 42, Tags: []string{"a", "b"}, Meta: map[string]string{"k": "v"}}
	b := s.NewBatch()
	b.SetJSON([]byte("j/1"), in)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	var out jsonRecord
	if err := storage.GetJSON(s, []byte("j/1"), &out); err != nil {
		t.Fatalf("GetJSON(j/1) = %v", err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("GetJSON(j/1) = %+v; want %+v", out, in)
	}
	if err := storage.GetJSON(s, []byte("j/missing"), &out); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetJSON(j/missing) = %v; want ErrNotFound", err)
	}
	commit(t, s, storage.Sync, "j/raw", "not json")
	if err := storage.GetJSON(s, []byte("j/raw"), &out); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetJSON(j/raw) = %v; want a decode error", err)
	}

	// A value that cannot be encoded fails the whole batch at Commit.
	b = s.NewBatch()
	b.Set([]byte("j/before"), []byte("x"))
	b.SetJSON([]byte("j/bad"), make(chan int))
	b.Set([]byte("j/after"), []byte("x"))
	if err := b.Commit(storage.Sync); err == nil {
		t.Errorf("Commit of a batch with an unencodable SetJSON = nil; want an error")
	}
	for _, k := range []string{"j/before", "j/bad", "j/after"} {
		wantMissing(t, s, k)
	}
}

func testDurability(t *testing.T, s storage.Store) {
	commit(t, s, storage.Sync, "dur/sync", "1")
	commit(t, s, storage.NoSync, "dur/nosync", "2")
	if got := mustGet(t, s, "dur/sync"); got != "1" {
		t.Errorf("Get(dur/sync) = %q; want 1", got)
	}
	if got := mustGet(t, s, "dur/nosync"); got != "2" {
		t.Errorf("Get(dur/nosync) = %q; want 2", got)
	}
	b := s.NewBatch()
	b.Delete([]byte("dur/sync"))
	if err := b.Commit(storage.NoSync); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, s, "dur/sync")
}
