package bench

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/humd/humd/bench/baseline"
	"github.com/humd/humd/storage"
)

// TestRecordsBaselineShape sends the same texts to humd and to the records
// baseline: the baseline must write the same records (counted by key family,
// e.g. msg, sid, conv, event) and nearly the same bytes, or its ratio would
// not say what humd's data costs.
func TestRecordsBaselineShape(t *testing.T) {
	h := startHumd(t)
	b, err := baseline.Start(baseline.Records, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	send := func(h *Humd, addr string) {
		t.Helper()
		in, err := NewIngest(h, 3)
		if err != nil {
			t.Fatal(err)
		}
		cfg := &Config{Conns: 2, Workers: 2, Count: 30}
		st, err := cfg.ingestLoad("shape", addr, in).Run(context.Background())
		if err != nil || st.Errors != 0 || len(st.OK) != 30 {
			t.Fatalf("ingest at %s = %+v, %v; want 30 answered 200", addr, st, err)
		}
	}
	before, setup := keyFamilies(t, h.Store)
	send(h, h.Addr())
	want, humdBytes := keyFamilies(t, h.Store)
	humdBytes -= setup
	for k, n := range before {
		if want[k] -= n; want[k] == 0 {
			delete(want, k)
		}
	}
	send(&Humd{URL: b.URL, PublicURL: b.URL, Token: "baseline", Number: DefaultNumber}, b.Addr())
	got, baseBytes := keyFamilies(t, b.Store())
	delete(want, "seq") // event sequence leases, written when they run out
	delete(got, "seq")
	if !maps.Equal(got, want) {
		t.Errorf("records baseline wrote %v; humd wrote %v for the same 30 texts", got, want)
	}
	if d := baseBytes - humdBytes; d < -humdBytes/20 || d > humdBytes/20 {
		t.Errorf("records baseline wrote %d bytes of keys and values; humd %d (want within 5%%)", baseBytes, humdBytes)
	}
}

// keyFamilies counts the store's keys by their first segment and sums the
// bytes of their keys and values.
func keyFamilies(t *testing.T, st *storage.Pebble) (map[string]int, int) {
	t.Helper()
	it, err := st.DB().NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	fam, n := map[string]int{}, 0
	for it.First(); it.Valid(); it.Next() {
		k := it.Key()
		if i := bytes.IndexByte(k, '/'); i > 0 {
			k = k[:i]
		}
		fam[string(k)]++
		n += len(it.Key()) + len(it.Value())
	}
	return fam, n
}
