package tail

import (
	"context"
	"errors"
	"runtime"
	"runtime/trace"
	"testing"
	"time"
)

// traced runs fn under an execution trace and answers the report of it
// (skipped when a trace is already on).
func traced(t *testing.T, fn func() error) *Report {
	t.Helper()
	tl, err := Traced(t.TempDir(), fn)
	if errors.Is(err, ErrTracing) {
		t.Skip(err)
	}
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
