package webhook

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/webhooks"
)

// Service starts and finds the delivery actors.
type Service struct {
	cfg  *Config
	root *actor.RootContext
}

// New starts a delivery actor for every enabled endpoint.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	cfg.defaults()
	if cfg.Post == nil {
		return nil, errors.New("webhook: Config.Post is required")
	}
	s := &Service{cfg: &cfg, root: root}
	var eps []*webhooks.Endpoint
	if err := webhooks.All(cfg.Store, func(e *webhooks.Endpoint) {
		if e.Enabled {
			eps = append(eps, e)
		}
	}); err != nil {
		return nil, err
	}
	for _, e := range eps {
		if _, err := s.pid(e.OrgID, e.ID); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Policy is the SSRF policy endpoints are checked against.
func (s *Service) Policy() egresspolicy.Policy { return s.cfg.Policy }

func (s *Service) pid(org, id string) (*actor.PID, error) {
	return system.GetOrSpawn(s.root, "webhook/"+org+"/"+id, props(s.cfg, org, id))
}

// Changed tells the endpoint's actor to reload (after create, edit,
// rotation or delete); a stopped actor is started again.
func (s *Service) Changed(org, id string) error {
	pid, err := s.pid(org, id)
	if err != nil {
		return err
	}
	s.root.Send(pid, &Reload{})
	return nil
}

// Ask finds the endpoint's actor for a request from outside the actor
// system (Redeliver, SendTest); the caller waits on it (system.Ask).
func (s *Service) Ask(org, id string) (*actor.RootContext, *actor.PID, error) {
	pid, err := s.pid(org, id)
	return s.root, pid, err
}

// AskTimeout bounds a wait for SendTest: one attempt plus slack.
func (s *Service) AskTimeout() time.Duration { return s.cfg.Timeout + 5*time.Second }
