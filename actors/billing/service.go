package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	storebilling "github.com/humd/humd/storage/billing"
)

// Provider is the billing provider's API (Stripe through stripe-go, or the
// sandbox). Its calls may block; the actor makes them on goroutines only.
type Provider interface {
	CreateCustomer(ctx context.Context, in CustomerRequest) (string, error)
	CreateCheckout(ctx context.Context, in CheckoutRequest) (string, error)
	CreatePortal(ctx context.Context, in PortalRequest) (string, error)
	ReportUsage(ctx context.Context, in UsageEvent) error
}

// CustomerRequest creates the org's customer.
type CustomerRequest struct {
	OrgID, Name, IdempotencyKey string
}

// CheckoutRequest opens a subscription checkout for the org's customer.
type CheckoutRequest struct {
	OrgID, CustomerID     string
	Plan                  storebilling.Plan
	SuccessURL, CancelURL string
	IdempotencyKey        string
}

// PortalRequest opens the customer portal.
type PortalRequest struct {
	OrgID, CustomerID, ReturnURL, IdempotencyKey string
}

// UsageEvent is one meter event.
type UsageEvent struct {
	EventName, Identifier, CustomerID string
	Value                             int64
	At                                time.Time
}

var (
	// ErrProviderUnavailable: the provider could not be reached (503).
	ErrProviderUnavailable = errors.New("billing: the billing provider is unreachable; retry")
	// ErrProviderRejected: the provider refused the request (502).
	ErrProviderRejected = errors.New("billing: the billing provider refused the request")
	// ErrNoCustomer: the org has no provider customer yet (409).
	ErrNoCustomer = storage.Conflict("no_billing_customer", "this org has no billing customer yet; buy a plan with POST /api/billing/checkout first")
)

// Config configures the billing actor. Provider nil is provider none:
// the actor does not start and the Gate lets everything through.
type Config struct {
	Store    storage.Store
	Clock    clock.Clock
	Logger   *slog.Logger
	Provider Provider
	// Name is the provider's name (sandbox, stripe).
	Name    string
	Catalog storebilling.Catalog
	// Grace is how long past_due may still start outbound work.
	Grace time.Duration
	// MeterEvery is the usage reporting slice (default 1h).
	MeterEvery time.Duration
	// PublicURL is where browsers come back to after checkout and portal.
	PublicURL string
	// Timeout bounds one provider call (default 20s).
	Timeout time.Duration
}

// Kind is the billing actor's kind; it is a singleton (Ref's id is "").
const Kind system.Kind = "billing"

// Ref is the billing actor's identity.
var Ref = system.Ref{Kind: Kind}

// Service is the billing actor's door and the Gate.
type Service struct {
	cfg *Config
	dir system.Directory // nil with provider none
}

// New starts the billing actor when a provider is configured.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Clock == nil {
		return nil, errors.New("billing: Config.Store and Config.Clock are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MeterEvery <= 0 {
		cfg.MeterEvery = time.Hour
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Name == "" {
		cfg.Name = "none"
	}
	s := &Service{cfg: &cfg}
	if cfg.Provider == nil {
		return s, nil
	}
	reg := system.RegistryOf(root.ActorSystem())
	reg.Register(Kind, func(string) *actor.Props { return system.Props(func() actor.Actor { return newActor(s.cfg) }) })
	reg.Ensure(Ref)
	s.dir = reg
	return s, nil
}

// Enabled reports whether a provider is configured.
func (s *Service) Enabled() bool { return s != nil && s.dir != nil }

// Name answers the provider's name: none, sandbox or stripe.
func (s *Service) Name() string {
	if s == nil {
		return "none"
	}
	return s.cfg.Name
}

// Catalog answers the plan catalog.
func (s *Service) Catalog() storebilling.Catalog {
	if s == nil {
		return nil
	}
	return s.cfg.Catalog
}

// State answers the org's subscription state, nil before any.
func (s *Service) State(org string) (*storebilling.State, error) {
	if !s.Enabled() {
		return nil, nil
	}
	return storebilling.GetState(s.cfg.Store, org)
}

// ask waits longer than a provider call, which the actor's goroutine bounds.
func (s *Service) ask(msg any) (any, error) {
	return system.Ask[any](s.dir, Ref, msg, 2*s.cfg.Timeout+5*time.Second)
}

// Checkout opens a hosted checkout (see Checkout).
func (s *Service) Checkout(m *Checkout) (*Hosted, error) {
	return askAs[*Hosted](s, m)
}

// Portal opens the hosted customer portal (see Portal).
func (s *Service) Portal(m *Portal) (*Hosted, error) {
	return askAs[*Hosted](s, m)
}

// Ingest stores and applies a checked webhook event (see Ingest).
func (s *Service) Ingest(ev *storebilling.Event) (*Ingested, error) {
	return askAs[*Ingested](s, &Ingest{Event: ev})
}

func askAs[T any](s *Service, msg any) (T, error) {
	var zero T
	if !s.Enabled() {
		return zero, errors.New("billing: no provider")
	}
	v, err := s.ask(msg)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("billing: unexpected reply %T", v)
	}
	return t, nil
}

// Grace answers how long past_due may still start outbound work.
func (s *Service) Grace() time.Duration {
	if s == nil {
		return 0
	}
	return s.cfg.Grace
}
