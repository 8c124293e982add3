package webhook

import (
	"errors"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/webhooks"
)

// Kind is the delivery actors' kind in the system.Directory.
const Kind system.Kind = "webhook"

// Ref is the identity of the org's endpoint's delivery actor.
func Ref(org, id string) system.Ref { return system.Ref{Kind: Kind, ID: org + "/" + id} }

// Service starts and reaches the delivery actors, through the actor
// system's system.Registry.
type Service struct {
	cfg *Config
	dir system.Directory
}

// New registers the webhook kind and starts a delivery actor for every
// enabled endpoint.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	cfg.defaults()
	if cfg.Post == nil {
		return nil, errors.New("webhook: Config.Post is required")
	}
	cfg.actors = system.RegistryOf(root.ActorSystem())
	s := &Service{cfg: &cfg, dir: cfg.actors}
	cfg.actors.Register(Kind, func(ref string) *actor.Props {
		org, id, _ := strings.Cut(ref, "/")
		return props(s.cfg, org, id)
	})
	var eps []*webhooks.Endpoint
	if err := webhooks.All(cfg.Store, func(e *webhooks.Endpoint) {
		if e.Enabled {
			eps = append(eps, e)
		}
	}); err != nil {
		return nil, err
	}
	for _, e := range eps {
		cfg.actors.Ensure(Ref(e.OrgID, e.ID))
	}
	return s, nil
}

// Policy is the SSRF policy endpoints are checked against.
func (s *Service) Policy() egresspolicy.Policy { return s.cfg.Policy }

// Changed tells the endpoint's actor to reload (after create, edit,
// rotation or delete); a stopped actor is started again.
func (s *Service) Changed(org, id string) error {
	s.dir.Tell(Ref(org, id), &Reload{})
	return nil
}

// SendTest delivers a webhook.test event to the endpoint now and waits for
// the attempt. It blocks: for callers outside the actor system.
func (s *Service) SendTest(org, id string) (*TestResult, error) {
	return system.Ask[*TestResult](s.dir, Ref(org, id), &SendTest{}, s.AskTimeout())
}

// Redeliver sends one of the endpoint's deliveries again and answers it
// pending. It blocks: for callers outside the actor system.
func (s *Service) Redeliver(org, id, deliveryID string) (*webhooks.Delivery, error) {
	return system.Ask[*webhooks.Delivery](s.dir, Ref(org, id), &Redeliver{ID: deliveryID}, 5*time.Second)
}

// AskTimeout bounds a wait for SendTest: one attempt plus slack.
func (s *Service) AskTimeout() time.Duration { return s.cfg.Timeout + 5*time.Second }
