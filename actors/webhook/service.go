package webhook

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/actorcall"
)

// Service starts and finds the delivery actors.
type Service struct {
	cfg  *Config
	root *actor.RootContext
}

// New starts a delivery actor for every enabled endpoint.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	cfg.defaults()
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
func (s *Service) Policy() webhooks.Policy { return s.cfg.Policy }

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

// Redeliver sends a past delivery again.
func (s *Service) Redeliver(org, id, deliveryID string) (*webhooks.Delivery, error) {
	if _, err := webhooks.GetDelivery(s.cfg.Store, org, id, deliveryID); err != nil {
		return nil, err
	}
	return ask[*webhooks.Delivery](s, org, id, &Redeliver{ID: deliveryID}, 5*time.Second)
}

// Test sends a webhook.test event and waits for the attempt.
func (s *Service) Test(org, id string) (*TestResult, error) {
	return ask[*TestResult](s, org, id, &SendTest{}, s.cfg.Timeout+5*time.Second)
}

func ask[T any](s *Service, org, id string, msg any, timeout time.Duration) (T, error) {
	var zero T
	pid, err := s.pid(org, id)
	if err != nil {
		return zero, err
	}
	return actorcall.Ask[T](s.root, pid, msg, timeout)
}
