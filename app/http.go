package app

import (
	"github.com/humd/humd/actors/consent"
	"github.com/humd/humd/actors/retention"
	"github.com/humd/humd/actors/service"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/actors/conversation"
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/httptools"
	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/actors/sidstatus"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/api/adminapi"
	"github.com/humd/humd/transport/api/authapi"
	"github.com/humd/humd/transport/api/campaignapi"
	"github.com/humd/humd/transport/api/coreapi"
	"github.com/humd/humd/transport/api/flowapi"
	"github.com/humd/humd/transport/api/integrationapi"
	"github.com/humd/humd/transport/api/opsapi"
	"github.com/humd/humd/transport/api/sandboxapi"
	"github.com/humd/humd/transport/api/sessionapi"
	"github.com/humd/humd/transport/api/smsapi"
	"github.com/humd/humd/transport/api/voiceapi"
	"github.com/humd/humd/transport/console"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/stripeapi"
	"github.com/humd/humd/transport/twiliohooks"
)

// services are what the API areas are built from: the repositories, actor
// directories and services the wire* functions make.
type services struct {
	Tenancy *tenancy.Repo
	Flows   *flows.Repo
	// Agents and Address run seed 002's agent sessions and seed 000's
	// address sessions.
	Agents  *agentsession.Service
	Address *addresssession.Service
	// Threads finds conversation actors; Senders finds sender actors.
	Threads *conversation.Directory
	Senders *sender.Directory
	// SIDStatus routes SMS status callbacks; Consent writes a person's
	// opt-outs and opt-ins.
	SIDStatus *sidstatus.Directory
	Consent   *consent.Directory
	// FlowChannel answers a flow's channel (voice|sms), or storage.ErrNotFound.
	FlowChannel func(orgID, flowID string) (string, error)
	CRM         *crmactor.Service
	Webhooks    *webhook.Service
	// Numbers is the carrier's number inventory; Brands registers A2P brands
	// (nil without a carrier).
	Numbers service.NumberSource
	Brands  brands.Carrier
	// Sandbox is set without Twilio credentials; SandboxCarrier is then the
	// sandbox carrier, and TwilioAuthToken the sandbox's webhook token.
	Sandbox         bool
	SandboxCarrier  *sandbox.Carrier
	TwilioAuthToken string
	Campaigns       *campaign.Service
	Calls           *call.Service
	MCPTools        *mcptoolsactor.Service
	Enrich          *enrich.Service
	HTTPTools       *httptools.Service
	Retention       *retention.Service
	// Billing is the billing actor and Gate; BillingSandbox the sandbox
	// provider (billing.go).
	Billing        *billingactor.Service
	BillingSandbox *stripeapi.Sandbox
}

// areas builds the API areas the HTTP edge serves, each with only the
// services it uses.
func (a *App) areas(d services) []httpapi.Area {
	ten := d.Tenancy
	svc := service.New(service.Deps{Store: a.Store, Clock: a.Clock, Tenancy: ten, Flows: d.Flows, Threads: d.Threads, Senders: d.Senders, Consent: d.Consent,
		Calls: d.Calls, Campaigns: d.Campaigns, Webhooks: d.Webhooks, CRM: d.CRM, MCPTools: d.MCPTools, HTTPTools: d.HTTPTools,
		Enrich: d.Enrich, Agents: d.Agents, Address: d.Address, Numbers: d.Numbers, Brands: d.Brands, Sandbox: d.Sandbox,
		PublicURL: a.cfg.PublicURL, PlanMaxNumbers: a.cfg.PlanMaxNumbers,
		Billing:        d.Billing,
		TriggerFires:   httpapi.NewLimits(integrationsvc.TriggerFireRate, integrationsvc.TriggerFireBurst),
		OutboundNumber: voiceapi.OutboundNumber,
		Logger:         a.log,
		Retention:      d.Retention,
	})
	a.Svc = svc
	a.Hooks = twiliohooks.New(twiliohooks.Deps{Svc: svc, Store: a.Store, Threads: d.Threads, SIDStatus: d.SIDStatus, Calls: d.Calls, TwilioAuthToken: d.TwilioAuthToken,
		PublicURL: a.cfg.PublicURL, Sandbox: d.Sandbox})
	smsArea := smsapi.New(smsapi.Deps{Svc: svc, Clock: a.Clock})
	sandboxArea := sandboxapi.New(sandboxapi.Deps{Svc: svc, Store: a.Store, Sandbox: d.Sandbox, Carrier: d.SandboxCarrier, WebhookToken: d.TwilioAuthToken})
	authArea := authapi.New(authapi.Deps{Tenancy: ten, Sessions: a.Sessions, Clock: a.Clock, PublicURL: a.cfg.PublicURL, OIDC: a.cfg.oidc()})
	a.Console = console.New(console.Deps{Svc: svc, Auth: authArea, SMS: smsArea, Sandbox: sandboxArea,
		Self: a.selfURL, PublicURL: a.cfg.PublicURL})
	return []httpapi.Area{
		coreapi.New(coreapi.Deps{Svc: svc}),
		smsArea,
		voiceapi.New(voiceapi.Deps{Svc: svc}),
		campaignapi.New(campaignapi.Deps{Svc: svc}),
		flowapi.New(flowapi.Deps{Svc: svc}),
		integrationapi.New(integrationapi.Deps{Svc: svc}),
		adminapi.New(adminapi.Deps{Svc: svc}),
		sandboxArea,
		sessionapi.New(sessionapi.Deps{Svc: svc, Clock: a.Clock}),
		opsapi.New(opsapi.Deps{Backup: a.Backup}),
		authArea,
		a.Hooks,
		a.stripeArea(svc, d),
		a.Console,
	}
}
