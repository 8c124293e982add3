package agentsession

import (
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
)

// TestIdleEndRechecksActivity: the sweeper reads the active index before it
// asks a session's actor to end it, so a message can land in between; the
// actor then keeps the session. Once idle for real, it ends at the last
// activity.
func TestIdleEndRechecksActivity(t *testing.T) {
	s := newService(t)
	clk := s.cfg.Clock.(*clock.Fake)
	t0 := clk.Now()
	if st, body := s.Create("org", "key", []byte(`{"agent_id":1}`)); st != 201 {
		t.Fatalf("create = %d %v", st, body)
	}
	clk.Advance(30 * time.Second)
	if st, body := s.PostMessage("org", "1", []byte(`{"content":"still here"}`)); st != 201 {
		t.Fatalf("message = %d %v", st, body)
	}
	clk.Advance(time.Minute) // 60s after the message: not idle
	res, err := s.ask("org", 1, &End{Reason: ReasonIdle})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.(*Session); got.Status != StatusActive || got.EndedAt != nil {
		t.Errorf("an idle end a minute after a message = %+v; want the session kept active", got)
	}

	clk.Set(t0.Add(30*time.Second + s.cfg.IdleLimit))
	res, err = s.ask("org", 1, &End{Reason: ReasonIdle})
	if err != nil {
		t.Fatal(err)
	}
	got := res.(*Session)
	if got.Status != StatusCompleted || got.EndedAt == nil || !got.EndedAt.Equal(t0.Add(30*time.Second)) ||
		got.Duration == nil || *got.Duration != 30 || got.BillingMinutes == nil || *got.BillingMinutes != 1 {
		t.Errorf("idle end at the limit = %+v; want completed at the message, duration 30, 1 billing minute", got)
	}
}
