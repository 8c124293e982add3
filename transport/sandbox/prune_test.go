package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/sender"
)

// Prune drops the sends and calls from before the cutoff and keeps the
// rest; Extent reports what is left.
func TestPruneDropsOldRecords(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	c := New(Config{Clock: clk})
	send := func() {
		if _, err := c.Send(context.Background(), &sender.Outbound{OrgID: "org", From: DefaultNumber, To: "+13175550100", Body: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	send()
	if _, err := c.PlaceCall(context.Background(), &call.Dial{OrgID: "org", From: DefaultNumber, To: "+13175550100"}); err != nil {
		t.Fatal(err)
	}
	clk.Set(start.Add(48 * time.Hour))
	send()
	if n := c.Prune(start.Add(24 * time.Hour)); n != 2 {
		t.Errorf("Prune = %d; want the first send and the call", n)
	}
	n, oldest, newest := c.Extent()
	if n != 1 || !oldest.Equal(start.Add(48*time.Hour)) || !newest.Equal(oldest) || len(c.Sent()) != 1 || len(c.Calls()) != 0 {
		t.Errorf("Extent = %d %v %v; want the second send only", n, oldest, newest)
	}
}
