package storage

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestPebbleCollectorReportsTheStore(t *testing.T) {
	p, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b := p.NewBatch()
	b.Set([]byte("k"), []byte("v"))
	if err := b.Commit(Sync); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(p.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, mf := range mfs {
		got[mf.GetName()] = true
		if mf.GetName() == "humd_pebble_wal_fsync_seconds" && mf.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
			t.Error("a synced commit left no fsync in the histogram")
		}
		if mf.GetName() == "humd_pebble_disk_usage_bytes" && mf.GetMetric()[0].GetGauge().GetValue() <= 0 {
			t.Error("disk usage is 0")
		}
	}
	for _, n := range []string{"humd_pebble_wal_fsync_seconds", "humd_pebble_compaction_debt_bytes", "humd_pebble_disk_usage_bytes",
		"humd_pebble_block_cache_hits_total", "humd_pebble_block_cache_misses_total", "humd_pebble_l0_sublevels"} {
		if !got[n] {
			t.Errorf("no %s", n)
		}
	}
	p.Close()
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("a scrape after close: %v", err)
	}
}
