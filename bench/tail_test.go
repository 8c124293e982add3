package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/humd/humd/bench/tail"
)

// traced runs fn under an execution trace and answers the report of it
// (skipped when a trace is already on).
func traced(t *testing.T, fn func() error) *tail.Report {
	t.Helper()
	tl, err := tail.Traced(t.TempDir(), fn)
	if errors.Is(err, tail.ErrTracing) {
		t.Skip(err)
	}
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
