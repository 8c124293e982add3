package enrich

import "time"

// bucket is a token bucket: rate tokens per second, holding at most burst.
// It lives inside the actor, so it needs no lock; time is an argument.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// newBucket starts full, with a burst of one second's worth (at least 1).
func newBucket(rate float64) *bucket {
	burst := max(1, rate)
	return &bucket{rate: rate, burst: burst, tokens: burst}
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.last = now
		return
	}
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// ready reports whether a token is available at now, without taking it.
func (b *bucket) ready(now time.Time) bool {
	b.refill(now)
	return b.tokens >= 1
}

// allow takes a token if one is available at now.
func (b *bucket) allow(now time.Time) bool {
	if !b.ready(now) {
		return false
	}
	b.tokens--
	return true
}
