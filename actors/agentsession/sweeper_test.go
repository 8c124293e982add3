package agentsession

import (
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

func newService(t testing.TB) *Service {
	t.Helper()
	st := storagetest.OpenMem(t)
	return New(Config{System: actortest.NewSystem(t), Store: st, Clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Agent: func(org string, id uint64) (*Agent, error) {
			if id != 1 {
				return nil, storage.ErrNotFound
			}
			return &Agent{FlowID: "flow_1", AgentID: 1, Name: "Agent"}, nil
		}})
}

// TestIdleEndRechecksActivity: the sweeper reads the active index before it
// asks a session's actor to end it, so a message can land in between; the
// actor then keeps the session. Once idle for real, it ends at the last
// activity.
func TestIdleEndRechecksActivity(t *testing.T) {
	s := newService(t)
	clk := s.cfg.Clock.(*clock.Fake)
	t0 := clk.Now()
	if _, err := s.Create("org", "key", CreateInput{AgentID: 1}); err != nil {
		t.Fatalf("create: %v", err)
	}
	clk.Advance(30 * time.Second)
	msg := "still here"
	if _, err := s.PostMessage("org", "1", PostInput{Content: &msg}); err != nil {
		t.Fatalf("message: %v", err)
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
