package brands

import (
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// Carrier registers brands and campaigns and answers their review status
// (twilio-go's Messaging v1, or the sandbox's).
type Carrier interface {
	RegisterBrand(b *Brand) (*Registration, error)
	Brand(sid string) (*Registration, error)
	RegisterCampaign(b *Brand) (*Registration, error)
	Campaign(serviceSID, sid string) (*Registration, error)
}

// Register registers a new brand at the carrier and only then stores it, so
// a refused registration leaves nothing behind.
func Register(s storage.Store, c Carrier, b *Brand, now time.Time) error {
	reg, err := c.RegisterBrand(b)
	if err != nil {
		return fmt.Errorf("register the brand: %w", err)
	}
	b.BrandSID, b.BrandStatus, b.FailureReason, b.CheckedAt = reg.SID, reg.Status, reg.Failure, &now
	b.Settle()
	return Put(s, b)
}

// Refresh reads the brand's (then the campaign's) review status from the
// carrier and registers the campaign the first time the brand is seen
// approved. A brand that failed, or is approved with its campaign, is
// answered as stored. One refresh of a brand runs at a time, so its campaign
// is registered once.
func Refresh(s storage.Store, c Carrier, org, id string, now time.Time) (*Brand, error) {
	unlock := Locks.Lock(org + "/" + id)
	defer unlock()
	b, err := Get(s, org, id)
	if err != nil || b.Settled() {
		return b, err
	}
	if b.CampaignSID == "" {
		reg, err := c.Brand(b.BrandSID)
		if err != nil {
			return nil, fmt.Errorf("read the brand: %w", err)
		}
		b.BrandStatus, b.FailureReason = reg.Status, reg.Failure
		if b.BrandApproved() {
			reg, err := c.RegisterCampaign(b)
			if err != nil {
				return nil, fmt.Errorf("register the campaign: %w", err)
			}
			b.CampaignSID, b.CampaignStatus, b.FailureReason = reg.SID, reg.Status, reg.Failure
		}
	} else {
		reg, err := c.Campaign(b.MessagingServiceSID, b.CampaignSID)
		if err != nil {
			return nil, fmt.Errorf("read the campaign: %w", err)
		}
		b.CampaignStatus, b.FailureReason = reg.Status, reg.Failure
	}
	b.CheckedAt, b.UpdatedAt = &now, now
	b.Settle()
	return b, Put(s, b)
}

// Settled reports whether the review is over, either way.
func (b *Brand) Settled() bool { return b.Status == StatusFailed || b.Status == StatusApproved }

// RefreshOpen refreshes every org's brands still in review; it answers how
// many it refreshed and the first error (the others are still tried).
func RefreshOpen(s storage.Store, c Carrier, now time.Time) (int, error) {
	type ref struct{ org, id string }
	var open []ref
	err := s.Scan(storage.Prefix("brand"), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var b Brand
		if err := storage.DecodeJSON(v, &b); err != nil {
			return false, err
		}
		if !b.Settled() {
			open = append(open, ref{b.OrgID, b.ID})
		}
		return true, nil
	})
	n := 0
	for _, r := range open {
		if _, rerr := Refresh(s, c, r.org, r.id, now); rerr != nil && err == nil {
			err = fmt.Errorf("brand %s: %w", r.id, rerr)
		} else if rerr == nil {
			n++
		}
	}
	return n, err
}
