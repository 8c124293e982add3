package adminsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// The carrier's side of the admin area: searching, buying and syncing
// numbers (SPEC 1.5 searchAvailableNumbers, buyNumber) and A2P 10DLC brand
// and campaign registration (SPEC 1.18). Without a carrier (Deps.Numbers,
// Deps.Brands nil) these answer a no_carrier conflict.

// ErrCarrierFailed is the carrier side's failure: no answer, bad
// credentials, a 5xx. It is neither the caller's fault nor humd's (the
// edge answers 502 provider_error with the error's message).
var ErrCarrierFailed = errors.New("the carrier failed")

// carrierFailed carries the message of an ErrCarrierFailed.
type carrierFailed struct{ msg string }

func (e *carrierFailed) Error() string { return e.msg }
func (e *carrierFailed) Unwrap() error { return ErrCarrierFailed }

// SyncResult answers a sync: what the carrier's inventory added to the
// org and changed, and what it no longer lists.
type SyncResult struct {
	Provider string `json:"provider"`
	*sms.SyncResult
}

// BuyNumberInput is the body of buyNumber.
type BuyNumberInput struct {
	E164         string  `json:"e164"`
	FriendlyName string  `json:"friendly_name,omitempty" jsonschema:"minLength=0,maxLength=120"`
	FlowID       *string `json:"flow_id,omitempty" jsonschema:"nullable"`
	SMSFlowID    *string `json:"sms_flow_id,omitempty" jsonschema:"nullable"`
}

// SearchAvailableNumbers lists numbers for sale at the carrier. The query
// is the wire's, already checked by transport.
func (s *Admin) SearchAvailableNumbers(ctx context.Context, p *tenancy.Principal, q sms.NumberSearch) ([]sms.AvailableNumber, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if s.d.Numbers == nil {
		return nil, errNoCarrier()
	}
	list, err := s.d.Numbers.SearchNumbers(q)
	if err != nil {
		return nil, providerError("search numbers", "number_unavailable", err)
	}
	if list == nil {
		list = []sms.AvailableNumber{}
	}
	return list, nil
}

// SyncNumbers refreshes the org's numbers from the carrier's inventory.
func (s *Admin) SyncNumbers(ctx context.Context, p *tenancy.Principal) (*SyncResult, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if s.d.Numbers == nil {
		return nil, errNoCarrier()
	}
	list, provider, err := s.d.Numbers.ProviderNumbers()
	if err != nil {
		return nil, err
	}
	res, err := sms.SyncNumbers(s.d.Store, p.OrgID, provider, list, s.now())
	if err != nil {
		return nil, err
	}
	return &SyncResult{Provider: provider, SyncResult: res}, nil
}

// BuyNumber checks everything it can before the carrier charges (fields,
// flows, ownership, the plan cap), buys, registers, and releases the number
// at the carrier again if registering fails.
func (s *Admin) BuyNumber(ctx context.Context, p *tenancy.Principal, in BuyNumberInput) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	org := p.OrgID
	if err := s.d.Gate(org, billingactor.WorkNumber); err != nil {
		return nil, err
	}
	maxNumbers, err := s.d.NumberCap(org)
	if err != nil {
		return nil, err
	}
	provider := "twilio"
	if s.d.Sandbox {
		provider = "sandbox"
	}
	nn := sms.NewNumber{E164: in.E164, FriendlyName: in.FriendlyName, Provider: provider,
		Channel: s.d.FlowChannel, MaxNumbers: maxNumbers,
		// The carrier's capabilities are known after the purchase; the
		// pre-check assumes the number can text.
		Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}}
	if in.FlowID != nil {
		nn.FlowID = *in.FlowID
	}
	if in.SMSFlowID != nil {
		nn.SMSFlowID = *in.SMSFlowID
	}
	if err := sms.CheckNewNumber(s.d.Store, org, nn); err != nil {
		return nil, err
	}
	if s.d.Numbers == nil {
		return nil, errNoCarrier()
	}
	pn, err := s.d.Numbers.BuyNumber(in.E164)
	if err != nil {
		if pn != nil {
			// Twilio answered the purchase without a sid or number: it may
			// have sold it, and humd cannot release what it cannot name.
			s.log().Error("buy number: the carrier's answer named no number; check the account and release it by hand",
				"org", org, "e164", in.E164, "err", err)
		}
		return nil, providerError("buy "+in.E164, "number_unavailable", err)
	}
	nn.ProviderSID, nn.Capabilities = pn.SID, pn.Capabilities
	if nn.FriendlyName == "" {
		nn.FriendlyName = pn.FriendlyName
	}
	var n *sms.Number
	if pn.E164 != in.E164 {
		err = fmt.Errorf("service: the carrier sold %s, not %s", pn.E164, in.E164)
	} else {
		n, err = sms.AddNumber(s.d.Store, org, nn, s.now())
	}
	if err != nil {
		if rerr := s.d.Numbers.ReleaseNumber(pn.SID); rerr != nil {
			// The org is paying for a number humd does not know: say so loudly.
			s.log().Error("buy number: release after a failed registration failed; release it by hand",
				"org", org, "e164", pn.E164, "sid", pn.SID, "err", rerr)
			return nil, fmt.Errorf("service: buy %s: %w (releasing %s failed too: %v)", in.E164, err, pn.SID, rerr)
		}
		return nil, fmt.Errorf("service: buy %s: released again: %w", in.E164, err)
	}
	return n, nil
}

// log is the service's logger (slog's default without one).
func (s *Admin) log() *slog.Logger {
	if s.d.Logger != nil {
		return s.d.Logger
	}
	return slog.Default()
}

// providerError turns a carrier refusal into an answer: a 4xx from Twilio
// (the number was taken meanwhile, say) is the caller's conflict with code
// refused; anything else, bad credentials included, is the carrier side's
// fault (ErrCarrierFailed). The sandbox answers storage errors already.
func providerError(what, refused string, err error) error {
	var se *sender.Error
	if !errors.As(err, &se) {
		if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrNotFound) {
			return err // the sandbox's own answers
		}
		// No answer at all (a network failure, a timeout): the carrier side's, not a 500.
		return &carrierFailed{msg: fmt.Sprintf("the carrier failed to %s: %v", what, err)}
	}
	if se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 403 {
		return storage.Conflict(refused, fmt.Sprintf("the carrier refused: %s (%d)", se.Message, se.Code))
	}
	return &carrierFailed{msg: fmt.Sprintf("the carrier failed to %s: %s", what, se.Message)}
}

// ListBrands pages the org's A2P 10DLC brand registrations.
func (s *Admin) ListBrands(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*brands.Brand, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return brands.List(s.d.Store, p.OrgID, page)
}

// GetBrand answers one brand registration.
func (s *Admin) GetBrand(ctx context.Context, p *tenancy.Principal, id string) (*brands.Brand, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return brands.Get(s.d.Store, p.OrgID, id)
}

// CreateBrand validates, then registers the brand at the carrier before
// storing it.
func (s *Admin) CreateBrand(ctx context.Context, p *tenancy.Principal, in *brands.Request) (*brands.Brand, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	b, err := brands.New(p.OrgID, in, now)
	if err != nil {
		return nil, err
	}
	if s.d.Brands == nil {
		return nil, errNoCarrier()
	}
	if err := brands.Register(s.d.Store, s.d.Brands, b, now); err != nil {
		return nil, brandError(err)
	}
	return b, nil
}

// RefreshBrand asks the carrier how the review goes, and registers the
// campaign once the brand is approved (brands.Refresh).
func (s *Admin) RefreshBrand(ctx context.Context, p *tenancy.Principal, id string) (*brands.Brand, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	org := p.OrgID
	if s.d.Brands == nil {
		if _, err := brands.Get(s.d.Store, org, id); err != nil {
			return nil, err
		}
		return nil, errNoCarrier()
	}
	b, err := brands.Refresh(s.d.Store, s.d.Brands, org, id, s.now().UTC())
	if err != nil {
		return nil, brandError(err)
	}
	return b, nil
}

// brandError answers a carrier's failure as a conflict or ErrCarrierFailed
// and leaves humd's own (storage) failures as they are.
func brandError(err error) error {
	var ce *brands.CarrierError
	if errors.As(err, &ce) {
		return providerError(ce.Op, "carrier_refused", ce.Err)
	}
	return err
}
