package twilio

import (
	"fmt"

	messaging "github.com/twilio/twilio-go/rest/messaging/v1"
)

// BrandRequest is an A2P 10DLC brand registration (Messaging v1
// BrandRegistrations): two Trust Hub bundles made in Twilio's console.
type BrandRequest struct {
	CustomerProfileBundleSID, A2PProfileBundleSID, BrandType string
}

// Registration is a brand's or a campaign's SID and Twilio's status of it.
type Registration struct {
	SID, Status, Failure string
}

// RegisterBrand submits a brand for review.
func (c *Client) RegisterBrand(r BrandRequest) (*Registration, error) {
	p := &messaging.CreateBrandRegistrationsParams{}
	p.SetCustomerProfileBundleSid(r.CustomerProfileBundleSID).SetA2PProfileBundleSid(r.A2PProfileBundleSID).SetBrandType(r.BrandType)
	rec, err := c.rc.MessagingV1.CreateBrandRegistrations(p)
	if err != nil {
		return nil, fmt.Errorf("twilio: register brand: %w", mapError(err, &exchange{}))
	}
	return brandRegistration(rec)
}

// Brand fetches a brand registration's status.
func (c *Client) Brand(sid string) (*Registration, error) {
	if !validSID("BN", sid) {
		return nil, fmt.Errorf("twilio: brand %q: not a BN sid", sid)
	}
	rec, err := c.rc.MessagingV1.FetchBrandRegistrations(sid)
	if err != nil {
		return nil, fmt.Errorf("twilio: brand %s: %w", sid, mapError(err, &exchange{}))
	}
	return brandRegistration(rec)
}

func brandRegistration(rec *messaging.MessagingV1BrandRegistrations) (*Registration, error) {
	r := &Registration{SID: deref(rec.Sid), Status: deref(rec.Status), Failure: deref(rec.FailureReason)}
	if r.SID == "" {
		return nil, fmt.Errorf("twilio: brand registration answered without a sid")
	}
	return r, nil
}

// CampaignRequest is a use case registered on a Messaging Service for an
// approved brand (Compliance/Usa2p).
type CampaignRequest struct {
	MessagingServiceSID, BrandSID, UseCase, Description, MessageFlow string
	Samples                                                          []string
	HasEmbeddedLinks, HasEmbeddedPhone                               bool
}

// RegisterCampaign submits the campaign for review.
func (c *Client) RegisterCampaign(r CampaignRequest) (*Registration, error) {
	if !validSID("MG", r.MessagingServiceSID) {
		return nil, fmt.Errorf("twilio: campaign: %q is not an MG sid", r.MessagingServiceSID)
	}
	p := &messaging.CreateUsAppToPersonParams{}
	p.SetBrandRegistrationSid(r.BrandSID).SetUsAppToPersonUsecase(r.UseCase).SetDescription(r.Description).
		SetMessageFlow(r.MessageFlow).SetMessageSamples(r.Samples).SetHasEmbeddedLinks(r.HasEmbeddedLinks).
		SetHasEmbeddedPhone(r.HasEmbeddedPhone)
	rec, err := c.rc.MessagingV1.CreateUsAppToPerson(r.MessagingServiceSID, p)
	if err != nil {
		return nil, fmt.Errorf("twilio: register campaign: %w", mapError(err, &exchange{}))
	}
	return campaignRegistration(rec)
}

// FindCampaign answers the campaign registered for brandSID on the
// Messaging Service (Twilio allows one per service), or nil.
func (c *Client) FindCampaign(serviceSID, brandSID string) (*Registration, error) {
	if !validSID("MG", serviceSID) {
		return nil, fmt.Errorf("twilio: campaigns of %q: not an MG sid", serviceSID)
	}
	recs, err := c.rc.MessagingV1.ListUsAppToPerson(serviceSID, &messaging.ListUsAppToPersonParams{})
	if err != nil {
		return nil, fmt.Errorf("twilio: campaigns of %s: %w", serviceSID, mapError(err, &exchange{}))
	}
	for i := range recs {
		if deref(recs[i].BrandRegistrationSid) == brandSID {
			return campaignRegistration(&recs[i])
		}
	}
	return nil, nil
}

// Campaign fetches a campaign's status.
func (c *Client) Campaign(serviceSID, sid string) (*Registration, error) {
	if !validSID("MG", serviceSID) || !validSID("QE", sid) {
		return nil, fmt.Errorf("twilio: campaign %q of %q: not QE and MG sids", sid, serviceSID)
	}
	rec, err := c.rc.MessagingV1.FetchUsAppToPerson(serviceSID, sid, &messaging.FetchUsAppToPersonParams{})
	if err != nil {
		return nil, fmt.Errorf("twilio: campaign %s: %w", sid, mapError(err, &exchange{}))
	}
	return campaignRegistration(rec)
}

func campaignRegistration(rec *messaging.MessagingV1UsAppToPersonResponse) (*Registration, error) {
	r := &Registration{SID: deref(rec.Sid), Status: deref(rec.CampaignStatus)}
	if rec.Errors != nil && len(*rec.Errors) > 0 {
		r.Failure = fmt.Sprint((*rec.Errors)[0]["description"])
	}
	if r.SID == "" {
		return nil, fmt.Errorf("twilio: campaign registration answered without a sid")
	}
	return r, nil
}
