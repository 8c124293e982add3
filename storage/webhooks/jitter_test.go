package webhooks

import (
	"testing"
	"time"
)

// TestJitterNeverEarlyAtMostATenthLater: every retry wait of the schedule
// comes out between itself and 10% more, and not always the same.
func TestJitterNeverEarlyAtMostATenthLater(t *testing.T) {
	for _, d := range Schedule {
		seen := map[time.Duration]bool{}
		for range 1000 {
			j := Jitter(d)
			if j < d || j > d+d/10 {
				t.Fatalf("Jitter(%v) = %v; want within [%v, %v]", d, j, d, d+d/10)
			}
			seen[j] = true
		}
		if len(seen) < 100 {
			t.Errorf("Jitter(%v) took %d distinct values in 1000 draws; want them spread", d, len(seen))
		}
	}
}
