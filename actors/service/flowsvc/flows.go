package flowsvc

import (
	"context"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/tenancy"
)

// The flows area: flows (the org's AI agents), their HTTP tools and the
// tools' execution logs, the knowledge base, and which MCP integrations
// each flow may use. All of it is written by the storage repositories
// (actors/doc.go); the actors read it as they run.

// ListFlowsQuery filters flows by channel, kind and trigger_type.
type ListFlowsQuery struct {
	Channel, Kind, TriggerType string
	Page                       storage.PageRequest
}

// ListFlows pages the org's flows, oldest first.
func (s *Flows) ListFlows(ctx context.Context, p *tenancy.Principal, q ListFlowsQuery) ([]*flows.Flow, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Flows.List(p.OrgID, flows.Filter{Channel: q.Channel, Kind: q.Kind, TriggerType: q.TriggerType}, q.Page)
}

// CreateFlow adds a flow with the org's next agent_id.
func (s *Flows) CreateFlow(ctx context.Context, p *tenancy.Principal, in flows.Input) (*flows.Flow, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Flows.Create(p.OrgID, in)
}

// GetFlow loads one flow.
func (s *Flows) GetFlow(ctx context.Context, p *tenancy.Principal, id string) (*flows.Flow, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Flows.Get(p.OrgID, id)
}

// UpdateFlow edits a flow; a null field clears it.
func (s *Flows) UpdateFlow(ctx context.Context, p *tenancy.Principal, id string, in flows.Input) (*flows.Flow, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Flows.Patch(p.OrgID, id, in)
}

// DeleteFlow removes a flow nothing uses.
func (s *Flows) DeleteFlow(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return s.d.Flows.Delete(p.OrgID, id)
}

// DuplicateFlow copies a flow, to edit and test before assigning it.
func (s *Flows) DuplicateFlow(ctx context.Context, p *tenancy.Principal, id string) (*flows.Flow, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Flows.Duplicate(p.OrgID, id)
}

// flowOf is the id of the org's flow id names (ErrNotFound for another
// org's).
func (s *Flows) flowOf(org, id string) (string, error) {
	f, err := s.d.Flows.Get(org, id)
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

func (s *Flows) toolPolicy() egresspolicy.Policy {
	if s.d.HTTPTools == nil {
		return egresspolicy.Policy{}
	}
	return s.d.HTTPTools.Policy()
}

// ToolWithSecret answers a create: the binding with the secret the create
// set, the one time it is shown.
type ToolWithSecret struct {
	*flowtools.Tool
	Secret string `json:"secret,omitempty"`
}

// ListFlowTools pages a flow's HTTP tools (never their secrets).
func (s *Flows) ListFlowTools(ctx context.Context, p *tenancy.Principal, flowID string, page storage.PageRequest) ([]*flowtools.Tool, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, "", err
	}
	return flowtools.List(s.d.Store, p.OrgID, flow, page)
}

// CreateFlowTool adds an HTTP tool to a flow; its secret is answered once.
func (s *Flows) CreateFlowTool(ctx context.Context, p *tenancy.Principal, flowID string, in flowtools.Input) (*ToolWithSecret, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	t, secret, err := flowtools.Create(s.d.Store, p.OrgID, flow, in, s.toolPolicy(), s.now())
	if err != nil {
		return nil, err
	}
	return &ToolWithSecret{Tool: t, Secret: secret}, nil
}

// GetFlowTool loads one HTTP tool of a flow.
func (s *Flows) GetFlowTool(ctx context.Context, p *tenancy.Principal, flowID, toolID string) (*flowtools.Tool, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	return flowtools.Get(s.d.Store, p.OrgID, flow, toolID)
}

// UpdateFlowTool edits an HTTP tool ("secret": "" removes the secret).
func (s *Flows) UpdateFlowTool(ctx context.Context, p *tenancy.Principal, flowID, toolID string, in flowtools.Input) (*flowtools.Tool, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	return flowtools.Patch(s.d.Store, p.OrgID, flow, toolID, in, s.toolPolicy(), s.now())
}

// DeleteFlowTool removes an HTTP tool and its execution log.
func (s *Flows) DeleteFlowTool(ctx context.Context, p *tenancy.Principal, flowID, toolID string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return err
	}
	return flowtools.Delete(s.d.Store, p.OrgID, flow, toolID)
}

// ListFlowToolExecutions pages an HTTP tool's executions, newest first.
func (s *Flows) ListFlowToolExecutions(ctx context.Context, p *tenancy.Principal, flowID, toolID string, page storage.PageRequest) ([]*flowtools.Execution, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, "", err
	}
	t, err := flowtools.Get(s.d.Store, p.OrgID, flow, toolID)
	if err != nil {
		return nil, "", err
	}
	return flowtools.Executions(s.d.Store, p.OrgID, t.ID, page)
}

// ListKnowledge pages the org's knowledge base documents.
func (s *Flows) ListKnowledge(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*knowledge.Doc, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return knowledge.List(s.d.Store, p.OrgID, page)
}

// CreateKnowledge adds a document (blank lines split its passages).
func (s *Flows) CreateKnowledge(ctx context.Context, p *tenancy.Principal, in knowledge.Input) (*knowledge.Doc, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return knowledge.Create(s.d.Store, p.OrgID, in, s.now())
}

// SearchKnowledgeQuery is a knowledge search: the words and how many
// passages to answer (0: 5).
type SearchKnowledgeQuery struct {
	Q     string
	Limit int
}

// SearchKnowledge answers the BM25-ranked passages for q.Q (the AI's
// lookup_knowledge).
func (s *Flows) SearchKnowledge(ctx context.Context, p *tenancy.Principal, q SearchKnowledgeQuery) ([]knowledge.Passage, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	k := q.Limit
	if k == 0 {
		k = 5
	}
	if k < 1 || k > 50 {
		return nil, storage.Invalid("limit", "must be an integer from 1 to 50")
	}
	if q.Q == "" {
		return nil, storage.Invalid("q", "required")
	}
	ps, err := knowledge.Search(s.d.Store, p.OrgID, q.Q, k)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []knowledge.Passage{}
	}
	return ps, nil
}

// GetKnowledge loads one document.
func (s *Flows) GetKnowledge(ctx context.Context, p *tenancy.Principal, id string) (*knowledge.Doc, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return knowledge.Get(s.d.Store, p.OrgID, id)
}

// UpdateKnowledge edits a document's title and/or text.
func (s *Flows) UpdateKnowledge(ctx context.Context, p *tenancy.Principal, id string, in knowledge.Input) (*knowledge.Doc, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return knowledge.Patch(s.d.Store, p.OrgID, id, in, s.now())
}

// DeleteKnowledge removes a document.
func (s *Flows) DeleteKnowledge(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return knowledge.Delete(s.d.Store, p.OrgID, id)
}

// FlowIntegrations are the MCP integrations a flow's AI may use.
type FlowIntegrations struct {
	FlowID         string   `json:"flow_id"`
	IntegrationIDs []string `json:"integration_ids"`
}

// SetFlowMCPIntegrationsInput replaces a flow's integrations; nil (absent)
// is refused, [] detaches them all.
type SetFlowMCPIntegrationsInput struct {
	IntegrationIDs []string `json:"integration_ids"`
}

func flowIntegrations(flow string, ids []string) *FlowIntegrations {
	if ids == nil {
		ids = []string{}
	}
	return &FlowIntegrations{FlowID: flow, IntegrationIDs: ids}
}

// GetFlowMCPIntegrations answers the MCP integrations attached to a flow.
func (s *Flows) GetFlowMCPIntegrations(ctx context.Context, p *tenancy.Principal, flowID string) (*FlowIntegrations, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	ids, err := mcptools.FlowIntegrations(s.d.Store, p.OrgID, flow)
	if err != nil {
		return nil, err
	}
	return flowIntegrations(flow, ids), nil
}

// SetFlowMCPIntegrations attaches MCP integrations to a flow (replacing
// the list).
func (s *Flows) SetFlowMCPIntegrations(ctx context.Context, p *tenancy.Principal, flowID string, in SetFlowMCPIntegrationsInput) (*FlowIntegrations, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	ids, err := mcptools.SetFlowIntegrations(s.d.Store, p.OrgID, flow, in.IntegrationIDs)
	if err != nil {
		return nil, err
	}
	return flowIntegrations(flow, ids), nil
}
