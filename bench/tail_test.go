package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime/trace"
	"testing"

	"github.com/humd/humd/bench/tail"
)

// traced runs fn under an execution trace and answers the report of it.
func traced(t *testing.T, fn func() error) *tail.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.trace")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		t.Skipf("tracing already on: %v", err)
	}
	runErr := fn()
	trace.Stop()
	if err := f.Close(); err != nil || runErr != nil {
		t.Fatal(err, runErr)
	}
	tl, err := tail.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// TestTailReportKinds traces a short load against the baseline server and
// finds the load generator and the server among the busy goroutines.
func TestTailReportKinds(t *testing.T) {
	b, in := baselineIngest(t)
	tl := traced(t, func() error {
		cfg := &Config{Conns: 2, Workers: 2, Count: 2000}
		_, err := cfg.ingestLoad("traced", b.Addr(), in).Run(context.Background())
		return err
	})
	busy := map[string]float64{}
	for _, b := range tl.Busy {
		busy[b.Kind] = b.Run
	}
	for _, k := range []string{tail.KindLoad, tail.KindHTTP} {
		if busy[k] <= 0 {
			t.Errorf("cores busy for %q = %v; want > 0 (got %v)", k, busy[k], busy)
		}
	}
	if tl.DelayElsewhere[2] < tl.DelayElsewhere[0] {
		t.Errorf("scheduling delay quantiles out of order: %v", tl.DelayElsewhere)
	}
}
