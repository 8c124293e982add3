package sms

import "testing"

func TestForward(t *testing.T) {
	cases := []struct {
		cur, next string
		want      bool
	}{
		{"queued", "sent", true}, {"queued", "delivered", true}, {"sent", "delivered", true}, {"sent", "failed", true},
		{"sent", "queued", false}, {"delivered", "sent", false}, {"delivered", "delivered", false}, {"failed", "delivered", false},
		{"undelivered", "delivered", false}, {"delivered", "read", true}, {"queued", "bogus", false}, {"sending", "sending", false},
		{"queued", "undelivered", true},
	}
	for _, c := range cases {
		if got := Forward(c.cur, c.next); got != c.want {
			t.Errorf("Forward(%q, %q) = %v; want %v", c.cur, c.next, got, c.want)
		}
	}
}
