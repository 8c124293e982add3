package idem_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/idem"
)

func open(t *testing.T) storage.Store {
	s, err := storage.Open("db", storage.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRecordsLiveADayPerOrgThenExpire: a record answers for 24 h in its own
// org only; Expire then removes it and its index, and leaves a record that
// reused the key after expiry alone.
func TestRecordsLiveADayPerOrgThenExpire(t *testing.T) {
	s := open(t)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	rec := &idem.Record{Fingerprint: "fp-of-POST-/api/x", Status: 202, Body: []byte(`{"id":"a"}`), CreatedAt: t0}
	if err := idem.Put(s, "org1", "retry/1", rec); err != nil {
		t.Fatal(err)
	}
	got, err := idem.Get(s, "org1", "retry/1", t0.Add(23*time.Hour))
	if err != nil || got.Status != 202 || string(got.Body) != `{"id":"a"}` || got.Fingerprint != rec.Fingerprint {
		t.Fatalf("Get after 23 h = %+v, %v; want the record", got, err)
	}
	if _, err := idem.Get(s, "org2", "retry/1", t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another org's Get = %v; want not found", err)
	}
	if _, err := idem.Get(s, "org1", "retry/1", t0.Add(idem.TTL)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get after 24 h = %v; want not found", err)
	}
	if n, err := idem.Expire(s, t0.Add(23*time.Hour), 100); n != 0 || err != nil {
		t.Errorf("Expire before the TTL = %d, %v; want 0", n, err)
	}
	// Reused after its expiry, before Expire ran: the new record stays.
	t1 := t0.Add(25 * time.Hour)
	if err := idem.Put(s, "org1", "retry/1", &idem.Record{Status: 201, CreatedAt: t1}); err != nil {
		t.Fatal(err)
	}
	if n, err := idem.Expire(s, t1, 100); n != 1 || err != nil {
		t.Fatalf("Expire = %d, %v; want the first index entry", n, err)
	}
	if got, err := idem.Get(s, "org1", "retry/1", t1); err != nil || got.Status != 201 {
		t.Fatalf("the reused key after Expire = %+v, %v; want the new record", got, err)
	}
	if n, err := idem.Expire(s, t1.Add(idem.TTL), 100); n != 1 || err != nil {
		t.Fatalf("second Expire = %d, %v; want 1", n, err)
	}
	n := 0
	_ = s.Scan([]byte("idem"), storage.ScanOptions{}, func(k, v []byte) (bool, error) { n++; return true, nil })
	if n != 0 {
		t.Errorf("%d idem keys left after both expired; want none", n)
	}
}
