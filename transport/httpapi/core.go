package httpapi

import (
	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
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
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/sandbox"
)

// Deps are the services the handlers call. transport/app wires the real ones.
type Deps struct {
	Tenancy *tenancy.Repo
	Flows   *flows.Repo
	Agents  *agentsession.Service
	Address *addresssession.Service
	Store   storage.Store
	// Threads finds conversation actors; Senders finds sender actors.
	Threads *conversation.Directory
	Senders *sender.Directory
	// FlowChannel answers a flow's channel (voice|sms), or storage.ErrNotFound
	// when the org has no such flow.
	FlowChannel func(orgID, flowID string) (string, error)
	// CRM runs the CRM connector actors.
	CRM *crmactor.Service
	// Webhooks runs the delivery actors of customer webhook endpoints.
	Webhooks *webhook.Service
	// Sandbox is set in sandbox mode (no Twilio credentials).
	Sandbox bool
	// SandboxCarrier is the sandbox carrier in sandbox mode: its log answers
	// GET /api/sandbox and its placed calls POST /api/sandbox/calls/{id}/answer.
	SandboxCarrier *sandbox.Carrier
	// Clock stamps records written by handlers.
	Clock clock.Clock
	// Twilio webhook signature checks: the auth token ("" in sandbox mode,
	// where /twilio/* answers 403) and the public base URL.
	TwilioAuthToken string
	PublicURL       string
	// Version is reported by /api/health.
	Version string
	// Campaigns runs SMS campaigns.
	Campaigns *campaign.Service
	// Calls runs the voice call actors.
	Calls *call.Service
	// MCPTools runs flows' MCP tool integrations and their approvals.
	MCPTools *mcptoolsactor.Service
	// Enrich runs contact enrichment (Lookup) and its backfill jobs.
	Enrich *enrich.Service
	// HTTPTools runs flows' HTTP tool bindings (its policy checks their URLs).
	HTTPTools *httptools.Service
}

var componentSchemas = map[string]any{}

// table lists every route humd serves.
func (s *Server) table() []*Route {
	var all []*Route
	all = append(all, s.agentSessionRoutes()...)
	all = append(all, s.addressSessionRoutes()...)
	return all
}
