package sender

import (
	"math"
	"time"
)

// Limiter is a token bucket in message segments: rate per second, burst of
// max(1, rate). A message larger than the burst may go through once the bucket
// is full and leaves it in debt, so long texts are slowed, never stuck.
type Limiter struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewLimiter starts full.
func NewLimiter(rate float64, now time.Time) *Limiter {
	if rate <= 0 {
		rate = 1
	}
	b := math.Max(1, rate)
	return &Limiter{rate: rate, burst: b, tokens: b, last: now}
}

// NewLimiterBurst starts full with a burst of its own (at least one token).
func NewLimiterBurst(rate, burst float64, now time.Time) *Limiter {
	l := NewLimiter(rate, now)
	l.burst = math.Max(1, burst)
	l.tokens = l.burst
	return l
}

// SetRate changes the rate, keeping the tokens earned so far.
func (l *Limiter) SetRate(rate float64, now time.Time) {
	l.refill(now)
	if rate <= 0 {
		rate = 1
	}
	l.rate, l.burst = rate, math.Max(1, rate)
	l.tokens = math.Min(l.tokens, l.burst)
}

func (l *Limiter) refill(now time.Time) {
	if dt := now.Sub(l.last).Seconds(); dt > 0 {
		l.tokens = math.Min(l.burst, l.tokens+dt*l.rate)
		l.last = now
	}
}

// Full reports whether the bucket has refilled by now, when it is the same
// as a new one.
func (l *Limiter) Full(now time.Time) bool {
	l.refill(now)
	return l.tokens >= l.burst-1e-9
}

// Allow takes n tokens at now if they are there; otherwise it answers how long
// until they will be.
func (l *Limiter) Allow(now time.Time, n int) (bool, time.Duration) {
	l.refill(now)
	need := math.Min(float64(max(n, 1)), l.burst)
	if l.tokens >= need-1e-9 {
		l.tokens -= float64(max(n, 1))
		return true, 0
	}
	wait := time.Duration((need - l.tokens) / l.rate * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

// Segments counts the SMS segments of body: GSM-7 texts take 160 characters
// in one segment and 153 per segment when split; anything else is UCS-2 with
// 70 and 67 (in UTF-16 units).
func Segments(body string) int {
	n, gsm := 0, true
	for _, r := range body {
		switch {
		case gsmBasic(r):
			n++
		case gsmExtended(r):
			n += 2
		default:
			gsm = false
		}
	}
	if !gsm {
		n = 0
		for _, r := range body {
			if r > 0xFFFF {
				n += 2
			} else {
				n++
			}
		}
		return splitCount(n, 70, 67)
	}
	return splitCount(n, 160, 153)
}

func splitCount(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

const gsmBasicChars = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

func gsmBasic(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' {
		return true
	}
	for _, c := range gsmBasicChars {
		if c == r {
			return true
		}
	}
	return false
}

func gsmExtended(r rune) bool {
	switch r {
	case '^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f':
		return true
	}
	return false
}
