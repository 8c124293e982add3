package sandbox

import "time"

// Prune drops the recorded sends and placed calls from before cutoff (the
// sandbox records' retention, run by actors/retention) and answers how
// many went. Records are appended in time order, so they go from the front.
func (c *Carrier) Prune(cutoff time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(c.sent) && c.sent[n].At.Before(cutoff) {
		n++
	}
	m := 0
	for m < len(c.calls) && c.calls[m].At.Before(cutoff) {
		m++
	}
	if n > 0 {
		c.sent = append(c.sent[:0:0], c.sent[n:]...)
	}
	if m > 0 {
		c.calls = append(c.calls[:0:0], c.calls[m:]...)
	}
	return n + m
}

// Extent answers how many sends and calls the sandbox holds and the times
// of the oldest and newest (zero when it holds none).
func (c *Carrier) Extent() (n int, oldest, newest time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, at := range []time.Time{first(c.sent, func(r Record) time.Time { return r.At }), first(c.calls, func(p PlacedCall) time.Time { return p.At })} {
		if !at.IsZero() && (oldest.IsZero() || at.Before(oldest)) {
			oldest = at
		}
	}
	if len(c.sent) > 0 {
		newest = c.sent[len(c.sent)-1].At
	}
	if k := len(c.calls); k > 0 && c.calls[k-1].At.After(newest) {
		newest = c.calls[k-1].At
	}
	return len(c.sent) + len(c.calls), oldest, newest
}

func first[T any](all []T, at func(T) time.Time) time.Time {
	if len(all) == 0 {
		return time.Time{}
	}
	return at(all[0])
}
