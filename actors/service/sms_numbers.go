package service

import (
	"context"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// RegisterNumberInput is the body of registerNumber.
type RegisterNumberInput struct {
	E164         string `json:"e164"`
	FriendlyName string `json:"friendly_name,omitempty" jsonschema:"minLength=0,maxLength=120"`
}

// ListNumbers pages the org's phone numbers.
func (s *Service) ListNumbers(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*sms.Number, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return sms.ListNumbers(s.d.Store, p.OrgID, page)
}

// RegisterNumber registers a number the org already has at the provider,
// within the plan's cap on numbers.
func (s *Service) RegisterNumber(ctx context.Context, p *tenancy.Principal, in RegisterNumberInput) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if err := s.gateNumber(p.OrgID); err != nil {
		return nil, err
	}
	maxNumbers, err := s.smsNumberCap(p.OrgID)
	if err != nil {
		return nil, err
	}
	provider := "twilio"
	if s.d.Sandbox {
		provider = "sandbox"
	}
	return sms.AddNumber(s.d.Store, p.OrgID, sms.NewNumber{E164: in.E164, FriendlyName: in.FriendlyName, Provider: provider,
		Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}, MaxNumbers: maxNumbers}, s.now())
}

// smsNumberCap is the org's cap on numbers (0: none): the plan's, unless
// the org's billing allows extra numbers.
func (s *Service) smsNumberCap(org string) (int, error) {
	if s.d.PlanMaxNumbers <= 0 {
		return 0, nil
	}
	b, err := billing.Get(s.d.Store, org)
	if err != nil {
		return 0, err
	}
	if b.ExtraNumbersAllowed {
		return 0, nil
	}
	return s.d.PlanMaxNumbers, nil
}

// GetNumber answers one number.
func (s *Service) GetNumber(ctx context.Context, p *tenancy.Principal, id string) (*sms.Number, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return sms.GetNumber(s.d.Store, p.OrgID, id)
}

// UpdateNumber names a number, assigns its flows, enables SMS or sets its
// rate; the number's sender actor hears of the new rate.
func (s *Service) UpdateNumber(ctx context.Context, p *tenancy.Principal, id string, in sms.NumberPatch) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	n, err := sms.PatchNumber(s.d.Store, p.OrgID, id, in, s.smsFlowChannel, s.now())
	if err != nil {
		return nil, err
	}
	if s.d.Senders != nil {
		s.d.Senders.SetRate(n)
	}
	return n, nil
}

// smsFlowChannel answers a flow's channel (voice|sms), or ErrNotFound.
func (s *Service) smsFlowChannel(org, id string) (string, error) {
	if s.d.Flows == nil {
		return "", storage.ErrNotFound
	}
	f, err := s.d.Flows.Get(org, id)
	if err != nil {
		return "", err
	}
	return f.Channel, nil
}
