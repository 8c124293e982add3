package bench

import (
	"context"
	"testing"

	"github.com/humd/humd/storage"
)

func startHumd(t *testing.T) *Humd {
	t.Helper()
	h, err := StartHumd(t.TempDir(), DefaultNumber, storage.Options{})
	if err != nil {
		t.Fatalf("StartHumd: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close humd: %v", err)
		}
	})
	return h
}

// TestIngest runs a short ingest against an in-process humd and checks that
// every acknowledged text is stored exactly once, and that the check notices
// an acknowledged text that is not stored.
func TestIngest(t *testing.T) {
	h := startHumd(t)
	in, err := NewIngest(h, 50)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Conns: 8, Workers: 8, Count: 200}
	st, err := cfg.ingestLoad("ingest", h.Addr(), in).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests != 200 || st.Errors != 0 || len(st.OK) != 200 {
		t.Fatalf("ingest = %d requests, %d errors (%s), %d ok; want 200, 0, 200", st.Requests, st.Errors, st.FirstErr, len(st.OK))
	}
	check, err := in.Verify(h, st.OK)
	if err != nil {
		t.Fatal(err)
	}
	if err := check.Err(); err != nil || check.Stored != 200 || check.Unacked != 0 {
		t.Fatalf("Verify = %+v, %v; want 200 stored once", check, err)
	}
	// Request 200 was never sent: claiming it was acknowledged must fail.
	check, err = in.Verify(h, append(st.OK, 200))
	if err != nil {
		t.Fatal(err)
	}
	if check.Err() == nil || check.Missing != 1 {
		t.Errorf("Verify(with an unsent sid) = %+v; want 1 missing and an error", check)
	}
}

// TestRunAll runs every phase briefly: both baselines, ingest alone and
// ingest with api reads, with ratios and checks filled in.
func TestRunAll(t *testing.T) {
	h := startHumd(t)
	res, err := Run(context.Background(), Config{Workload: "all", Count: 100, Conns: 4, Contacts: 20, Humd: h, TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"ingest/baseline-http", "ingest/baseline-pebble", "ingest/humd", "ingest/humd", "api/humd"}
	if len(res) != len(want) {
		t.Fatalf("Run = %d results; want %d", len(res), len(want))
	}
	for i, r := range res {
		if got := r.Workload + "/" + r.Target; got != want[i] || r.Errors != 0 || r.Requests == 0 {
			t.Errorf("result %d = %s, %d requests, %d errors (%s); want %s without errors", i, got, r.Requests, r.Errors, r.FirstErr, want[i])
		}
	}
	if res[2].VsHTTP == 0 || res[2].VsPebble == 0 || res[2].Check == nil {
		t.Errorf("humd ingest = %+v; want ratios to both baselines and a check", res[2])
	}
}
