package httpapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
)

// Billing (SPEC 1.17). humd ships billing.provider = none: limits come from
// configuration, checkout and portal answer 501, and the customer's
// subscription settings are stored per org.

// BillingConfig is the billing configuration app passes in.
type BillingConfig struct {
	// Provider is "none" (the only one humd ships).
	Provider string
	// MaxNumbers caps each org's numbers (0: unlimited). An org whose
	// subscription has extra_numbers_allowed may go past it.
	MaxNumbers int
}

// errBillingNotConfigured answers checkout and portal with provider none.
var errBillingNotConfigured = &statusError{501, "billing_not_configured",
	"billing.provider is none: this server has no hosted checkout or customer portal; limits are set in its configuration"}

func init() {
	componentSchemas["BillingSubscription"] = obj([]string{"auto_recharge", "extra_numbers_allowed", "usage_alert_threshold", "cancel_at_period_end"},
		map[string]Schema{"auto_recharge": boolean(), "extra_numbers_allowed": boolean(),
			"usage_alert_threshold": nullable(integer()), "cancel_at_period_end": boolean(), "updated_at": nullable(dateTime()),
			"status": str()})
}

func (s *Server) billingRoutes() []*Route {
	sub := ref("BillingSubscription")
	urlAnswer := obj([]string{"url"}, map[string]Schema{"url": str()})
	limit := obj([]string{"limit", "used"}, map[string]Schema{"limit": nullable(integer()), "used": integer(),
		"extra": integer(), "extra_allowed": boolean()})
	usage := obj([]string{"period_start", "period_end", "calls", "call_minutes", "sms_segments", "numbers", "ai_tokens"}, map[string]Schema{
		"period_start": dateTime(), "period_end": dateTime(), "calls": integer(), "call_seconds": integer(), "call_minutes": integer(),
		"sms_segments": integer(), "sms_segments_inbound": integer(), "sms_segments_outbound": integer(), "numbers": integer(),
		"ai_tokens": obj([]string{"input", "output", "total"}, map[string]Schema{"input": integer(), "output": integer(), "total": integer()})})
	return []*Route{
		{Method: "GET", Path: "/api/billing", OpID: "getBilling", Summary: "Plan, subscription settings and this month's usage", Tag: "Billing", Auth: AdminUp,
			Responses: map[int]Schema{200: obj([]string{"provider", "plan", "subscription", "usage", "limits"}, map[string]Schema{
				"provider": enum("none"), "plan": obj([]string{"id"}, map[string]Schema{"id": str(), "max_numbers": nullable(integer())}),
				"subscription": sub, "usage": usage, "limits": obj([]string{"numbers"}, map[string]Schema{"numbers": limit}),
				"unrecorded": arr(str())})},
			Handle: s.getBilling},
		{Method: "POST", Path: "/api/billing/checkout", OpID: "billingCheckout", Summary: "Hosted checkout for a plan (501 with billing.provider none)", Tag: "Billing", Auth: AdminUp,
			Request: strict(obj([]string{"plan_id"}, map[string]Schema{"plan_id": strN(1, 100)})), Responses: map[int]Schema{200: urlAnswer},
			Handle: func(c *Call) error {
				var req struct {
					PlanID string `json:"plan_id"`
				}
				if err := storage.DecodeStrict(c.Body(), &req); err != nil {
					return err
				}
				if req.PlanID == "" {
					return storage.Invalid("plan_id", "is required")
				}
				return errBillingNotConfigured
			}},
		{Method: "POST", Path: "/api/billing/portal", OpID: "billingPortal", Summary: "Hosted customer portal (501 with billing.provider none)", Tag: "Billing", Auth: AdminUp,
			Responses: map[int]Schema{200: urlAnswer},
			Handle:    func(*Call) error { return errBillingNotConfigured }},
		{Method: "PATCH", Path: "/api/billing/subscription", OpID: "updateBillingSubscription", Summary: "Customer-controlled subscription settings", Tag: "Billing", Auth: AdminUp,
			Request: strict(obj(nil, map[string]Schema{"auto_recharge": boolean(), "extra_numbers_allowed": boolean(),
				"usage_alert_threshold": nullable(Schema{"type": "integer", "minimum": 1, "maximum": 100}), "cancel_at_period_end": boolean()})),
			Responses: map[int]Schema{200: sub},
			Handle: func(c *Call) error {
				st, err := billing.Patch(s.deps.Store, c.Principal.OrgID, c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, subscriptionView(st))
			}},
	}
}

// subscriptionView adds the subscription's status: with provider none it
// is always active (there is no period to cancel at).
func subscriptionView(st *billing.Settings) map[string]any {
	return map[string]any{"auto_recharge": st.AutoRecharge, "extra_numbers_allowed": st.ExtraNumbersAllowed,
		"usage_alert_threshold": st.UsageAlertThreshold, "cancel_at_period_end": st.CancelAtPeriodEnd,
		"updated_at": st.UpdatedAt, "status": "active"}
}

func (s *Server) getBilling(c *Call) error {
	org := c.Principal.OrgID
	o, err := s.deps.Tenancy.Org(org)
	if err != nil {
		return err
	}
	st, err := billing.Get(s.deps.Store, org)
	if err != nil {
		return err
	}
	from, to := billing.Period(s.deps.Clock.Now())
	u, err := billing.ComputeUsage(s.deps.Store, org, from, to)
	if err != nil {
		return err
	}
	planID := o.Plan
	if planID == "" {
		planID = "self-hosted"
	}
	var maxNumbers *int
	numbers := map[string]any{"limit": nil, "used": u.Numbers, "extra": 0, "extra_allowed": st.ExtraNumbersAllowed}
	if m := s.deps.Billing.MaxNumbers; m > 0 {
		maxNumbers = &m
		numbers["limit"], numbers["extra"] = m, max(0, u.Numbers-m)
	}
	return c.JSON(200, map[string]any{"provider": "none", "plan": map[string]any{"id": planID, "max_numbers": maxNumbers},
		"subscription": subscriptionView(st), "usage": u, "limits": map[string]any{"numbers": numbers},
		"unrecorded": []string{}}) // every usage figure is recorded now; kept for clients that read it
}

// numberCap is the org's number cap for a register or buy: 0 (none) when
// unconfigured or when the org allows extra numbers.
func (s *Server) numberCap(org string) (int, error) {
	m := s.deps.Billing.MaxNumbers
	if m <= 0 {
		return 0, nil
	}
	st, err := billing.Get(s.deps.Store, org)
	if err != nil {
		return 0, err
	}
	if st.ExtraNumbersAllowed {
		return 0, nil
	}
	return m, nil
}
