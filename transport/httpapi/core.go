package httpapi

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"sigs.k8s.io/yaml"

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
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/sandbox"
)

// Deps are the services the handlers call. app wires the real ones.
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
	// Carrier is the active carrier's number inventory, for POST /api/numbers/sync.
	Numbers NumberSource
	// Brands registers A2P brands and campaigns (nil: no carrier).
	Brands brands.Carrier
	// Billing is billing.provider = none's configuration (plan limits).
	Billing BillingConfig
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

var componentSchemas = map[string]any{
	"Org": obj([]string{"id", "name", "timezone", "help_text"}, map[string]Schema{
		"id": str(), "name": str(), "timezone": str(), "business_hours_json": businessHours,
		"help_text": str(), "stop_text": str(), "start_text": str(), "plan": str(), "created_at": dateTime(), "updated_at": dateTime()}),
	"KeyView": obj([]string{"id", "name", "role", "prefix", "created_at"}, map[string]Schema{
		"id": str(), "name": str(), "role": enum("viewer", "operator", "admin"), "prefix": str(),
		"owner_user_id": str(), "site_admin": boolean(), "created_at": dateTime(), "revoked_at": nullable(dateTime()),
		"scopes":     Schema{"type": "array", "items": str(), "description": "empty: everything the role allows"},
		"expires_at": nullable(dateTime())}),
	"Member": obj([]string{"user_id", "email", "role", "status"}, map[string]Schema{
		"user_id": str(), "email": str(), "name": str(), "role": enum("viewer", "operator", "admin"), "status": str(), "created_at": dateTime()}),
	"Invite": obj([]string{"id", "email", "role"}, map[string]Schema{
		"id": str(), "org_id": str(), "email": str(), "role": enum("viewer", "operator", "admin"), "invited_by": str(), "created_at": dateTime()}),
}

var roleEnum = enum("viewer", "operator", "admin")

func (s *Server) coreRoutes() []*Route {
	metrics := fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	ok := func(schema Schema) map[int]Schema { return map[int]Schema{200: schema} }
	return []*Route{
		{Method: "GET", Path: "/api/health", OpID: "getHealth", Summary: "Liveness and version", Tag: "System", Auth: Public, Quiet: true,
			Responses: ok(obj([]string{"status"}, map[string]Schema{"status": enum("ok"), "version": str()})),
			Handle: func(c *Call) error {
				return c.JSON(200, map[string]any{"status": "ok", "version": s.deps.Version})
			}},
		{Method: "GET", Path: "/metrics", OpID: "getMetrics", Summary: "Prometheus metrics", Tag: "System", Auth: Public, Quiet: true,
			Responses: ok(textSchema),
			Handle: func(c *Call) error {
				metrics(c.Ctx)
				c.status = c.Ctx.Response.StatusCode()
				return nil
			}},
		{Method: "GET", Path: "/openapi.json", OpID: "getOpenAPI", Summary: "This document", Tag: "System", Auth: Public, Quiet: true,
			Responses: ok(obj([]string{"openapi", "info", "paths", "components"}, map[string]Schema{"openapi": str(),
				"info": freeForm("OpenAPI Info Object"), "servers": arr(freeForm("OpenAPI Server Object")), "tags": arr(freeForm("OpenAPI Tag Object")),
				"paths": freeForm("OpenAPI Paths Object"), "components": freeForm("OpenAPI Components Object")})),
			Handle: func(c *Call) error {
				c.Ctx.SetContentType("application/json")
				c.Ctx.SetBody(s.openAPIJSON())
				return nil
			}},
		{Method: "GET", Path: "/openapi.yaml", OpID: "getOpenAPIYAML", Summary: "This document as YAML", Tag: "System", Auth: Public, Quiet: true,
			Responses: ok(Schema{"type": "string", "x-content-type": "application/yaml"}),
			Handle: func(c *Call) error {
				raw, err := yaml.JSONToYAML(s.openAPIJSON())
				if err != nil {
					return fmt.Errorf("httpapi: openapi yaml: %w", err)
				}
				c.Ctx.SetContentType("application/yaml")
				c.Ctx.SetBody(raw)
				return nil
			}},
		{Method: "GET", Path: "/api/me", OpID: "getMe", Summary: "The caller, its org and role", Tag: "User", Auth: ViewerUp,
			Responses: ok(obj([]string{"user", "current_org", "orgs"}, map[string]Schema{
				"user":        obj([]string{"id", "email"}, map[string]Schema{"id": str(), "email": str(), "name": str(), "site_admin": boolean()}),
				"current_org": obj([]string{"id", "name", "role"}, map[string]Schema{"id": str(), "name": str(), "role": roleEnum}),
				"orgs":        arr(obj([]string{"id", "name", "role"}, map[string]Schema{"id": str(), "name": str(), "role": roleEnum})),
				"api_key": obj([]string{"id", "name", "role", "scopes"}, map[string]Schema{"id": str(), "name": str(), "role": roleEnum,
					"scopes": Schema{"type": "array", "items": str(), "description": "empty: everything the role allows"}})})),
			Handle: func(c *Call) error {
				me, err := s.deps.Tenancy.Me(c.Principal)
				if err != nil {
					return err
				}
				return c.JSON(200, me)
			}},
		{Method: "GET", Path: "/api/org", OpID: "getOrg", Summary: "The current org", Tag: "Organizations", Auth: ViewerUp,
			Responses: ok(ref("Org")),
			Handle: func(c *Call) error {
				o, err := s.deps.Tenancy.Org(c.Principal.OrgID)
				if err != nil {
					return err
				}
				return c.JSON(200, o)
			}},
		{Method: "PATCH", Path: "/api/org", OpID: "updateOrg", Summary: "Edit name, timezone, business hours, system replies", Tag: "Organizations", Auth: AdminUp,
			Request: strict(obj(nil, map[string]Schema{"name": strN(1, 120), "timezone": str(), "business_hours_json": businessHours,
				"help_text": strN(1, 1600), "stop_text": strN(1, 1600), "start_text": strN(1, 1600)})),
			Responses: ok(ref("Org")),
			Handle: func(c *Call) error {
				o, err := s.deps.Tenancy.PatchOrg(c.Principal.OrgID, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(200, o)
			}},
		{Method: "POST", Path: "/api/admin/orgs", OpID: "provisionOrg", Summary: "Create an org with an admin key (site:admin)", Tag: "Organizations", Auth: SiteAdmin,
			Request: strict(obj([]string{"name"}, map[string]Schema{"name": strN(1, 120), "owner_email": str(), "ownerEmail": str(),
				"plan": strN(0, 60), "adminNotes": strN(0, 2000), "confirm": boolean()})),
			Responses: map[int]Schema{201: obj([]string{"org_id", "api_key"}, map[string]Schema{"org_id": str(), "api_key": str(),
				"name": str(), "owner_email": str(), "owner_user_id": str(), "api_key_id": str(), "plan": str(), "admin_notes": str()})},
			Handle: func(c *Call) error {
				res, err := s.deps.Tenancy.ProvisionOrg(c.Principal, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(201, res)
			}},
		{Method: "GET", Path: "/api/team", OpID: "listTeam", Summary: "Members and pending invites", Tag: "Team", Auth: ViewerUp,
			Responses: ok(obj([]string{"members", "invites"}, map[string]Schema{"members": arr(ref("Member")), "invites": arr(ref("Invite"))})),
			Handle: func(c *Call) error {
				t, err := s.deps.Tenancy.Team(c.Principal.OrgID)
				if err != nil {
					return err
				}
				return c.JSON(200, t)
			}},
		{Method: "POST", Path: "/api/team/invites", OpID: "inviteMember", Summary: "Add an existing user or invite an email", Tag: "Team", Auth: AdminUp,
			Request:   strict(obj([]string{"email", "role"}, map[string]Schema{"email": str(), "role": roleEnum})),
			Responses: map[int]Schema{201: obj([]string{"status"}, map[string]Schema{"status": enum("added", "invited"), "member": ref("Member"), "invite": ref("Invite")})},
			Handle: func(c *Call) error {
				res, err := s.deps.Tenancy.Invite(c.Principal, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(201, res)
			}},
		{Method: "DELETE", Path: "/api/team/invites/{id}", OpID: "revokeInvite", Summary: "Revoke a pending invite", Tag: "Team", Auth: AdminUp,
			Responses: map[int]Schema{204: nil},
			Handle: func(c *Call) error {
				if err := s.deps.Tenancy.RevokeInvite(c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "PATCH", Path: "/api/team/{userId}", OpID: "changeMemberRole", Summary: "Change a member's role", Tag: "Team", Auth: AdminUp,
			Request:   strict(obj([]string{"role"}, map[string]Schema{"role": roleEnum})),
			Responses: ok(ref("Member")),
			Handle: func(c *Call) error {
				m, err := s.deps.Tenancy.ChangeRole(c.Principal.OrgID, c.Param("userId"), c.Body())
				if err != nil {
					return err
				}
				return c.JSON(200, m)
			}},
		{Method: "DELETE", Path: "/api/team/{userId}", OpID: "removeMember", Summary: "Remove a member", Tag: "Team", Auth: AdminUp,
			Responses: map[int]Schema{204: nil},
			Handle: func(c *Call) error {
				if err := s.deps.Tenancy.RemoveMember(c.Principal.OrgID, c.Param("userId")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/api-keys", OpID: "listApiKeys", Summary: "List API keys (never the secrets)", Tag: "API keys", Auth: AdminUp,
			Responses: ok(listOf(ref("KeyView"))),
			Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				keys, next, err := s.deps.Tenancy.ListKeys(c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(keys, next)
			}},
		{Method: "POST", Path: "/api/api-keys", OpID: "createApiKey", Summary: "Create a key; the secret is answered once", Tag: "API keys", Auth: AdminUp,
			Request: strict(obj([]string{"name", "role"}, map[string]Schema{"name": strN(1, 100), "role": roleEnum,
				"scopes": Schema{"type": "array", "items": enum(tenancy.ScopeVocabulary()...),
					"description": "<area>:read (GET, HEAD) or <area>:write (all methods) of a tag's area, or *; none means everything the role allows"},
				"expires_at": nullable(dateTime())})),
			Responses: map[int]Schema{201: withProps("KeyView", []string{"key"}, map[string]Schema{"key": str()})},
			Handle: func(c *Call) error {
				k, err := s.deps.Tenancy.CreateKey(c.Principal, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(201, k)
			}},
		{Method: "DELETE", Path: "/api/api-keys/{id}", OpID: "revokeApiKey", Summary: "Revoke a key", Tag: "API keys", Auth: AdminUp,
			Responses: ok(ref("KeyView")),
			Handle: func(c *Call) error {
				k, err := s.deps.Tenancy.RevokeKey(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, k)
			}},
	}
}

// NoContent answers 204.
func (c *Call) NoContent() error {
	c.Ctx.SetStatusCode(http.StatusNoContent)
	c.Ctx.Response.ResetBody()
	c.status = http.StatusNoContent
	return nil
}

// table lists every route humd serves.
func (s *Server) table() []*Route {
	var all []*Route
	all = append(all, s.coreRoutes()...)
	all = append(all, s.smsRoutes()...)
	all = append(all, s.smsAdminRoutes()...)
	all = append(all, s.knowledgeRoutes()...)
	all = append(all, s.webhookRoutes()...)
	all = append(all, s.crmRoutes()...)
	all = append(all, s.sandboxRoutes()...)
	all = append(all, s.flowRoutes()...)
	all = append(all, s.agentSessionRoutes()...)
	all = append(all, s.addressSessionRoutes()...)
	all = append(all, s.campaignRoutes()...)
	all = append(all, s.triggerRoutes()...)
	all = append(all, s.mcpRoutes()...)
	all = append(all, s.mcpIntegrationRoutes()...)
	all = append(all, s.voiceRoutes()...)
	all = append(all, s.voiceAPIRoutes()...)
	all = append(all, s.callReviewRoutes()...)
	all = append(all, s.lookupRoutes()...)
	all = append(all, s.flowToolRoutes()...)
	all = append(all, s.dashboardRoutes()...)
	all = append(all, s.agentRoutes()...)
	all = append(all, s.numberBuyRoutes()...)
	all = append(all, s.brandRoutes()...)
	all = append(all, s.billingRoutes()...)
	return all
}
