package sender

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Config is what every sender actor shares.
type Config struct {
	Carrier Carrier
	Clock   clock.Clock
	Store   storage.Store
	Logger  *slog.Logger
	// SendTimeout bounds one carrier call (default 15s).
	SendTimeout time.Duration
}

// Actor is the one sender of a number: the only caller of the carrier for it,
// pacing sends with a token bucket at the number's rate (D-8).
type Actor struct {
	cfg      Config
	waiting  prometheus.Gauge // humd_sender_queue_messages of this number
	limiter  *Limiter
	queue    []*Enqueue
	gen      uint64
	armed    bool
	inflight int
}

// Props builds a number's sender. Its rate (segments per second) comes with
// the first Enqueue or SetRate it gets.
func Props(cfg Config) *actor.Props {
	cfg = cfg.defaults()
	return system.Props(func() actor.Actor {
		return &Actor{cfg: cfg}
	})
}

func (cfg Config) defaults() Config {
	if cfg.SendTimeout == 0 {
		cfg.SendTimeout = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch m := ctx.Message().(type) {
	case *Enqueue:
		if a.limiter == nil {
			a.limiter = NewLimiter(m.MPS, a.cfg.Clock.Now())
		}
		a.queue = append(a.queue, m)
		a.pump(ctx)
	case *wake:
		if m.gen == a.gen {
			a.armed = false
			a.pump(ctx)
		}
	case *workerDone:
		a.inflight--
		a.reply(ctx, m.replyTo, m.res)
	case *SetRate:
		if a.limiter == nil {
			a.limiter = NewLimiter(m.MPS, a.cfg.Clock.Now())
		} else {
			a.limiter.SetRate(m.MPS, a.cfg.Clock.Now())
		}
		a.pump(ctx)
	}
	if err != nil {
		a.cfg.Logger.Error("sender", "err", err)
	}
	if a.waiting != nil {
		a.waiting.Set(float64(len(a.queue)))
	}
}

// reply tells the Enqueue's sender (a thread, reached by identity: it may
// have passivated and come back since) what became of its text.
func (a *Actor) reply(ctx actor.Context, to system.Ref, res *Result) {
	if to.Kind != "" {
		system.RegistryOf(ctx.ActorSystem()).Tell(to, res)
	}
}

// pump starts every queued send the bucket allows now and arms one timer for
// the next.
func (a *Actor) pump(ctx actor.Context) {
	for len(a.queue) > 0 {
		next := a.queue[0]
		if !next.System {
			// A text to someone who opted out while it waited spends no token.
			if opted, err := sms.IsOptedOut(a.cfg.Store, next.OrgID, next.ContactE164); err == nil && opted {
				a.queue[0] = nil
				a.queue = a.queue[1:]
				a.reply(ctx, next.ReplyTo, &Result{MessageID: next.MessageID, OptedOut: true})
				continue
			}
		}
		ok, wait := a.limiter.Allow(a.cfg.Clock.Now(), Segments(next.Outbound.Body))
		if !ok {
			if !a.armed {
				a.armed = true
				a.gen++
				system.SendAfter(ctx, a.cfg.Clock, wait, &wake{gen: a.gen})
			}
			return
		}
		a.queue[0] = nil
		a.queue = a.queue[1:]
		a.inflight++
		a.start(ctx, next)
	}
}

// start runs the carrier call off the mailbox; its result comes back as a
// workerDone message.
func (a *Actor) start(ctx actor.Context, e *Enqueue) {
	self, root, cfg := ctx.Self(), ctx.ActorSystem().Root, a.cfg
	go func() {
		res := &Result{MessageID: e.MessageID}
		defer func() { root.Send(self, &workerDone{res: res, replyTo: e.ReplyTo}) }()
		if !e.System {
			// The contact may have said STOP while this text waited for a token.
			opted, err := sms.IsOptedOut(cfg.Store, e.OrgID, e.ContactE164)
			if err != nil {
				res.Err = fmt.Errorf("sender: opt-out check: %w", err)
				return
			}
			if opted {
				res.OptedOut = true
				return
			}
		}
		cctx, cancel := context.WithTimeout(context.Background(), cfg.SendTimeout)
		defer cancel()
		acc, err := cfg.Carrier.Send(cctx, e.Outbound)
		if err != nil {
			res.Err = err
			return
		}
		res.Accepted = acc
	}()
}
