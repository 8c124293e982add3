package smssvc

import (
	"context"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// RegisterNumberInput is the body of registerNumber.
type RegisterNumberInput struct {
	E164         string `json:"e164"`
	FriendlyName string `json:"friendly_name,omitempty" jsonschema:"minLength=0,maxLength=120"`
}

// ListNumbers pages the org's phone numbers.
func (s *SMS) ListNumbers(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*sms.Number, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return sms.ListNumbers(s.d.Store, p.OrgID, page)
}

// RegisterNumber registers a number the org already has at the provider,
// within the plan's cap on numbers.
func (s *SMS) RegisterNumber(ctx context.Context, p *tenancy.Principal, in RegisterNumberInput) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkNumber); err != nil {
		return nil, err
	}
	maxNumbers, err := s.d.NumberCap(p.OrgID)
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

// GetNumber answers one number.
func (s *SMS) GetNumber(ctx context.Context, p *tenancy.Principal, id string) (*sms.Number, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return sms.GetNumber(s.d.Store, p.OrgID, id)
}

// UpdateNumber names a number, assigns its flows, enables SMS or sets its
// rate; the number's sender actor hears of the new rate.
func (s *SMS) UpdateNumber(ctx context.Context, p *tenancy.Principal, id string, in sms.NumberPatch) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	n, err := sms.PatchNumber(s.d.Store, p.OrgID, id, in, s.d.FlowChannel, s.now())
	if err != nil {
		return nil, err
	}
	if s.d.Senders != nil {
		s.d.Senders.SetRate(n)
	}
	return n, nil
}
