package httpapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/brands"
)

// A2P 10DLC brand and campaign registration (SPEC 1.18, Brands).

func init() {
	componentSchemas["Brand"] = obj([]string{"id", "name", "status", "brand_status", "campaign_status"}, map[string]Schema{
		"id": str(), "org_id": str(), "name": str(), "brand_type": str(), "customer_profile_bundle_sid": str(),
		"a2p_profile_bundle_sid": str(), "messaging_service_sid": str(), "use_case": str(), "description": str(),
		"message_flow": str(), "sample_messages": arr(str()), "has_embedded_links": boolean(), "has_embedded_phone": boolean(),
		"status":    enum(brands.StatusPending, brands.StatusCampaign, brands.StatusApproved, brands.StatusFailed),
		"brand_sid": str(), "brand_status": str(), "campaign_sid": str(), "campaign_status": str(), "failure_reason": str(),
		"checked_at": nullable(dateTime()), "created_at": dateTime(), "updated_at": dateTime()})
}

func (s *Server) brandRoutes() []*Route {
	brand := ref("Brand")
	return []*Route{
		{Method: "GET", Path: "/api/brands", OpID: "listBrands", Summary: "The org's A2P 10DLC brand registrations",
			Tag: "Brands", Auth: ViewerUp, Responses: map[int]Schema{200: listOf(brand)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := brands.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/brands", OpID: "createBrand", Tag: "Brands", Auth: AdminUp,
			Summary: "Register a brand at the carrier (its campaign follows once the brand is approved; see refresh)",
			Request: strict(obj([]string{"name", "customer_profile_bundle_sid", "a2p_profile_bundle_sid", "messaging_service_sid",
				"use_case", "description", "message_flow", "sample_messages"}, map[string]Schema{
				"name": strN(1, 120), "brand_type": enum(brands.BrandTypes...), "customer_profile_bundle_sid": str(),
				"a2p_profile_bundle_sid": str(), "messaging_service_sid": str(), "use_case": enum(brands.UseCases...),
				"description": strN(40, 4096), "message_flow": strN(40, 2048), "sample_messages": arr(strN(20, 1024)),
				"has_embedded_links": boolean(), "has_embedded_phone": boolean()})),
			Responses: map[int]Schema{201: brand}, Handle: s.createBrand},
		{Method: "GET", Path: "/api/brands/{id}", OpID: "getBrand", Summary: "One brand registration",
			Tag: "Brands", Auth: ViewerUp, Responses: map[int]Schema{200: brand}, Handle: func(c *Call) error {
				b, err := brands.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, b)
			}},
		{Method: "POST", Path: "/api/brands/{id}/refresh", OpID: "refreshBrand", Tag: "Brands", Auth: AdminUp,
			Summary:   "Ask the carrier how the review goes; registers the campaign once the brand is approved",
			Responses: map[int]Schema{200: brand}, Handle: s.refreshBrand},
	}
}

// createBrand validates, registers the brand at the carrier and only then
// stores it: a refused registration leaves nothing behind.
func (s *Server) createBrand(c *Call) error {
	var req brands.Request
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	now := s.deps.Clock.Now().UTC()
	b, err := brands.New(c.Principal.OrgID, &req, now)
	if err != nil {
		return err
	}
	if s.deps.Brands == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	reg, err := s.deps.Brands.RegisterBrand(b)
	if err != nil {
		return providerError("register the brand", "carrier_refused", err)
	}
	b.BrandSID, b.BrandStatus, b.FailureReason, b.CheckedAt = reg.SID, reg.Status, reg.Failure, &now
	b.Settle()
	if err := brands.Put(s.deps.Store, b); err != nil {
		return err
	}
	return c.JSON(201, b)
}

// refreshBrand reads the brand's (then the campaign's) review status from
// the carrier and registers the campaign the first time the brand is seen
// approved. A brand that failed, or is approved with its campaign, is
// answered as stored. One refresh of a brand runs at a time.
func (s *Server) refreshBrand(c *Call) error {
	org, id := c.Principal.OrgID, c.Param("id")
	unlock := brands.Locks.Lock(org + "/" + id)
	defer unlock()
	b, err := brands.Get(s.deps.Store, org, id)
	if err != nil {
		return err
	}
	if b.Status == brands.StatusFailed || b.Status == brands.StatusApproved {
		return c.JSON(200, b)
	}
	if s.deps.Brands == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	now := s.deps.Clock.Now().UTC()
	if b.CampaignSID == "" {
		reg, err := s.deps.Brands.Brand(b.BrandSID)
		if err != nil {
			return providerError("read the brand", "carrier_refused", err)
		}
		b.BrandStatus, b.FailureReason = reg.Status, reg.Failure
		if b.BrandApproved() {
			reg, err := s.deps.Brands.RegisterCampaign(b)
			if err != nil {
				return providerError("register the campaign", "carrier_refused", err)
			}
			b.CampaignSID, b.CampaignStatus, b.FailureReason = reg.SID, reg.Status, reg.Failure
		}
	} else {
		reg, err := s.deps.Brands.Campaign(b.MessagingServiceSID, b.CampaignSID)
		if err != nil {
			return providerError("read the campaign", "carrier_refused", err)
		}
		b.CampaignStatus, b.FailureReason = reg.Status, reg.Failure
	}
	b.CheckedAt, b.UpdatedAt = &now, now
	b.Settle()
	if err := brands.Put(s.deps.Store, b); err != nil {
		return err
	}
	return c.JSON(200, b)
}
