package system

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
)

// touch is activity for idler; after is the quiet time it asks for.
type touch struct{ after time.Duration }

// ping answers once everything before it in the mailbox was handled.
type ping struct{}

// idler passivates through an IdleTimer and reports each time it would.
type idler struct {
	clk   clock.Clock
	timer IdleTimer
	quiet chan time.Time
}

func (a *idler) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *touch:
		a.timer.Touch(ctx, a.clk, m.after)
	case *IdleTick:
		if a.timer.Fired(ctx, a.clk, m, 2*time.Minute) {
			a.quiet <- a.clk.Now()
		}
	case *ping:
		ctx.Respond(true)
	}
}

func TestIdleTimerOneTimerAndQuietAfterLastTouch(t *testing.T) {
	sys := New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	a := &idler{clk: clk, quiet: make(chan time.Time, 10)}
	pid := sys.Root.Spawn(Props(func() actor.Actor { return a }))
	sync := func() {
		t.Helper()
		if _, err := sys.Root.RequestFuture(pid, &ping{}, 5*time.Second).Result(); err != nil {
			t.Fatal(err)
		}
	}
	noQuiet := func(when string) {
		t.Helper()
		select {
		case at := <-a.quiet:
			t.Fatalf("%s: quiet at %s", when, at.Format(time.TimeOnly))
		default:
		}
	}

	for range 100 {
		sys.Root.Send(pid, &touch{after: 2 * time.Minute})
	}
	sync()
	if n := clk.Pending(); n != 1 {
		t.Fatalf("pending timers after 100 touches = %d; want 1", n)
	}
	clk.Advance(time.Minute)
	sys.Root.Send(pid, &touch{after: 2 * time.Minute}) // at 12:01
	sync()
	clk.Advance(time.Minute) // the 12:02 tick finds activity at 12:01
	sync()
	noQuiet("a minute after the last touch")
	if n := clk.Pending(); n != 1 {
		t.Fatalf("pending timers after an early tick = %d; want 1 (re-armed for the rest)", n)
	}
	clk.Advance(time.Minute)
	sync()
	select {
	case at := <-a.quiet:
		if want := start.Add(3 * time.Minute); !at.Equal(want) {
			t.Fatalf("quiet at %s; want %s", at.Format(time.TimeOnly), want.Format(time.TimeOnly))
		}
	default:
		t.Fatal("not quiet two minutes after the last touch")
	}
	if n := clk.Pending(); n != 0 {
		t.Fatalf("pending timers once quiet = %d; want 0", n)
	}

	// A shorter wait than the pending timer's arms an earlier one.
	sys.Root.Send(pid, &touch{after: 2 * time.Minute})
	sys.Root.Send(pid, &touch{after: 5 * time.Second})
	sync()
	if n := clk.Pending(); n != 2 {
		t.Fatalf("pending timers = %d; want 2 (the earlier one armed)", n)
	}
	clk.Advance(5 * time.Second)
	sync()
	noQuiet("5s after, asking 2 minutes when fired")
	clk.Advance(2 * time.Minute)
	sync()
	if len(a.quiet) != 1 {
		t.Fatalf("quiet %d times after the wait; want once (the superseded tick is stale)", len(a.quiet))
	}
}
