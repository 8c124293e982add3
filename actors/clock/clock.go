package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the only source of time for actors. Real wraps package time; Fake is
// advanced by tests.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine (Real) or inside Advance (Fake)
	// once d has elapsed. f must not block; actors use it to Send to themselves.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the timer; it reports whether the call stopped it before it fired.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now implements Clock.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc implements Clock.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Fake is a manually advanced clock. Timers fire inside Advance, in due order
// (ties in creation order), with Now set to each timer's due time while it runs.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers timerHeap // by (due, seq); stopped timers are dropped when they surface
	live   int       // armed timers: neither stopped nor fired
}

// timerHeap keeps pops at O(log n): a busy system holds one idle timer per
// live actor, and tests and the bench advance the clock thousands of times.
type timerHeap []*fakeTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(*fakeTimer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}

// NewFake returns a Fake clock reading start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

type fakeTimer struct {
	c       *Fake
	due     time.Time
	seq     uint64
	f       func()
	stopped bool
	fired   bool
}

// Now implements Clock.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc implements Clock. A non-positive d fires at the next Advance (even Advance(0)).
func (c *Fake) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, due: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	heap.Push(&c.timers, t)
	c.live++
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped || t.fired {
		return false
	}
	t.stopped = true
	t.c.live--
	return true
}

// Advance moves the clock forward by d, firing every timer that falls due on
// the way, in order. Timers created by fired callbacks fire too if they fall due
// within the same Advance.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		t := c.popDue(end)
		if t == nil {
			break
		}
		t.f()
	}
	c.mu.Lock()
	if end.After(c.now) {
		c.now = end
	}
	c.mu.Unlock()
}

// Set moves the clock to t (never backwards), firing due timers like Advance.
func (c *Fake) Set(t time.Time) {
	c.Advance(t.Sub(c.Now()))
}

// Pending is the number of armed timers; tests poll it to know an actor has
// scheduled its next wake-up before they Advance.
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

func (c *Fake) popDue(end time.Time) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) > 0 {
		t := c.timers[0]
		if t.stopped {
			heap.Pop(&c.timers)
			continue
		}
		if t.due.After(end) {
			return nil
		}
		heap.Pop(&c.timers)
		t.fired = true
		c.live--
		if t.due.After(c.now) {
			c.now = t.due
		}
		return t
	}
	return nil
}
