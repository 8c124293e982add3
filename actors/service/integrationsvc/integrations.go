package integrationsvc

import (
	"context"
	"time"

	crmactor "github.com/humd/humd/actors/crm"
	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/webhooks"
)

// The integrations area: the event log, webhook endpoints, CRM connectors
// and MCP integrations with their approvals (triggers are in
// integrations_triggers.go). The endpoint and connector records are the
// storage repositories'; after each write the owning actor (delivery or
// connector) is told to reload.

// mcpToolTimeout bounds a test or an approved tool call.
const mcpToolTimeout = 45 * time.Second

// WebhookWithSecret answers a create or a rotation: the endpoint with its
// signing secret, the one time it is shown.
type WebhookWithSecret struct {
	*webhooks.Endpoint
	SigningSecret string `json:"signing_secret"`
}

// ConnectorWithSecret answers a create or a rotation: the connector with
// its secret, the one time it is shown.
type ConnectorWithSecret struct {
	*crm.Connector
	Secret string `json:"secret"`
}

// ListEventsQuery narrows the event log to one type.
type ListEventsQuery struct {
	Type string
	Page storage.PageRequest
}

// ListApprovalsQuery filters approvals.
type ListApprovalsQuery struct {
	Status, SubjectID, IntegrationID string
	Page                             storage.PageRequest
}

// ListEvents pages the org's event log, oldest first.
func (s *Integrations) ListEvents(ctx context.Context, p *tenancy.Principal, q ListEventsQuery) ([]*events.Event, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return events.List(s.d.Store, p.OrgID, q.Type, q.Page)
}

func (s *Integrations) webhookPolicy() egresspolicy.Policy {
	if s.d.Webhooks == nil {
		return egresspolicy.Policy{}
	}
	return s.d.Webhooks.Policy()
}

// webhookChanged tells the endpoint's delivery actor to reload it.
func (s *Integrations) webhookChanged(org, id string) error {
	if s.d.Webhooks == nil {
		return nil
	}
	return s.d.Webhooks.Changed(org, id)
}

// ListWebhooks pages the org's webhook endpoints.
func (s *Integrations) ListWebhooks(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*webhooks.Endpoint, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return webhooks.List(s.d.Store, p.OrgID, page)
}

// CreateWebhook adds an endpoint that gets the org's events from now on.
func (s *Integrations) CreateWebhook(ctx context.Context, p *tenancy.Principal, in webhooks.Input) (*WebhookWithSecret, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	last, err := events.LastSeq(s.d.Store, p.OrgID)
	if err != nil {
		return nil, err
	}
	e, secret, err := webhooks.Create(s.d.Store, p.OrgID, in, s.webhookPolicy(), last, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.webhookChanged(p.OrgID, e.ID); err != nil {
		return nil, err
	}
	return &WebhookWithSecret{Endpoint: e, SigningSecret: secret}, nil
}

// GetWebhook loads one endpoint.
func (s *Integrations) GetWebhook(ctx context.Context, p *tenancy.Principal, id string) (*webhooks.Endpoint, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return webhooks.Get(s.d.Store, p.OrgID, id)
}

// UpdateWebhook edits an endpoint (enabled true re-enables it).
func (s *Integrations) UpdateWebhook(ctx context.Context, p *tenancy.Principal, id string, in webhooks.Input) (*webhooks.Endpoint, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	e, err := webhooks.Patch(s.d.Store, p.OrgID, id, in, s.webhookPolicy(), s.now())
	if err != nil {
		return nil, err
	}
	if err := s.webhookChanged(p.OrgID, e.ID); err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteWebhook removes an endpoint and its history.
func (s *Integrations) DeleteWebhook(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	if err := webhooks.Delete(s.d.Store, p.OrgID, id); err != nil {
		return err
	}
	return s.webhookChanged(p.OrgID, id)
}

// RotateWebhookSecret makes a new signing secret; the old one signs too
// for a while.
func (s *Integrations) RotateWebhookSecret(ctx context.Context, p *tenancy.Principal, id string) (*WebhookWithSecret, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	e, secret, err := webhooks.Rotate(s.d.Store, p.OrgID, id, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.webhookChanged(p.OrgID, e.ID); err != nil {
		return nil, err
	}
	return &WebhookWithSecret{Endpoint: e, SigningSecret: secret}, nil
}

// enabledWebhook loads an endpoint that may send.
func (s *Integrations) enabledWebhook(org, id string) (*webhooks.Endpoint, error) {
	e, err := webhooks.Get(s.d.Store, org, id)
	if err != nil {
		return nil, err
	}
	if !e.Enabled {
		return nil, storage.Conflict("endpoint_disabled", "enable the endpoint first")
	}
	if s.d.Webhooks == nil {
		return nil, storage.Conflict("webhooks_off", "webhook delivery is not running on this server")
	}
	return e, nil
}

// TestWebhook sends a webhook.test event now.
func (s *Integrations) TestWebhook(ctx context.Context, p *tenancy.Principal, id string) (*webhook.TestResult, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	e, err := s.enabledWebhook(p.OrgID, id)
	if err != nil {
		return nil, err
	}
	return s.d.Webhooks.SendTest(p.OrgID, e.ID)
}

// ListWebhookDeliveries pages an endpoint's deliveries, newest first.
func (s *Integrations) ListWebhookDeliveries(ctx context.Context, p *tenancy.Principal, id string, page storage.PageRequest) ([]*webhooks.Delivery, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	if _, err := webhooks.Get(s.d.Store, p.OrgID, id); err != nil {
		return nil, "", err
	}
	return webhooks.Deliveries(s.d.Store, p.OrgID, id, page)
}

// RedeliverWebhook sends a delivery again (same webhook-id and body).
func (s *Integrations) RedeliverWebhook(ctx context.Context, p *tenancy.Principal, id, deliveryID string) (*webhooks.Delivery, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	e, err := s.enabledWebhook(p.OrgID, id)
	if err != nil {
		return nil, err
	}
	if d, err := webhooks.GetDelivery(s.d.Store, p.OrgID, e.ID, deliveryID); err != nil {
		return nil, err
	} else if d.Unsendable() {
		return nil, storage.Conflict("event_unreadable", "this delivery's event could not be read; there is nothing to send")
	}
	return s.d.Webhooks.Redeliver(p.OrgID, e.ID, deliveryID)
}

func (s *Integrations) crmPolicy() egresspolicy.Policy {
	if s.d.CRM == nil {
		return egresspolicy.Policy{}
	}
	return s.d.CRM.Policy()
}

// connectorChanged tells the connector's actor to reload it.
func (s *Integrations) connectorChanged(org, id string) error {
	if s.d.CRM == nil {
		return nil
	}
	return s.d.CRM.Changed(org, id)
}

// ListCRMConnectors pages the org's CRM connectors.
func (s *Integrations) ListCRMConnectors(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*crm.Connector, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return crm.List(s.d.Store, p.OrgID, page)
}

// CreateCRMConnector adds a connector; it reads the event log from now on.
func (s *Integrations) CreateCRMConnector(ctx context.Context, p *tenancy.Principal, in crm.Input) (*ConnectorWithSecret, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	last, err := events.LastSeq(s.d.Store, p.OrgID)
	if err != nil {
		return nil, err
	}
	cn, secret, err := crm.Create(s.d.Store, p.OrgID, in, s.crmPolicy(), last, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.connectorChanged(p.OrgID, cn.ID); err != nil {
		return nil, err
	}
	return &ConnectorWithSecret{Connector: cn, Secret: secret}, nil
}

// GetCRMConnector loads one connector.
func (s *Integrations) GetCRMConnector(ctx context.Context, p *tenancy.Principal, id string) (*crm.Connector, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return crm.Get(s.d.Store, p.OrgID, id)
}

// UpdateCRMConnector edits a connector.
func (s *Integrations) UpdateCRMConnector(ctx context.Context, p *tenancy.Principal, id string, in crm.Input) (*crm.Connector, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	cn, err := crm.Patch(s.d.Store, p.OrgID, id, in, s.crmPolicy(), s.now())
	if err != nil {
		return nil, err
	}
	if err := s.connectorChanged(p.OrgID, cn.ID); err != nil {
		return nil, err
	}
	return cn, nil
}

// DeleteCRMConnector removes a connector and its log.
func (s *Integrations) DeleteCRMConnector(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	if err := crm.Delete(s.d.Store, p.OrgID, id); err != nil {
		return err
	}
	return s.connectorChanged(p.OrgID, id)
}

// RotateCRMSecret replaces a connector's secret and answers the new one.
func (s *Integrations) RotateCRMSecret(ctx context.Context, p *tenancy.Principal, id string) (*ConnectorWithSecret, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	cn, secret, err := crm.Rotate(s.d.Store, p.OrgID, id, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.connectorChanged(p.OrgID, cn.ID); err != nil {
		return nil, err
	}
	return &ConnectorWithSecret{Connector: cn, Secret: secret}, nil
}

// PingCRMConnector calls the connector's {base_url}/ping.
func (s *Integrations) PingCRMConnector(ctx context.Context, p *tenancy.Principal, id string) (*crmactor.PingResult, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	if s.d.CRM == nil {
		return nil, storage.Conflict("crm_off", "CRM connectors are not running on this server")
	}
	return s.d.CRM.Ping(p.OrgID, id)
}

// ListCRMLogs pages the requests humd made to the CRM, newest first.
func (s *Integrations) ListCRMLogs(ctx context.Context, p *tenancy.Principal, id string, page storage.PageRequest) ([]*crm.LogEntry, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	if _, err := crm.Get(s.d.Store, p.OrgID, id); err != nil {
		return nil, "", err
	}
	return crm.Logs(s.d.Store, p.OrgID, id, page)
}

func (s *Integrations) mcpPolicy() egresspolicy.Policy {
	if s.d.MCPTools == nil {
		return egresspolicy.Policy{}
	}
	return s.d.MCPTools.Policy()
}

// mcpTools is the MCP tool service, or a conflict when it is off.
func (s *Integrations) mcpTools() (*mcptoolsactor.Service, error) {
	if s.d.MCPTools == nil {
		return nil, storage.Conflict("mcp_off", "MCP integrations are not running on this server")
	}
	return s.d.MCPTools, nil
}

// ListMCPIntegrations pages the org's MCP tool servers.
func (s *Integrations) ListMCPIntegrations(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*mcptools.Integration, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return mcptools.List(s.d.Store, p.OrgID, page)
}

// CreateMCPIntegration adds an MCP tool server.
func (s *Integrations) CreateMCPIntegration(ctx context.Context, p *tenancy.Principal, in mcptools.Input) (*mcptools.Integration, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return mcptools.Create(s.d.Store, p.OrgID, in, s.mcpPolicy(), s.now())
}

// GetMCPIntegration loads one integration.
func (s *Integrations) GetMCPIntegration(ctx context.Context, p *tenancy.Principal, id string) (*mcptools.Integration, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return mcptools.Get(s.d.Store, p.OrgID, id)
}

// UpdateMCPIntegration edits an integration (auth without a value keeps
// the secret).
func (s *Integrations) UpdateMCPIntegration(ctx context.Context, p *tenancy.Principal, id string, in mcptools.Input) (*mcptools.Integration, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return mcptools.Patch(s.d.Store, p.OrgID, id, in, s.mcpPolicy(), s.now())
}

// DeleteMCPIntegration removes an integration and detaches it.
func (s *Integrations) DeleteMCPIntegration(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return mcptools.Delete(s.d.Store, p.OrgID, id)
}

// TestMCPIntegration connects and lists the server's tools.
func (s *Integrations) TestMCPIntegration(ctx context.Context, p *tenancy.Principal, id string) (*mcptoolsactor.TestResult, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	m, err := s.mcpTools()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, mcpToolTimeout)
	defer cancel()
	return m.Test(ctx, p.OrgID, id)
}

// ListApprovals pages approvals, newest first.
func (s *Integrations) ListApprovals(ctx context.Context, p *tenancy.Principal, q ListApprovalsQuery) ([]*mcptools.Approval, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return mcptools.ListApprovals(s.d.Store, p.OrgID, mcptools.Filter{Status: q.Status, SubjectID: q.SubjectID,
		IntegrationID: q.IntegrationID}, q.Page)
}

// GetApproval loads one approval.
func (s *Integrations) GetApproval(ctx context.Context, p *tenancy.Principal, id string) (*mcptools.Approval, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return mcptools.GetApproval(s.d.Store, p.OrgID, id)
}

// decider names who decided an approval: the key's user, else the key.
func decider(p *tenancy.Principal) string {
	if p.UserID != "" {
		return p.UserID
	}
	return p.KeyID
}

// ApproveToolCall runs the tool once and answers the approval with its
// result.
func (s *Integrations) ApproveToolCall(ctx context.Context, p *tenancy.Principal, id string) (*mcptools.Approval, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	m, err := s.mcpTools()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, mcpToolTimeout)
	defer cancel()
	return m.Approve(ctx, p.OrgID, id, decider(p))
}

// DenyToolCallInput is a denial's optional reason.
type DenyToolCallInput struct {
	Reason string `json:"reason,omitempty" jsonschema:"minLength=0,maxLength=500"`
}

// DenyToolCall refuses a pending tool call; nothing runs.
func (s *Integrations) DenyToolCall(ctx context.Context, p *tenancy.Principal, id string, in DenyToolCallInput) (*mcptools.Approval, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	m, err := s.mcpTools()
	if err != nil {
		return nil, err
	}
	return m.Deny(p.OrgID, id, decider(p), in.Reason)
}
