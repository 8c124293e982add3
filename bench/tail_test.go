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

// TestTailReport traces a short load against the baseline server, with two
// overlapping slow marks and a collection, and reads the trace back.
func TestTailReport(t *testing.T) {
	b, in := baselineIngest(t)
	path := filepath.Join(t.TempDir(), "run.trace")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		t.Skipf("tracing already on: %v", err)
	}
	cfg := &Config{Conns: 2, Workers: 2, Count: 2000}
	_, runErr := cfg.ingestLoad("traced", b.Addr(), in).Run(context.Background())
	runtime.GC()
	trace.Log(context.Background(), "slow", "25ms")
	trace.Log(context.Background(), "slow", "20ms")
	trace.Stop()
	if err := f.Close(); err != nil || runErr != nil {
		t.Fatal(err, runErr)
	}

	tl, err := TailReport(path)
	if err != nil {
		t.Fatal(err)
	}
	// The window reaches 25ms back, or to the start of a shorter trace.
	want := min(25*time.Millisecond, tl.Run)
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
