package scheduler

import (
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/idem"
	"github.com/humd/humd/storage/sms"
)

// Config is what the scheduler needs.
type Config struct {
	Store storage.Store
	Clock clock.Clock
	// Threads reaches the conversation actors by conversation.Ref (the
	// system.Directory; Start uses the actor system's Registry when nil).
	Threads   system.Directory
	Logger    *slog.Logger
	BatchSize int // due entries handed out per tick (default 10,000)
	// Hourly, when set, runs on its own goroutine at the first tick of every
	// hour (not at start): slow work such as asking a carrier how reviews
	// go, which must not hold the mailbox.
	Hourly func(now time.Time)
}

// Kind is the scheduler's kind in the system.Directory; it is a singleton
// (Ref's id is "").
const Kind system.Kind = "scheduler"

// Ref is the identity of the scheduler.
var Ref = system.Ref{Kind: Kind}

// Start registers the scheduler's kind and starts it: it drains what is due
// at once and then at every minute boundary.
func Start(root *actor.RootContext, cfg Config) {
	reg := system.RegistryOf(root.ActorSystem())
	if cfg.Threads == nil {
		cfg.Threads = reg
	}
	props := Props(cfg)
	reg.Register(Kind, func(string) *actor.Props { return props })
	reg.Ensure(Ref)
}

// Tick makes the scheduler drain what is due now (it also ticks by itself at
// every minute boundary).
type Tick struct{}

// Drained answers a Tick sent as a request, once the drain has handed every
// due entry to its thread (tests step the fake clock with it).
type Drained struct{}

type tick struct{ gen uint64 }

// Actor drains due scheduled sends and expired snoozes at each minute boundary
// (SPEC 2.7, Appendix B), handing each to its conversation actor, which
// re-runs the whole send pipeline. Due work lives in Pebble (sched-due/,
// snooze-due/), so nothing is lost across restarts: the first tick after a
// start drains whatever fell due while humd was down.
type Actor struct {
	cfg  Config
	gen  uint64
	hour time.Time // the hour Hourly last ran for
}

// Props builds the scheduler.
func Props(cfg Config) *actor.Props {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return system.Props(func() actor.Actor { return &Actor{cfg: cfg} })
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.hour = a.cfg.Clock.Now().Truncate(time.Hour)
		a.drain()
		a.arm(ctx)
	case *Tick:
		a.drain()
		if ctx.Sender() != nil {
			ctx.Respond(&Drained{})
		}
	case *tick:
		if m.gen == a.gen {
			a.drain()
			a.hourly()
			a.arm(ctx)
		}
	}
}

// arm wakes the scheduler at the next minute boundary.
func (a *Actor) arm(ctx actor.Context) {
	now := a.cfg.Clock.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, next.Sub(now), &tick{gen: a.gen})
}

func (a *Actor) hourly() {
	now := a.cfg.Clock.Now()
	if h := now.Truncate(time.Hour); a.cfg.Hourly != nil && h.After(a.hour) {
		a.hour = h
		go a.cfg.Hourly(now)
	}
}

// drain hands every due entry to its thread. Scans are local Pebble reads;
// the threads do the work in their own mailboxes. An entry whose thread does
// not act on it (stopped mid-way) is still there next minute.
func (a *Actor) drain() {
	now := a.cfg.Clock.Now()
	a.scan(sms.PrefixSchedDue(), now, func(org, id, pair string) {
		a.tell(org, pair, &conversation.FireScheduled{ID: id})
	})
	a.scan(sms.PrefixSnoozeDue(), now, func(org, _, pair string) {
		a.tell(org, pair, &conversation.SnoozeDue{})
	})
	if _, err := idem.Expire(a.cfg.Store, now, a.cfg.BatchSize); err != nil {
		a.cfg.Logger.Error("expire idempotency keys", "err", err)
	}
}

func (a *Actor) scan(prefix []byte, now time.Time, fn func(org, id, pair string)) {
	err := a.cfg.Store.Scan(prefix, storage.ScanOptions{Limit: a.cfg.BatchSize}, func(k, v []byte) (bool, error) {
		at, org, id, ok := sms.SplitDue(k, prefix)
		if !ok || at.After(now) {
			return false, nil
		}
		lag.Observe(now.Sub(at).Seconds())
		fn(org, id, string(v))
		return true, nil
	})
	if err != nil {
		a.cfg.Logger.Error("scheduler scan", "err", err)
	}
}

func (a *Actor) tell(org, pair string, msg any) {
	numberID, e164, ok := strings.Cut(pair, "/")
	if !ok {
		return
	}
	a.cfg.Threads.Tell(conversation.Ref(org, numberID, e164), msg)
}
