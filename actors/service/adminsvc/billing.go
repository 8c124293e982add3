package adminsvc

import (
	"context"
	"fmt"
	"strings"
	"time"

	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/tenancy"
)

// Billing through a provider (docs/billing.md): checkout and portal go to
// the billing actor, webhook events too, and GET /api/billing shows the
// subscription it keeps. The Gate (svcbase.Deps.Gate) is asked where work starts.

// SubscriptionPeriod is the provider's subscription in GET /api/billing
// (absent with provider none).
type SubscriptionPeriod struct {
	CurrentPeriodStart *time.Time `json:"current_period_start,omitempty"`
	CurrentPeriodEnd   *time.Time `json:"current_period_end,omitempty"`
	// PastDueSince is when the payment became past due; outbound work
	// stops HUMD_BILLING_GRACE after it.
	PastDueSince *time.Time `json:"past_due_since,omitempty"`
	// OutboundAllowedUntil is the end of the grace period while past due.
	OutboundAllowedUntil *time.Time `json:"outbound_allowed_until,omitempty"`
}

// PlanDetail is the catalog's plan (absent before the org subscribes).
type PlanDetail struct {
	Name   string             `json:"name,omitempty"`
	Limits billing.PlanLimits `json:"limits,omitempty"`
}

// MeteredLimits are the plan's metered limits as the org uses them this
// period (absent with no plan).
type MeteredLimits struct {
	CallMinutes Limit `json:"call_minutes,omitempty"`
	SMSSegments Limit `json:"sms_segments,omitempty"`
	AITokens    Limit `json:"ai_tokens,omitempty"`
}

type idemKey struct{}

// WithIdempotencyKey carries a request's Idempotency-Key to the provider
// calls of checkout and portal (transport sets it from the header).
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, key)
}

func idempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(idemKey{}).(string)
	return k
}

func (s *Admin) billingCheckout(ctx context.Context, p *tenancy.Principal, in CheckoutInput) (*URL, error) {
	if !s.d.Billing.Enabled() {
		return nil, ErrBillingNotConfigured
	}
	cat := s.d.Billing.Catalog()
	plan := cat.Find(in.PlanID)
	if plan == nil {
		ids := make([]string, len(cat))
		for i, p := range cat {
			ids[i] = p.ID
		}
		return nil, storage.Invalid("plan_id", "is not a plan of this server; one of: "+strings.Join(ids, ", "))
	}
	o, err := s.d.Tenancy.Org(p.OrgID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Billing.Checkout(&billingactor.Checkout{OrgID: p.OrgID, OrgName: o.Name, Plan: *plan, IdempotencyKey: idempotencyKey(ctx)})
	if err != nil {
		return nil, fmt.Errorf("checkout: %w", err)
	}
	return &URL{URL: h.URL}, nil
}

func (s *Admin) billingPortal(ctx context.Context, p *tenancy.Principal) (*URL, error) {
	if !s.d.Billing.Enabled() {
		return nil, ErrBillingNotConfigured
	}
	h, err := s.d.Billing.Portal(&billingactor.Portal{OrgID: p.OrgID, IdempotencyKey: idempotencyKey(ctx)})
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return &URL{URL: h.URL}, nil
}

// IngestBillingEvent stores and applies a provider's webhook event, whose
// signature the edge checked (no principal: the signature is the
// authority).
func (s *Admin) IngestBillingEvent(ev *billing.Event) (*billingactor.Ingested, error) {
	if !s.d.Billing.Enabled() {
		return nil, ErrBillingNotConfigured
	}
	return s.d.Billing.Ingest(ev)
}

// SandboxBillingState answers an org's subscription for the sandbox
// provider's portal page, whose signed link is its authority.
func (s *Admin) SandboxBillingState(org string) (*billing.State, error) {
	return s.d.Billing.State(org)
}

// billingProviderView adds the provider's subscription, plan and metered
// limits to GET /api/billing.
func (s *Admin) billingProviderView(out *Billing, org string) error {
	if !s.d.Billing.Enabled() {
		return nil
	}
	out.Provider = s.d.Billing.Name()
	st, err := s.d.Billing.State(org)
	if err != nil {
		return err
	}
	out.Subscription.Status = "none"
	if st == nil {
		return nil
	}
	if st.Status != "" {
		out.Subscription.Status = st.Status
	}
	per := &SubscriptionPeriod{CurrentPeriodStart: st.PeriodStart, CurrentPeriodEnd: st.PeriodEnd, PastDueSince: st.PastDueSince}
	if st.PastDueSince != nil {
		t := st.PastDueSince.Add(s.d.Billing.Grace())
		per.OutboundAllowedUntil = &t
	}
	out.Subscription.SubscriptionPeriod = per
	plan := s.d.Billing.Catalog().Find(st.PlanID)
	if plan == nil || !st.Billed() {
		return nil
	}
	out.Plan.ID = plan.ID
	out.Plan.PlanDetail = &PlanDetail{Name: plan.Name, Limits: plan.Limits}
	from, to := st.Period(s.now())
	u := &out.Usage
	if !u.PeriodStart.Equal(from) {
		if u, err = billing.ComputeUsage(s.d.Store, org, from, to); err != nil {
			return err
		}
		n := out.Usage.Numbers
		out.Usage = *u
		out.Usage.Numbers = n
	}
	lim := func(l int64, used int) Limit {
		x := Limit{Used: used}
		if l > 0 {
			v := int(l)
			x.Limit, x.Extra = &v, max(0, used-v)
		}
		return x
	}
	if l := plan.Limits.Numbers; l > 0 && s.d.PlanMaxNumbers == 0 {
		v := int(l)
		out.Plan.MaxNumbers, out.Limits.Numbers.Limit = &v, &v
		out.Limits.Numbers.Extra = max(0, u.Numbers-v)
	}
	out.Limits.MeteredLimits = &MeteredLimits{CallMinutes: lim(plan.Limits.CallMinutes, u.CallMinutes),
		SMSSegments: lim(plan.Limits.SMSSegments, u.SMSSegments), AITokens: lim(plan.Limits.AITokens, int(u.AITokens.Total))}
	return nil
}

// BillingPlans answers the plans a checkout may buy (the provider's
// catalog; none without a provider), for the console's billing page.
func (s *Admin) BillingPlans(ctx context.Context, p *tenancy.Principal) (billing.Catalog, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if !s.d.Billing.Enabled() {
		return billing.Catalog{}, nil
	}
	return s.d.Billing.Catalog(), nil
}
