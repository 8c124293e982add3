package adminsvc

import (
	"context"
	"errors"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// The admin area: billing (SPEC 1.17) and the dashboard here; the carrier's
// number inventory and A2P brands in admin_carrier.go.
//
// humd ships billing.provider = none: limits come from configuration
// (Deps.PlanMaxNumbers), checkout and portal answer ErrBillingNotConfigured,
// and the customer's subscription settings are stored per org.

// ErrBillingNotConfigured answers checkout and portal with provider none
// (the edge answers 501 billing_not_configured).
var ErrBillingNotConfigured = errors.New("billing.provider is none: this server has no hosted checkout or customer portal; limits are set in its configuration")

// Subscription is the org's subscription settings and their status: with
// provider none it is always active (there is no period to cancel at).
type Subscription struct {
	*billing.Settings
	Status string `json:"status"`
	*SubscriptionPeriod
}

// Billing is GET /api/billing.
type Billing struct {
	Provider     string        `json:"provider" jsonschema:"enum=none|sandbox|stripe"`
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
	*PlanDetail
}

// Limits are the plan's limits as the org uses them.
type Limits struct {
	Numbers Limit `json:"numbers"`
	*MeteredLimits
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

// CheckoutInput is the body of billingCheckout.
type CheckoutInput struct {
	PlanID string `json:"plan_id" jsonschema:"minLength=1,maxLength=100"`
}

// GetBilling answers the plan, the subscription settings and this month's
// usage.
func (s *Admin) GetBilling(ctx context.Context, p *tenancy.Principal) (*Billing, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	org := p.OrgID
	o, err := s.d.Tenancy.Org(org)
	if err != nil {
		return nil, err
	}
	st, err := billing.Get(s.d.Store, org)
	if err != nil {
		return nil, err
	}
	from, to := billing.Period(s.now())
	u, err := billing.ComputeUsage(s.d.Store, org, from, to)
	if err != nil {
		return nil, err
	}
	out := &Billing{Provider: "none", Plan: Plan{ID: o.Plan}, Subscription: Subscription{Settings: st, Status: "active"}, Usage: *u,
		Limits: Limits{Numbers: Limit{Used: u.Numbers, ExtraAllowed: st.ExtraNumbersAllowed}}, Unrecorded: []string{}}
	if out.Plan.ID == "" {
		out.Plan.ID = "self-hosted"
	}
	if m := s.d.PlanMaxNumbers; m > 0 {
		out.Plan.MaxNumbers, out.Limits.Numbers.Limit = &m, &m
		out.Limits.Numbers.Extra = max(0, u.Numbers-m)
	}
	return out, s.billingProviderView(out, org)
}

// BillingCheckout would answer a hosted checkout for a plan; provider none
// has none.
func (s *Admin) BillingCheckout(ctx context.Context, p *tenancy.Principal, in CheckoutInput) (*URL, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if in.PlanID == "" {
		return nil, storage.Invalid("plan_id", "is required")
	}
	return s.billingCheckout(ctx, p, in)
}

// BillingPortal would answer a hosted customer portal; provider none has
// none.
func (s *Admin) BillingPortal(ctx context.Context, p *tenancy.Principal) (*URL, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.billingPortal(ctx, p)
}

// UpdateBillingSubscription changes the customer-controlled subscription
// settings.
func (s *Admin) UpdateBillingSubscription(ctx context.Context, p *tenancy.Principal, in billing.SettingsPatch) (*Subscription, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	st, err := billing.Patch(s.d.Store, p.OrgID, in, s.now())
	if err != nil {
		return nil, err
	}
	return &Subscription{Settings: st, Status: "active"}, nil
}

// dashboardScan bounds every count of the dashboard: it reads the newest
// threads, the unheard voicemails and the campaigns up to this many, so the
// page costs the same for an org with a million threads (counts at the
// bound say "at least").
const dashboardScan = 200

// Dashboard is GET /api/dashboard.
type Dashboard struct {
	CallsToday    int     `json:"calls_today"`
	Calls7Days    int     `json:"calls_7_days"`
	Connected7    int     `json:"connected_calls_7_days"`
	AvgDurationS7 float64 `json:"avg_duration_s_7_days"`
	// Threads counts among the dashboardScan most recent threads.
	OpenThreads       int             `json:"open_threads"`
	UnreadThreads     int             `json:"unread_threads"`
	UnheardVoicemails int             `json:"unheard_voicemails"`
	ActiveCampaigns   int             `json:"active_campaigns"`
	CountsCappedAt    int             `json:"counts_capped_at"`
	RecentActivity    []*events.Event `json:"recent_activity"`
}

// DashboardQuery carries where the dashboard's readers report records
// they skip (storage.Skips; nil logs only).
type DashboardQuery struct {
	Skips *storage.Skips
}

// GetDashboard answers the overview: calls today and over 7 days (in the
// org's time zone), open and unread threads, unheard voicemails, active
// campaigns and the latest 10 events.
func (s *Admin) GetDashboard(ctx context.Context, p *tenancy.Principal, q DashboardQuery) (*Dashboard, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	org, st := p.OrgID, s.d.Store
	d := &Dashboard{CountsCappedAt: dashboardScan}
	week, err := calls.Analytics(st, org, 7, svcbase.OrgLocalNow(s.d.Tenancy, org, s.now()))
	if err != nil {
		return nil, err
	}
	d.Calls7Days, d.Connected7, d.AvgDurationS7 = week.TotalCalls, week.Connected, week.AvgDurationS
	if n := len(week.ByDay); n > 0 {
		d.CallsToday = week.ByDay[n-1].Calls
	}
	now := s.now()
	prefix := sms.PrefixConvRecent(org)
	err = st.Scan(prefix, storage.ScanOptions{Limit: dashboardScan}, func(k, v []byte) (bool, error) {
		conv, err := sms.RecentConversation(st, org, len(prefix), k, v)
		if err != nil {
			return false, err
		}
		if conv.Status == sms.StatusOpen && (conv.SnoozedUntil == nil || !conv.SnoozedUntil.After(now)) {
			d.OpenThreads++
		}
		if conv.UnreadCount > 0 {
			d.UnreadThreads++
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	unheard := false
	vms, _, err := calls.ListVoicemails(st, org, &unheard, storage.PageRequest{Limit: dashboardScan, Skips: q.Skips})
	if err != nil {
		return nil, err
	}
	d.UnheardVoicemails = len(vms)
	err = st.Scan(campaigns.PrefixCampaigns(org), storage.ScanOptions{Limit: dashboardScan}, func(_, v []byte) (bool, error) {
		var cp campaigns.Campaign
		if err := storage.DecodeJSON(v, &cp); err != nil {
			return false, err
		}
		if cp.Status == campaigns.Queued || cp.Status == campaigns.Sending || cp.Status == campaigns.Paused {
			d.ActiveCampaigns++
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if d.RecentActivity, _, err = events.List(st, org, "", storage.PageRequest{Limit: 10, Reverse: true, Skips: q.Skips}); err != nil {
		return nil, err
	}
	return d, nil
}

// errNoCarrier answers the carrier's operations when none is configured.
func errNoCarrier() error { return storage.Conflict("no_carrier", "no carrier is configured") }
