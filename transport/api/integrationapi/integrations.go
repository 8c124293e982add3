package integrationapi

import (
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	crmactor "github.com/humd/humd/actors/crm"
	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the integration routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc   *service.Service
	Store storage.Store
	Clock clock.Clock
	Flows *flows.Repo
	// PublicURL is where triggers are fired (their url).
	PublicURL string
	// Webhooks runs the delivery actors of webhook endpoints; CRM the CRM
	// connector actors; MCPTools flows' MCP tool integrations and their
	// approvals.
	Webhooks *webhook.Service
	CRM      *crmactor.Service
	MCPTools *mcptoolsactor.Service
	// A fired trigger runs event-trigger flows: a voice flow places a call
	// (Calls), an SMS flow texts through the thread's actor (Threads).
	Calls   *call.Service
	Threads *conversation.Directory
	// OutboundNumber picks an outbound call's caller id (voiceapi's).
	OutboundNumber func(st storage.Store, org, id, flowID string) (*sms.Number, error)
}

// API serves the integration routes.
type API struct {
	d Deps
	// fires rate-limits trigger fires per trigger (SPEC 1.13).
	fires *httpapi.Limits
}

// Trigger fires are rate limited per trigger (SPEC 1.13): a burst of 20,
// then 5 per second.
const (
	fireRate  = 5
	fireBurst = 20
)

// New builds the integrations area.
func New(d Deps) *API { return &API{d: d, fires: httpapi.NewLimits(fireRate, fireBurst)} }

// Routes lists the integration routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.eventRoutes()...)
	all = append(all, a.webhookRoutes()...)
	all = append(all, a.crmRoutes()...)
	all = append(all, a.triggerRoutes()...)
	all = append(all, a.mcpRoutes()...)
	return all
}

func (a *API) eventRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/events", OpID: "listEvents", Summary: "The org's durable event log, oldest first (?type=, cursor)", Tag: "Events", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*events.Event]](200), Handle: a.listEvents},
	}
}

func (a *API) listEvents(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := events.List(a.d.Store, c.Principal.OrgID, c.Query("type"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}
