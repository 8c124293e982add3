package sender

import (
	"strings"
	"testing"
	"time"
)

func TestLimiterPacesAtRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(1, t0)
	if ok, _ := l.Allow(t0, 1); !ok {
		t.Fatal("a full bucket refused the first segment")
	}
	ok, wait := l.Allow(t0, 1)
	if ok || wait != time.Second {
		t.Fatalf("second segment at once: ok=%v wait=%v; want refused, 1s", ok, wait)
	}
	if ok, _ := l.Allow(t0.Add(999*time.Millisecond), 1); ok {
		t.Error("allowed before a second had passed")
	}
	if ok, _ := l.Allow(t0.Add(time.Second), 1); !ok {
		t.Error("refused after a second")
	}
	// 10 sends at 5 mps take 1s after the initial burst of 5.
	l = NewLimiter(5, t0)
	sent, now := 0, t0
	for now.Before(t0.Add(1001 * time.Millisecond)) {
		if ok, _ := l.Allow(now, 1); ok {
			sent++
		}
		now = now.Add(10 * time.Millisecond)
	}
	if sent != 10 {
		t.Errorf("5 mps over 1s with burst 5 sent %d; want 10", sent)
	}
}

func TestLimiterLongMessageGoesIntoDebt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(1, t0)
	if ok, _ := l.Allow(t0, 3); !ok {
		t.Fatal("a 3-segment text must pass a full bucket of 1")
	}
	if ok, wait := l.Allow(t0.Add(time.Second), 1); ok || wait != 2*time.Second {
		t.Errorf("after a 3-segment text: ok=%v wait=%v; want refused for 2s more", ok, wait)
	}
}

func TestSegments(t *testing.T) {
	cases := []struct {
		body string
		want int
	}{
		{"", 1}, {"hi", 1}, {strings.Repeat("a", 160), 1}, {strings.Repeat("a", 161), 2}, {strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3}, {strings.Repeat("é", 160), 1}, {"hi 😀", 1}, {strings.Repeat("ж", 70), 1},
		{strings.Repeat("ж", 71), 2}, {strings.Repeat("{", 80), 1}, {strings.Repeat("{", 81), 2},
	}
	for _, c := range cases {
		if got := Segments(c.body); got != c.want {
			t.Errorf("Segments(%d chars %q...) = %d; want %d", len([]rune(c.body)), firstRunes(c.body, 3), got, c.want)
		}
	}
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func BenchmarkLimiter_Allow(b *testing.B) {
	t0 := time.Now()
	l := NewLimiter(1000, t0)
	for i := 0; b.Loop(); i++ {
		l.Allow(t0.Add(time.Duration(i)*time.Millisecond), 1)
	}
}
