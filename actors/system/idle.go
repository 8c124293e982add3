package system

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
)

// IdleTimer passivates a quiet actor with one pending timer, however busy
// the actor is. Arming a fresh timer per message left every older one in the
// runtime's timer heap until it fired, stale, into the mailbox: a thread
// taking ten texts a second kept 1,200 timers alive for its two idle minutes.
// Instead Touch only notes the time, and a timer that fires early re-arms
// itself for the rest of the wait. It lives in the actor's state and is
// touched only from Receive.
type IdleTimer struct {
	gen       uint64
	armed     bool
	due, last time.Time
}

// IdleTick is the message an IdleTimer sends to its actor.
type IdleTick struct{ gen uint64 }

// Touch records activity now; the actor passivates once it has been quiet
// for after. A shorter after than the pending timer's (a thread under memory
// pressure) arms an earlier timer, and the later one goes stale.
func (t *IdleTimer) Touch(ctx actor.Context, c clock.Clock, after time.Duration) {
	now := c.Now()
	t.last = now
	if t.armed && !now.Add(after).Before(t.due) {
		return
	}
	t.arm(ctx, c, now, after)
}

func (t *IdleTimer) arm(ctx actor.Context, c clock.Clock, now time.Time, d time.Duration) {
	t.gen++
	t.armed, t.due = true, now.Add(d)
	SendAfter(ctx, c, d, &IdleTick{gen: t.gen})
}

// Fired handles a tick and answers whether the actor has been quiet for
// after. When it answers false the tick was stale or activity came since, and
// a timer is pending again; when it answers true none is, so an actor that
// stays up because it is still busy is armed again by its next Touch.
func (t *IdleTimer) Fired(ctx actor.Context, c clock.Clock, m *IdleTick, after time.Duration) bool {
	if m.gen != t.gen || !t.armed {
		return false
	}
	t.armed = false
	now := c.Now()
	if rest := t.last.Add(after).Sub(now); rest > 0 {
		t.arm(ctx, c, now, rest)
		return false
	}
	return true
}
