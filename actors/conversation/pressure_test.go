package conversation_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/storagetest"
)

// Over MaxLive, threads that see activity passivate after PressureIdleAfter
// rather than IdleAfter; the ones armed before the limit keep their time.
func TestThreadsPassivateSoonerOverMaxLive(t *testing.T) {
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	org, n, dir := threads(t, st, clk, conversation.Deps{IdleAfter: 2 * time.Minute, MaxLive: 3, PressureIdleAfter: 5 * time.Second})
	for i := range 6 {
		from := fmt.Sprintf("+1317555%04d", i)
		in := &conversation.Inbound{SID: fmt.Sprintf("SM%032d", i), From: from, To: n.E164, Body: "hello", NumSegments: 1}
		if _, err := system.Await[*conversation.InboundResult](dir.Request(org, n.ID, from, in, 5*time.Second), in); err != nil {
			t.Fatal(err)
		}
	}
	waitLive := func(want int, step time.Duration) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); dir.Live() != want; runtime.Gosched() {
			if time.Now().After(deadline) {
				t.Fatalf("%d threads live at %s; want %d", dir.Live(), clk.Now().Format(time.TimeOnly), want)
			}
			clk.Advance(step)
		}
	}
	if got := dir.Live(); got != 6 {
		t.Fatalf("live threads = %d; want 6", got)
	}
	clk.Advance(6 * time.Second)
	waitLive(3, 0) // the three armed over the limit are gone, the first three stay
	clk.Advance(time.Minute)
	// Held for a while: a wrong passivation happens on actor goroutines.
	actortest.Holds(t, 200*time.Millisecond, func() error {
		if got := dir.Live(); got != 3 {
			return fmt.Errorf("live threads a minute later = %d; want the first 3 still", got)
		}
		return nil
	})
	waitLive(0, time.Second)
}
