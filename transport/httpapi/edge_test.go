package httpapi

import (
	"fmt"
	"testing"
	"time"
)

// TestKeyedLimitsForgetOnlyRefilledBuckets: past limitsPruneAt ids the
// buckets that have refilled are dropped, and one still short keeps its debt.
func TestKeyedLimitsForgetOnlyRefilledBuckets(t *testing.T) {
	l := NewLimits(1, 2)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := range limitsPruneAt - 1 {
		l.allow(fmt.Sprint(i), t0)
	}
	t1 := t0.Add(2 * time.Second) // every bucket above has refilled
	l.allow("busy", t1)
	l.allow("busy", t1)
	if ok, _ := l.allow("next", t1); !ok || len(l.m) > 2 {
		t.Fatalf("after pruning %d buckets are kept; want only busy and next", len(l.m))
	}
	if ok, _ := l.allow("busy", t1); ok {
		t.Error("the busy bucket was forgotten: it allowed a third request in its burst of two")
	}
}

// TestKeyedLimitsDoNotRescanBusyBuckets: when pruning keeps most buckets
// (they are all in use), the next prune waits until the map has doubled, so
// calls in between do not walk it.
func TestKeyedLimitsDoNotRescanBusyBuckets(t *testing.T) {
	l := NewLimits(1, 2)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := range limitsPruneAt + 1 { // all busy: nothing to drop
		l.allow(fmt.Sprint(i), t0)
	}
	// The prune ran as the 10,001st id came, and kept all 10,000 before it.
	if l.nextPrune != 2*limitsPruneAt {
		t.Fatalf("after a prune that kept %d buckets, nextPrune = %d; want %d", limitsPruneAt, l.nextPrune, 2*limitsPruneAt)
	}
	t1 := t0.Add(time.Minute) // every bucket refilled, but no prune is due yet
	l.allow("late", t1)
	if len(l.m) != limitsPruneAt+2 {
		t.Errorf("%d buckets after one more id; want %d (no prune before the map doubles)", len(l.m), limitsPruneAt+2)
	}
}
