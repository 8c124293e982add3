package httpapi

import (
	"errors"

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
			Tag: "Brands", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(brand)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := brands.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/brands", OpID: "createBrand", Tag: "Brands", Auth: AdminUp,
			Summary: "Register a brand at the carrier (its campaign follows once the brand is approved; see refresh)",
			RequestSchema: strict(obj([]string{"name", "customer_profile_bundle_sid", "a2p_profile_bundle_sid", "messaging_service_sid",
				"use_case", "description", "message_flow", "sample_messages"}, map[string]Schema{
				"name": strN(1, 120), "brand_type": enum(brands.BrandTypes...), "customer_profile_bundle_sid": str(),
				"a2p_profile_bundle_sid": str(), "messaging_service_sid": str(), "use_case": enum(brands.UseCases...),
				"description": strN(40, 4096), "message_flow": strN(40, 2048), "sample_messages": arr(strN(20, 1024)),
				"has_embedded_links": boolean(), "has_embedded_phone": boolean()})),
			Schemas: map[int]Schema{201: brand}, Handle: s.createBrand},
		{Method: "GET", Path: "/api/brands/{id}", OpID: "getBrand", Summary: "One brand registration",
			Tag: "Brands", Auth: ViewerUp, Schemas: map[int]Schema{200: brand}, Handle: func(c *Call) error {
				b, err := brands.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, b)
			}},
		{Method: "POST", Path: "/api/brands/{id}/refresh", OpID: "refreshBrand", Tag: "Brands", Auth: AdminUp,
			Summary: "Ask the carrier how the review goes; registers the campaign once the brand is approved",
			Schemas: map[int]Schema{200: brand}, Handle: s.refreshBrand},
	}
}

// createBrand validates, then registers the brand at the carrier before
// storing it.
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
	if err := brands.Register(s.deps.Store, s.deps.Brands, b, now); err != nil {
		return brandError(err)
	}
	return c.JSON(201, b)
}

// refreshBrand asks the carrier how the review goes (brands.Refresh).
func (s *Server) refreshBrand(c *Call) error {
	org, id := c.Principal.OrgID, c.Param("id")
	if s.deps.Brands == nil {
		if _, err := brands.Get(s.deps.Store, org, id); err != nil {
			return err
		}
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	b, err := brands.Refresh(s.deps.Store, s.deps.Brands, org, id, s.deps.Clock.Now().UTC())
	if err != nil {
		return brandError(err)
	}
	return c.JSON(200, b)
}

// brandError answers a carrier's failure as 409 or 502 and leaves humd's
// own (storage) failures to the error table.
func brandError(err error) error {
	var ce *brands.CarrierError
	if errors.As(err, &ce) {
		return providerError(ce.Op, "carrier_refused", ce.Err)
	}
	return err
}
