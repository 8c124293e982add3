package adminsvc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// ReleaseNumber gives a number back to the carrier (IncomingPhoneNumbers
// DELETE, or the sandbox's) and then forgets it. It is refused while an
// unfinished campaign sends from the number, and for a number humd has no
// carrier id for; when the carrier refuses, nothing changes. The console
// offers it (there is no REST route).
func (s *Admin) ReleaseNumber(ctx context.Context, p *tenancy.Principal, id string) (*sms.Number, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	org := p.OrgID
	n, err := sms.GetNumber(s.d.Store, org, id)
	if err != nil {
		return nil, err
	}
	if s.d.Numbers == nil {
		return nil, errNoCarrier()
	}
	if n.ProviderSID == "" {
		return nil, storage.Conflict("no_provider_sid", "humd does not know this number's id at the carrier; sync from the carrier first")
	}
	busy := false
	err = s.d.Store.Scan(campaigns.PrefixCampaigns(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var c campaigns.Campaign
		if err := json.Unmarshal(v, &c); err != nil {
			return false, err
		}
		busy = c.NumberID == id && !campaigns.Terminal(c.Status)
		return !busy, nil
	})
	if err != nil {
		return nil, err
	}
	if busy {
		return nil, storage.Conflict("number_in_use", "an unfinished campaign sends from this number; let it finish or cancel it first")
	}
	if err := s.d.Numbers.ReleaseNumber(n.ProviderSID); err != nil {
		return nil, providerError("release "+n.E164, "number_unavailable", err)
	}
	if err := sms.RemoveNumber(s.d.Store, org, id); err != nil {
		// The carrier has it back but humd still lists it: the next sync
		// lists it under missing.
		s.log().Error("release number: released at the carrier but not forgotten", "org", org, "e164", n.E164, "err", err)
		return nil, fmt.Errorf("service: %s was released at the carrier but humd could not forget it: %w", n.E164, err)
	}
	return n, nil
}
