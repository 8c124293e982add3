package adminapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/transport/httpapi"
)

// Billing (SPEC 1.17). humd ships billing.provider = none: limits come from
// configuration, checkout and portal answer 501, and the customer's
// subscription settings are stored per org.

// BillingConfig is the billing configuration the app passes in.
type BillingConfig struct {
	// Provider is "none" (the only one humd ships).
	Provider string
	// MaxNumbers caps each org's numbers (0: unlimited). An org whose
	// subscription has extra_numbers_allowed may go past it.
	MaxNumbers int
}

// errBillingNotConfigured answers checkout and portal with provider none.
var errBillingNotConfigured = &httpapi.StatusError{Status: 501, Code: "billing_not_configured",
	Message: "billing.provider is none: this server has no hosted checkout or customer portal; limits are set in its configuration"}

// Subscription is the org's subscription settings and their status: with
// provider none it is always active (there is no period to cancel at).
type Subscription struct {
	*billing.Settings
	Status string `json:"status"`
}

// Billing is GET /api/billing.
type Billing struct {
	Provider     string        `json:"provider" jsonschema:"enum=none"`
	Plan         Plan          `json:"plan"`
	Subscription Subscription  `json:"subscription"`
	Usage        billing.Usage `json:"usage"`
	Limits       Limits        `json:"limits"`
	// Unrecorded lists usage figures humd does not record; every one is
	// recorded now, and the key is kept for clients that read it.
	Unrecorded []string `json:"unrecorded"`
}

// Plan is the org's plan and its number cap (null: unlimited).
type Plan struct {
	ID         string `json:"id"`
	MaxNumbers *int   `json:"max_numbers"`
}

// Limits are the plan's limits as the org uses them.
type Limits struct {
	Numbers Limit `json:"numbers"`
}

// Limit is one limit: null when there is none, how much is used, and how
// far past it the org went (extra numbers allowed).
type Limit struct {
	Limit        *int `json:"limit"`
	Used         int  `json:"used"`
	Extra        int  `json:"extra"`
	ExtraAllowed bool `json:"extra_allowed"`
}

// URL answers a hosted page's address.
type URL struct {
	URL string `json:"url"`
}

type (
	checkoutRequest struct {
		PlanID string `json:"plan_id" jsonschema:"minLength=1,maxLength=100"`
	}
	subscriptionRequest struct {
		AutoRecharge        bool `json:"auto_recharge,omitempty"`
		ExtraNumbersAllowed bool `json:"extra_numbers_allowed,omitempty"`
		UsageAlertThreshold *int `json:"usage_alert_threshold,omitempty" jsonschema:"nullable,minimum=1,maximum=100"`
		CancelAtPeriodEnd   bool `json:"cancel_at_period_end,omitempty"`
	}
)

func init() {
	httpapi.Component[Subscription]("BillingSubscription", nil)
}

func (a *API) billingRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/billing", OpID: "getBilling", Summary: "Plan, subscription settings and this month's usage", Tag: "Billing", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[Billing](200), Handle: a.getBilling},
		{Method: "POST", Path: "/api/billing/checkout", OpID: "billingCheckout", Summary: "Hosted checkout for a plan (501 with billing.provider none)", Tag: "Billing", Auth: httpapi.AdminUp,
			Fails: []int{501}, Request: httpapi.Type[checkoutRequest](), Responses: httpapi.Answer[URL](200), Handle: a.checkout},
		{Method: "POST", Path: "/api/billing/portal", OpID: "billingPortal", Summary: "Hosted customer portal (501 with billing.provider none)", Tag: "Billing", Auth: httpapi.AdminUp,
			Fails: []int{501}, Responses: httpapi.Answer[URL](200), Handle: a.portal},
		{Method: "PATCH", Path: "/api/billing/subscription", OpID: "updateBillingSubscription", Summary: "Customer-controlled subscription settings", Tag: "Billing", Auth: httpapi.AdminUp,
			Request: httpapi.Type[subscriptionRequest](), Responses: httpapi.Answer[Subscription](200), Handle: a.updateSubscription},
	}
}

func (a *API) checkout(c *httpapi.Call) error {
	var req checkoutRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if req.PlanID == "" {
		return storage.Invalid("plan_id", "is required")
	}
	return errBillingNotConfigured
}

func (a *API) portal(*httpapi.Call) error { return errBillingNotConfigured }

func (a *API) updateSubscription(c *httpapi.Call) error {
	st, err := billing.Patch(a.d.Store, c.Principal.OrgID, c.Body(), a.now())
	if err != nil {
		return err
	}
	return c.JSON(200, &Subscription{Settings: st, Status: "active"})
}

func (a *API) getBilling(c *httpapi.Call) error {
	org := c.Principal.OrgID
	o, err := a.d.Tenancy.Org(org)
	if err != nil {
		return err
	}
	st, err := billing.Get(a.d.Store, org)
	if err != nil {
		return err
	}
	from, to := billing.Period(a.now())
	u, err := billing.ComputeUsage(a.d.Store, org, from, to)
	if err != nil {
		return err
	}
	out := &Billing{Provider: "none", Plan: Plan{ID: o.Plan}, Subscription: Subscription{Settings: st, Status: "active"}, Usage: *u,
		Limits: Limits{Numbers: Limit{Used: u.Numbers, ExtraAllowed: st.ExtraNumbersAllowed}}, Unrecorded: []string{}}
	if out.Plan.ID == "" {
		out.Plan.ID = "self-hosted"
	}
	if m := a.d.Billing.MaxNumbers; m > 0 {
		out.Plan.MaxNumbers, out.Limits.Numbers.Limit = &m, &m
		out.Limits.Numbers.Extra = max(0, u.Numbers-m)
	}
	return c.JSON(200, out)
}

// NumberCap is the org's number cap for a register or buy given the
// configured maximum m: 0 (none) when m is not set or the org allows extra
// numbers.
func NumberCap(st storage.Store, m int, org string) (int, error) {
	if m <= 0 {
		return 0, nil
	}
	s, err := billing.Get(st, org)
	if err != nil {
		return 0, err
	}
	if s.ExtraNumbersAllowed {
		return 0, nil
	}
	return m, nil
}
