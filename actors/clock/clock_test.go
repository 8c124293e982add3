package clock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
)

var t0 = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func TestFakeFiresDueTimersInOrder(t *testing.T) {
	c := clock.NewFake(t0)
	var got []string
	rec := func(name string) func() {
		return func() { got = append(got, fmt.Sprintf("%s@%s", name, c.Now().Sub(t0))) }
	}
	c.AfterFunc(3*time.Second, rec("c"))
	c.AfterFunc(time.Second, rec("a"))
	c.AfterFunc(time.Second, rec("a2")) // same due time: creation order
	stopped := c.AfterFunc(2*time.Second, rec("stopped"))
	c.AfterFunc(10*time.Second, rec("late"))
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop should succeed once")
	}
	c.AfterFunc(2*time.Second, func() {
		got = append(got, fmt.Sprintf("b@%s", c.Now().Sub(t0)))
		c.AfterFunc(500*time.Millisecond, rec("chained")) // due inside this Advance: fires too
	})
	c.Advance(5 * time.Second)
	want := "[a@1s a2@1s b@2s chained@2.5s c@3s]"
	if fmt.Sprint(got) != want {
		t.Errorf("fired %v; want %s", got, want)
	}
	if c.Now() != t0.Add(5*time.Second) {
		t.Errorf("now = %s", c.Now())
	}
	if c.Pending() != 1 {
		t.Errorf("pending = %d; want the late timer", c.Pending())
	}
	c.Set(t0) // never backwards
	if c.Now() != t0.Add(5*time.Second) {
		t.Errorf("Set moved the clock back to %s", c.Now())
	}
	c.Advance(5 * time.Second)
	if got[len(got)-1] != "late@10s" {
		t.Errorf("last = %s", got[len(got)-1])
	}
}

func TestFakeZeroDelayFiresOnNextAdvance(t *testing.T) {
	c := clock.NewFake(t0)
	fired := 0
	c.AfterFunc(-time.Second, func() { fired++ })
	if fired != 0 {
		t.Fatal("fired before Advance")
	}
	c.Advance(0)
	if fired != 1 {
		t.Errorf("fired %d; want 1 at Advance(0)", fired)
	}
}

func TestRealClockFires(t *testing.T) {
	done := make(chan struct{})
	clock.Real{}.AfterFunc(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("real timer never fired")
	}
}
