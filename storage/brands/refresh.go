package brands

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// Carrier registers brands and campaigns and answers their review status
// (twilio-go's Messaging v1, or the sandbox's). A request the carrier
// refuses (as opposed to one it failed to answer) wraps ErrRefused.
type Carrier interface {
	RegisterBrand(b *Brand) (*Registration, error)
	Brand(sid string) (*Registration, error)
	RegisterCampaign(b *Brand) (*Registration, error)
	Campaign(serviceSID, sid string) (*Registration, error)
	// FindCampaign answers the campaign already registered for brandSID on
	// the Messaging Service, or nil.
	FindCampaign(serviceSID, brandSID string) (*Registration, error)
}

// ErrRefused marks the carrier's refusal of a registration.
var ErrRefused = errors.New("the carrier refused")

// CarrierError is a carrier call that failed, as opposed to humd's own
// storage: the HTTP edge answers the first 409 or 502 and the second as its
// own failure.
type CarrierError struct {
	Op  string
	Err error
}

func (e *CarrierError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *CarrierError) Unwrap() error { return e.Err }

// Register registers a new brand at the carrier and only then stores it, so
// a refused registration leaves nothing behind. A brand the carrier took but
// humd failed to store is reported with its SID in the error.
func Register(s storage.Store, c Carrier, b *Brand, now time.Time) error {
	reg, err := c.RegisterBrand(b)
	if err != nil {
		return &CarrierError{"register the brand", err}
	}
	b.BrandSID, b.BrandStatus, b.FailureReason, b.CheckedAt = reg.SID, reg.Status, reg.Failure, &now
	b.Settle()
	if err := Put(s, b); err != nil {
		return fmt.Errorf("brands: brand %s registered at the carrier but not stored: %w", reg.SID, err)
	}
	return nil
}

// Refresh reads the brand's status from the carrier (a brand can be
// suspended after its campaign is verified) and then its campaign's. The
// first time the brand is seen approved it registers the campaign, or adopts
// the one already on the Messaging Service for this brand (a registration
// whose answer was not stored); a refused campaign fails the brand with the
// carrier's reason. A brand that failed, or is approved, is answered as
// stored. One refresh of a brand runs at a time.
func Refresh(s storage.Store, c Carrier, org, id string, now time.Time) (*Brand, error) {
	unlock := Locks.Lock(org + "/" + id)
	defer unlock()
	b, err := Get(s, org, id)
	if err != nil || b.Settled() {
		return b, err
	}
	reg, err := c.Brand(b.BrandSID)
	if err != nil {
		return nil, &CarrierError{"read the brand", err}
	}
	b.BrandStatus, b.FailureReason = reg.Status, reg.Failure
	switch {
	case b.CampaignSID != "":
		reg, err := c.Campaign(b.MessagingServiceSID, b.CampaignSID)
		if err != nil {
			return nil, &CarrierError{"read the campaign", err}
		}
		b.CampaignStatus = reg.Status
		if reg.Failure != "" {
			b.FailureReason = reg.Failure
		}
	case b.BrandApproved():
		if err := registerCampaign(c, b); err != nil {
			return nil, err
		}
	}
	b.CheckedAt, b.UpdatedAt = &now, now
	b.Settle()
	return b, Put(s, b)
}

func registerCampaign(c Carrier, b *Brand) error {
	reg, err := c.FindCampaign(b.MessagingServiceSID, b.BrandSID)
	if err != nil {
		return &CarrierError{"look for the campaign", err}
	}
	if reg == nil {
		reg, err = c.RegisterCampaign(b)
	}
	switch {
	case errors.Is(err, ErrRefused):
		b.CampaignStatus, b.FailureReason = "FAILED", err.Error()
	case err != nil:
		return &CarrierError{"register the campaign", err}
	default:
		b.CampaignSID, b.CampaignStatus, b.FailureReason = reg.SID, reg.Status, reg.Failure
	}
	return nil
}

// Settled reports whether the review is over, either way.
func (b *Brand) Settled() bool { return b.Status == StatusFailed || b.Status == StatusApproved }

// RefreshOpen refreshes every org's brands still in review; it answers how
// many it refreshed and the first error (the others are still tried).
func RefreshOpen(s storage.Store, c Carrier, now time.Time) (int, error) {
	type ref struct{ org, id string }
	var open []ref
	var first error
	note := func(err error) {
		if first == nil {
			first = err
		}
	}
	err := s.Scan(storage.Prefix("brand"), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		var b Brand
		if err := storage.DecodeJSON(v, &b); err != nil {
			note(fmt.Errorf("brands: %s: %w", k, err)) // one bad record must not stop the others
			return true, nil
		}
		if !b.Settled() {
			open = append(open, ref{b.OrgID, b.ID})
		}
		return true, nil
	})
	if err != nil {
		note(err)
	}
	n := 0
	for _, r := range open {
		if _, err := Refresh(s, c, r.org, r.id, now); err != nil {
			note(fmt.Errorf("brand %s: %w", r.id, err))
			continue
		}
		n++
	}
	return n, first
}
