package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"testing"
	"time"
)

// traced runs fn under an execution trace and answers the report of it.
func traced(t *testing.T, fn func() error) *Tail {
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
	tl, err := TailReport(path)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// TestTailReportWindows reads back two overlapping slow marks and a
// collection (no load, so no request of its own can be slow).
func TestTailReportWindows(t *testing.T) {
	tl := traced(t, func() error {
		// Collections for 30 ms, so the 25 ms windows lie inside the trace.
		for start := time.Now(); time.Since(start) < 30*time.Millisecond; {
			runtime.GC()
		}
		trace.Log(context.Background(), "slow", "25ms")
		trace.Log(context.Background(), "slow", "20ms")
		return nil
	})
	const want = 25 * time.Millisecond
	if tl.SlowRequests != 2 || tl.Windows != 1 || tl.Slow < want-time.Millisecond || tl.Slow > want+time.Millisecond {
		t.Errorf("slow = %d requests in %d windows over %v; want 2 in 1 over %v", tl.SlowRequests, tl.Windows, tl.Slow, want)
	}
	var run, inSlow, marking time.Duration
	for _, c := range tl.Conditions {
		run, inSlow = run+c.Run, inSlow+c.InSlow
		if c.GCMark {
			marking += c.Run
		}
	}
	if d := run - tl.Run; d < 0 || d > time.Millisecond {
		t.Errorf("conditions cover %v of a %v run", run, tl.Run)
	}
	if inSlow < want-time.Millisecond || inSlow > want+2*time.Millisecond {
		t.Errorf("conditions put %v inside slow windows; want the %v window", inSlow, want)
	}
	if marking == 0 {
		t.Error("no time with the collector marking; runtime.GC ran inside the trace")
	}
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
	for _, k := range []string{kindLoad, kindHTTP} {
		if busy[k] <= 0 {
			t.Errorf("cores busy for %q = %v; want > 0 (got %v)", k, busy[k], busy)
		}
	}
	if tl.DelayElsewhere[2] < tl.DelayElsewhere[0] {
		t.Errorf("scheduling delay quantiles out of order: %v", tl.DelayElsewhere)
	}
}
