package service

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/httptools"
	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage"
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
	// Billing is the billing provider's actor and Gate (billing.go).
	Billing *billingactor.Service
	// TriggerFires rate-limits trigger fires per trigger; nil: no limit.
	TriggerFires RateLimiter
	// OutboundNumber picks an outbound call's caller id (an org's number
	// id, else the flow's, else the first voice number).
	OutboundNumber func(st storage.Store, org, id, flowID string) (*sms.Number, error)
	// Logger hears what an operation cannot answer (a bought number humd
	// could not release); nil: slog's default.
	Logger *slog.Logger
}

// Service is the front door. It is safe for concurrent use: it keeps no
// state of its own beyond Deps; writes go to their owners (actors or
// storage repositories, actors/doc.go).
type Service struct {
	d Deps
}

// New builds the service.
func New(d Deps) *Service { return &Service{d: d} }

// Deps returns what the service was built from, for the front ends that
// still reach a door directly while their operations move here.
func (s *Service) Deps() Deps { return s.d }

func (s *Service) now() time.Time { return s.d.Clock.Now() }

// need checks that the principal holds at least role min in its org. The
// edge refuses early by the route's Auth; this check is the one the
// console and every other front end share.
func need(p *tenancy.Principal, min tenancy.Role) error {
	if p == nil {
		return fmt.Errorf("no principal: %w", storage.ErrUnauthorized)
	}
	if !p.Role.AtLeast(min) {
		return fmt.Errorf("this needs the %s role: %w", min, storage.ErrForbidden)
	}
	return nil
}

// needSiteAdmin checks for a site administrator.
func needSiteAdmin(p *tenancy.Principal) error {
	if p == nil {
		return fmt.Errorf("no principal: %w", storage.ErrUnauthorized)
	}
	if !p.SiteAdmin {
		return fmt.Errorf("this needs a site administrator: %w", storage.ErrForbidden)
	}
	return nil
}
