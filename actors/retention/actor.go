package retention

import (
	"errors"
	"log/slog"
	"maps"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

// SandboxLog is the sandbox carrier's in-memory record of sends and calls.
type SandboxLog interface {
	// Prune drops the records from before cutoff and answers how many went.
	Prune(cutoff time.Time) int
	// Extent answers how many it holds and the oldest and newest times.
	Extent() (n int, oldest, newest time.Time)
}

// Config is what the retention actor needs. Zero values get defaults.
type Config struct {
	Store  storage.Spans
	Clock  clock.Clock
	Logger *slog.Logger
	// Keep is each family's retention (zero fields: DefaultKeep's).
	Keep Keep
	// Every is the time between passes (default 1h); the first pass runs
	// a minute after start (or Every, if shorter).
	Every time.Duration
	// Batch bounds one pass per family: records deleted, and groups
	// (orgs, endpoints, threads) visited (default 10,000).
	Batch int
	// Consumers read the event log with durable cursors (Webhooks, CRM,
	// and Enrich while it runs).
	Consumers []Consumer
	// Sandbox is the sandbox carrier's record (nil without the sandbox).
	Sandbox SandboxLog
}

// Defaults for Config.
const (
	DefaultEvery = time.Hour
	DefaultBatch = 10000
)

func (c *Config) defaults() {
	c.Keep.defaults()
	if c.Every <= 0 {
		c.Every = DefaultEvery
	}
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("actor", string(Kind))
}

// Kind is the retention actor's kind in the system.Directory; it is a
// singleton (Ref's id is "").
const Kind system.Kind = "retention"

// Ref is the identity of the retention actor.
var Ref = system.Ref{Kind: Kind}

// Service reaches the retention actor.
type Service struct {
	cfg *Config
	dir system.Directory
}

// Start registers the kind and starts the actor, which arms its first pass.
func Start(root *actor.RootContext, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Clock == nil {
		return nil, errors.New("retention: Config.Store and Config.Clock are required")
	}
	cfg.defaults()
	reg := system.RegistryOf(root.ActorSystem())
	reg.Register(Kind, func(string) *actor.Props {
		return system.Props(func() actor.Actor { return &Actor{cfg: &cfg, sweeps: map[string][]byte{}} })
	})
	reg.Ensure(Ref)
	return &Service{cfg: &cfg, dir: reg}, nil
}

// Status answers the schedule and the last pass. It blocks: for callers
// outside the actor system.
func (s *Service) Status() (*Status, error) {
	return system.Ask[*Status](s.dir, Ref, &GetStatus{}, 5*time.Second)
}

// Run makes a pass now and answers its report. It blocks until the pass
// is done (bounded by Batch): for callers outside the actor system.
func (s *Service) Run(timeout time.Duration) (*Report, error) {
	return system.Ask[*Report](s.dir, Ref, &Run{}, timeout)
}

// Sandbox answers the sandbox record retention prunes (nil without one).
func (s *Service) Sandbox() SandboxLog { return s.cfg.Sandbox }

// Actor schedules passes and is the one writer of their deletes.
type Actor struct {
	cfg     *Config
	gen     uint64
	next    time.Time
	running bool
	waiting []*actor.PID
	sweeps  map[string][]byte
	last    *Report
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.arm(ctx, min(time.Minute, a.cfg.Every))
	case *tick:
		if m.gen == a.gen {
			a.start(ctx)
			a.arm(ctx, a.cfg.Every)
		}
	case *Run:
		if ctx.Sender() != nil {
			a.waiting = append(a.waiting, ctx.Sender())
		}
		a.start(ctx)
	case *GetStatus:
		ctx.Respond(&Status{Every: a.cfg.Every, Batch: a.cfg.Batch, Keep: a.cfg.Keep, NextRunAt: a.next, Running: a.running, Last: a.last})
	case *passDone:
		a.onDone(ctx, m)
	}
}

func (a *Actor) arm(ctx actor.Context, d time.Duration) {
	a.gen++
	a.next = a.cfg.Clock.Now().Add(d)
	system.SendAfter(ctx, a.cfg.Clock, d, &tick{gen: a.gen})
}

// start begins a pass off the mailbox unless one runs (it will answer
// whoever waits).
func (a *Actor) start(ctx actor.Context) {
	if a.running {
		return
	}
	a.running = true
	now := a.cfg.Clock.Now()
	p := &pass{cfg: a.cfg, now: now, sweeps: maps.Clone(a.sweeps),
		report: &Report{StartedAt: now, Deleted: map[string]int{}, Errors: map[string]string{}}}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	go func() {
		p.run()
		root.Send(self, &passDone{report: p.report, sweeps: p.sweeps})
	}()
}

func (a *Actor) onDone(ctx actor.Context, m *passDone) {
	a.running, a.sweeps, a.last = false, m.sweeps, m.report
	record(m.report)
	total := 0
	for _, n := range m.report.Deleted {
		total += n
	}
	for f, e := range m.report.Errors {
		a.cfg.Logger.Error("retention pass", "family", f, "err", e)
	}
	if total > 0 {
		a.cfg.Logger.Info("retention pass", "deleted", m.report.Deleted, "done", m.report.Done,
			"took", m.report.EndedAt.Sub(m.report.StartedAt))
	}
	for _, w := range a.waiting {
		ctx.Send(w, m.report)
	}
	a.waiting = nil
}
