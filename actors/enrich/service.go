package enrich

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Result is what a lookup answered.
type Result = sms.LookupResult

// Lookuper looks a phone number up: Twilio Lookup v2 through twilio-go in
// production (an adapter in app), a deterministic stand-in in
// sandbox mode, a fake in tests. It may block; the actor calls it from
// worker goroutines only.
type Lookuper interface {
	Lookup(ctx context.Context, e164 string) (*Result, error)
}

var (
	// ErrPermanent marks a lookup error that retrying cannot fix (a 4xx
	// other than 429, a malformed number); Lookupers wrap it with %w.
	ErrPermanent = errors.New("enrich: permanent lookup failure")
	// ErrLookupFailed wraps the provider's error in LookupContact's answer.
	ErrLookupFailed = errors.New("enrich: lookup failed")
)

// errOff answers requests when no Lookuper is configured.
var errOff = storage.Conflict("lookup_unavailable", "contact enrichment is off: no lookup provider is configured")

// Config configures the service and its actor. Zero values get defaults.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Lookuper answers lookups; nil turns enrichment off (the backfill and
	// lookup routes then answer 409 lookup_unavailable).
	Lookuper Lookuper
	// Poll is how often the actor reads the event logs (default 1s).
	Poll time.Duration
	// Rate caps automatic lookups per second across every org (default 10);
	// it is also the burst.
	Rate float64
	// BackfillRate is a job's per-second cap when the request names none
	// (default 5, never above Rate).
	BackfillRate float64
	// Concurrency caps lookups in flight (default 4).
	Concurrency int
	// MaxAttempts bounds tries per contact (default 5).
	MaxAttempts int
	// Backoff[n-1] is the wait after the n-th failed attempt; the last
	// entry repeats (default 30s, 2m, 10m, 1h).
	Backoff []time.Duration
	// Timeout bounds one lookup (default 15s).
	Timeout time.Duration
	// Skips counts and logs the events the actor went past (nil: logged
	// only).
	Skips *storage.Skips
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Rate <= 0 {
		c.Rate = 10
	}
	if c.BackfillRate <= 0 {
		c.BackfillRate = 5
	}
	c.BackfillRate = min(c.BackfillRate, c.Rate)
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if len(c.Backoff) == 0 {
		c.Backoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
}

// backoff is the wait after the n-th failed attempt (n >= 1).
func (c *Config) backoff(n int) time.Duration {
	return c.Backoff[min(n, len(c.Backoff))-1]
}

// Kind is the enrich actor's kind in the system.Directory; it is a
// singleton (Ref's id is "").
const Kind system.Kind = "enrich"

// Ref is the identity of the enrich actor.
var Ref = system.Ref{Kind: Kind}

// Service starts the enrich actor and serves the contact lookup routes.
type Service struct {
	cfg *Config
	dir system.Directory // nil when enrichment is off
	mu  sync.Mutex       // one running backfill per org
}

// New starts the enrich actor, unless cfg.Lookuper is nil.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Clock == nil {
		return nil, errors.New("enrich: Config.Store and Config.Clock are required")
	}
	cfg.defaults()
	s := &Service{cfg: &cfg}
	if cfg.Lookuper == nil {
		cfg.Logger.Info("contact enrichment is off: no lookup provider")
		return s, nil
	}
	if err := initCursors(cfg.Store); err != nil {
		return nil, err
	}
	reg := system.RegistryOf(root.ActorSystem())
	reg.Register(Kind, func(string) *actor.Props { return system.Props(func() actor.Actor { return newActor(s.cfg) }) })
	reg.Ensure(Ref)
	s.dir = reg
	return s, nil
}

// Enabled reports whether a lookup provider is configured.
func (s *Service) Enabled() bool { return s.dir != nil }

// LookupContact re-runs the lookup of one of the org's contacts now, in
// the caller's goroutine, and answers the updated contact. A provider
// failure is ErrLookupFailed.
func (s *Service) LookupContact(ctx context.Context, org, id string) (*sms.Contact, error) {
	if !s.Enabled() {
		return nil, errOff
	}
	c, err := sms.GetContact(s.cfg.Store, org, id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.cfg.Lookuper.Lookup(ctx, c.E164)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLookupFailed, err)
	}
	b := s.cfg.Store.NewBatch()
	defer b.Discard()
	return sms.ApplyLookup(s.cfg.Store, b, org, c.E164, res, s.cfg.Clock.Now())
}

// BackfillInput is the body of POST /api/contacts/backfill-lookup.
type BackfillInput struct {
	// PerSecond is the job's lookup rate, 0 < n <= Config.Rate; nil is
	// Config.BackfillRate.
	PerSecond *float64 `json:"per_second,omitempty"`
}

// StartBackfill creates a backfill job over the org's contacts without
// lookup data and tells the actor. A second job while one runs is a 409
// backfill_running.
func (s *Service) StartBackfill(org string, req BackfillInput) (*sms.LookupJob, error) {
	if !s.Enabled() {
		return nil, errOff
	}
	rate := s.cfg.BackfillRate
	if req.PerSecond != nil {
		if *req.PerSecond <= 0 || *req.PerSecond > s.cfg.Rate {
			return nil, storage.Invalid("per_second", fmt.Sprintf("must be more than 0 and at most %g", s.cfg.Rate))
		}
		rate = *req.PerSecond
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	running, err := sms.RunningLookupJob(s.cfg.Store, org)
	if err != nil {
		return nil, err
	}
	if running != nil {
		return nil, storage.Conflict("backfill_running", "a lookup backfill is already running: "+running.ID)
	}
	total, err := sms.CountContactsWithoutLookup(s.cfg.Store, org)
	if err != nil {
		return nil, err
	}
	j := &sms.LookupJob{ID: storage.NewID("lkjob"), OrgID: org, Status: sms.JobRunning, Total: total, PerSecond: rate,
		StartedAt: s.cfg.Clock.Now().UTC()}
	b := s.cfg.Store.NewBatch()
	sms.PutLookupJob(b, j)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	s.dir.Tell(Ref, &JobStarted{OrgID: org, JobID: j.ID})
	return j, nil
}

// Job answers one of the org's backfill jobs.
func (s *Service) Job(org, id string) (*sms.LookupJob, error) {
	return sms.GetLookupJob(s.cfg.Store, org, id)
}
