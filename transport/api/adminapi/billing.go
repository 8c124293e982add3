package adminapi

import (
	"context"

	"github.com/humd/humd/actors/service/adminsvc"

	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// Billing (SPEC 1.17, docs/billing.md). With billing.provider none limits
// come from configuration and checkout and portal answer 501; with sandbox
// or stripe they open the provider's hosted pages (actors/service
// billing.go). The customer's subscription settings are stored per org.

// The answers, named as the document names them.
type (
	// Subscription is the org's subscription settings and their status.
	Subscription = adminsvc.Subscription
	// Billing is GET /api/billing.
	Billing = adminsvc.Billing
	// Plan is the org's plan and its number cap (null: unlimited).
	Plan = adminsvc.Plan
	// Limits are the plan's limits as the org uses them.
	Limits = adminsvc.Limits
	// Limit is one limit.
	Limit = adminsvc.Limit
	// URL answers a hosted page's address.
	URL = adminsvc.URL
)

type subscriptionRequest struct {
	AutoRecharge        bool `json:"auto_recharge,omitempty"`
	ExtraNumbersAllowed bool `json:"extra_numbers_allowed,omitempty"`
	UsageAlertThreshold *int `json:"usage_alert_threshold,omitempty" jsonschema:"nullable,minimum=1,maximum=100"`
	CancelAtPeriodEnd   bool `json:"cancel_at_period_end,omitempty"`
}

func init() {
	httpapi.Component[Subscription]("BillingSubscription", nil)
}

func (a *API) billingRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/billing", OpID: "getBilling", Summary: "Plan, subscription settings and this month's usage", Tag: "Billing", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[Billing](200), Handle: a.getBilling},
		{Method: "POST", Path: "/api/billing/checkout", OpID: "billingCheckout", Summary: "Hosted checkout (Stripe Checkout, subscription mode) for a plan (501 with billing.provider none)", Tag: "Billing", Auth: httpapi.AdminUp,
			Fails: []int{501, 502}, Request: httpapi.Type[adminsvc.CheckoutInput](), Responses: httpapi.Answer[URL](200), Handle: a.checkout},
		{Method: "POST", Path: "/api/billing/portal", OpID: "billingPortal", Summary: "Hosted customer portal (409 before the first checkout; 501 with billing.provider none)", Tag: "Billing", Auth: httpapi.AdminUp,
			Fails: []int{501, 502}, Responses: httpapi.Answer[URL](200), Handle: a.portal},
		{Method: "PATCH", Path: "/api/billing/subscription", OpID: "updateBillingSubscription", Summary: "Customer-controlled subscription settings", Tag: "Billing", Auth: httpapi.AdminUp,
			Request: httpapi.Type[subscriptionRequest](), Responses: httpapi.Answer[Subscription](200), Handle: a.updateSubscription},
	}
}

func (a *API) checkout(c *httpapi.Call) error {
	var in adminsvc.CheckoutInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	u, err := a.d.Svc.BillingCheckout(idempotent(c), c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(200, u)
}

func (a *API) portal(c *httpapi.Call) error {
	u, err := a.d.Svc.BillingPortal(idempotent(c), c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, u)
}

// idempotent carries the request's Idempotency-Key through to the
// provider's calls.
func idempotent(c *httpapi.Call) context.Context {
	return adminsvc.WithIdempotencyKey(c.Ctx, string(c.Ctx.Request.Header.Peek("Idempotency-Key")))
}

func (a *API) updateSubscription(c *httpapi.Call) error {
	var in billing.SettingsPatch
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	sub, err := a.d.Svc.UpdateBillingSubscription(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(200, sub)
}

func (a *API) getBilling(c *httpapi.Call) error {
	b, err := a.d.Svc.GetBilling(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, b)
}
