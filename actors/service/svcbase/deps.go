package svcbase

import (
	"fmt"
	"log/slog"
	"time"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/retention"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/consent"
	"github.com/humd/humd/actors/conversation"
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/httptools"
	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// NumberSource is the carrier's number inventory (twilio-go
// IncomingPhoneNumbers and AvailablePhoneNumbers, or the sandbox's).
type NumberSource interface {
	ProviderNumbers() ([]sms.ProviderNumber, string, error) // numbers, provider name
	// SearchNumbers lists numbers for sale; BuyNumber provisions one on the
	// account and ReleaseNumber gives it back (by provider SID).
	SearchNumbers(q sms.NumberSearch) ([]sms.AvailableNumber, error)
	BuyNumber(e164 string) (*sms.ProviderNumber, error)
	ReleaseNumber(sid string) error
}

// Deps are the repositories, actor doors and settings app builds. A nil
// optional door (Enrich, Numbers, Brands) means the feature is off, and the
// operations that need it answer a conflict that says so.
type Deps struct {
	Store   storage.Store
	Clock   clock.Clock
	Tenancy *tenancy.Repo
	Flows   *flows.Repo

	Threads   *conversation.Directory
	Consent   *consent.Directory
	Senders   *sender.Directory
	Calls     *call.Service
	Campaigns *campaign.Service
	Webhooks  *webhook.Service
	CRM       *crmactor.Service
	MCPTools  *mcptoolsactor.Service
	HTTPTools *httptools.Service
	Enrich    *enrich.Service
	Agents    *agentsession.Service
	Address   *addresssession.Service

	Numbers NumberSource
	Brands  brands.Carrier

	// Sandbox is set when humd runs on the sandbox carrier.
	Sandbox bool
	// PublicURL is where Twilio and browsers reach humd.
	PublicURL string
	// PlanMaxNumbers caps each org's numbers (0: no cap).
	PlanMaxNumbers int
	// TriggerFires rate-limits trigger fires per trigger; nil: no limit.
	TriggerFires RateLimiter
	// OutboundNumber picks an outbound call's caller id (an org's number
	// id, else the flow's, else the first voice number).
	OutboundNumber func(st storage.Store, org, id, flowID string) (*sms.Number, error)
	// Billing is the billing provider's actor and Gate (actors/billing).
	Billing *billingactor.Service

	// Retention runs the retention passes (nil: none run; the storage
	// report then has no schedule).
	Retention *retention.Service

	// Logger hears what an operation cannot answer (a bought number humd
	// could not release); nil: slog's default.
	Logger *slog.Logger
}

// RateLimiter is a token bucket per id (transport/httpapi.Limits).
type RateLimiter interface {
	Allow(id string, now time.Time) (bool, time.Duration)
}

// NumberCap is the org's cap on numbers (0: none): the plan's, unless the
// org's billing allows extra numbers. The SMS area (registering a number)
// and the admin area (buying one) hold numbers to it.
func (d *Deps) NumberCap(org string) (int, error) {
	if d.PlanMaxNumbers <= 0 {
		return 0, nil
	}
	b, err := billing.Get(d.Store, org)
	if err != nil {
		return 0, err
	}
	if b.ExtraNumbersAllowed {
		return 0, nil
	}
	return d.PlanMaxNumbers, nil
}

// FlowChannel answers a flow's channel (voice|sms), or ErrNotFound: what a
// number's flow must match, wherever a number is registered or changed.
func (d *Deps) FlowChannel(org, id string) (string, error) {
	if d.Flows == nil {
		return "", storage.ErrNotFound
	}
	f, err := d.Flows.Get(org, id)
	if err != nil {
		return "", err
	}
	return f.Channel, nil
}

// Need checks that the principal holds at least role min in its org. The
// edge refuses early by the route's Auth; this check is the one the
// console and every other front end share.
func Need(p *tenancy.Principal, min tenancy.Role) error {
	if p == nil {
		return fmt.Errorf("no principal: %w", storage.ErrUnauthorized)
	}
	if !p.Role.AtLeast(min) {
		return fmt.Errorf("this needs the %s role: %w", min, storage.ErrForbidden)
	}
	return nil
}

// NeedSiteAdmin checks for a site administrator.
func NeedSiteAdmin(p *tenancy.Principal) error {
	if p == nil {
		return fmt.Errorf("no principal: %w", storage.ErrUnauthorized)
	}
	if !p.SiteAdmin {
		return fmt.Errorf("this needs a site administrator: %w", storage.ErrForbidden)
	}
	return nil
}

// OrgLocalNow is now in the org's time zone, which is what "a day" means in
// date filters and analytics (the voice and admin areas count days in it).
func OrgLocalNow(ten *tenancy.Repo, org string, now time.Time) time.Time {
	if ten == nil {
		return now
	}
	o, err := ten.Org(org)
	if err != nil || o.Timezone == "" {
		return now
	}
	if loc, err := time.LoadLocation(o.Timezone); err == nil {
		return now.In(loc)
	}
	return now
}

// Gate asks billing whether the org may start this work (nil: go ahead):
// buying or registering a number, an outbound call, a text sent through
// the API or a campaign launch, an agent session's model run. Inbound work
// never asks.
func (d *Deps) Gate(org string, w billingactor.Work) error { return d.Billing.Allow(org, w) }
