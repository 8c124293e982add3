package adminapi

import (
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// A2P 10DLC brand and campaign registration (SPEC 1.18, Brands).

func init() {
	httpapi.Component[brands.Brand]("Brand", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "status", brands.StatusPending, brands.StatusCampaign, brands.StatusApproved, brands.StatusFailed)
	})
	// brands.Request is the body createBrand decodes.
	httpapi.Extend[brands.Request](func(s httpapi.Schema) {
		s["required"] = []string{"name", "customer_profile_bundle_sid", "a2p_profile_bundle_sid", "messaging_service_sid",
			"use_case", "description", "message_flow", "sample_messages"}
		length := func(name string, min, max int) {
			p := httpapi.Prop(s, name)
			p["minLength"], p["maxLength"] = min, max
		}
		length("name", 1, 120)
		length("description", 40, 4096)
		length("message_flow", 40, 2048)
		httpapi.SetEnum(s, "brand_type", brands.BrandTypes...)
		httpapi.SetEnum(s, "use_case", brands.UseCases...)
		httpapi.Prop(s, "sample_messages")["items"] = httpapi.StrN(20, 1024)
	})
}

func (a *API) brandRoutes() []*httpapi.Route {
	brand := httpapi.Answer[brands.Brand](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/brands", OpID: "listBrands", Summary: "The org's A2P 10DLC brand registrations",
			Tag: "Brands", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*brands.Brand]](200), Handle: a.listBrands},
		{Method: "POST", Path: "/api/brands", OpID: "createBrand", Tag: "Brands", Auth: httpapi.AdminUp,
			Summary:    "Register a brand at the carrier (its campaign follows once the brand is approved; see refresh)",
			Idempotent: true, Fails: []int{502}, Request: httpapi.Type[brands.Request](), Responses: httpapi.Answer[brands.Brand](201),
			Handle: a.createBrand},
		{Method: "GET", Path: "/api/brands/{id}", OpID: "getBrand", Summary: "One brand registration",
			Tag: "Brands", Auth: httpapi.ViewerUp, Responses: brand, Handle: a.getBrand},
		{Method: "POST", Path: "/api/brands/{id}/refresh", OpID: "refreshBrand", Tag: "Brands", Auth: httpapi.AdminUp,
			Summary: "Ask the carrier how the review goes; registers the campaign once the brand is approved",
			Fails:   []int{502}, Responses: brand, Handle: a.refreshBrand},
	}
}

func (a *API) listBrands(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListBrands(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) getBrand(c *httpapi.Call) error {
	b, err := a.d.Svc.GetBrand(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, b)
}

func (a *API) createBrand(c *httpapi.Call) error {
	var in brands.Request
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	b, err := a.d.Svc.CreateBrand(c.Ctx, c.Principal, &in)
	if err != nil {
		return err
	}
	return c.JSON(201, b)
}

func (a *API) refreshBrand(c *httpapi.Call) error {
	b, err := a.d.Svc.RefreshBrand(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, b)
}
