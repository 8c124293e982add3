package conversation_test

import (
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/actorcall"
	"github.com/humd/humd/transport/sandbox"
)

// Over MaxLive, threads that see activity passivate after PressureIdleAfter
// rather than IdleAfter; the ones armed before the limit keep their time.
func TestThreadsPassivateSoonerOverMaxLive(t *testing.T) {
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	ten := &tenancy.Repo{Store: st, Now: clk.Now}
	boot, err := ten.Bootstrap("hum_live_presskey000000000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	org := boot.Org.ID
	n, err := sms.RegisterNumber(st, org, "+15005550006", "main", "sandbox", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	sys := system.New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	logger := slog.New(slog.DiscardHandler)
	senders := &sender.Directory{Root: sys.Root, Config: sender.Config{Carrier: sandbox.New(sandbox.Config{}), Clock: clk, Store: st, Logger: logger}}
	dir := conversation.NewDirectory(sys.Root, &conversation.Deps{Store: st, Clock: clk, Logger: logger, Org: ten.Org,
		Hours:   func(*tenancy.Org) (conversation.QuietHours, error) { return nil, nil },
		Senders: senders, IdleAfter: 2 * time.Minute, MaxLive: 3, PressureIdleAfter: 5 * time.Second})
	for i := range 6 {
		from := fmt.Sprintf("+1317555%04d", i)
		in := &conversation.Inbound{SID: fmt.Sprintf("SM%032d", i), From: from, To: n.E164, Body: "hello", NumSegments: 1}
		if _, err := actorcall.Await[*conversation.InboundResult](dir.Request(org, n.ID, from, in, 5*time.Second), in); err != nil {
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
	if got := dir.Live(); got != 3 {
		t.Fatalf("live threads a minute later = %d; want the first 3 still", got)
	}
	waitLive(0, time.Second)
}
