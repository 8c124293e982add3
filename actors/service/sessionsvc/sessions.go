package sessionsvc

import (
	"context"
	"io"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// The sessions area: seed 002's agent sessions and seed 000's address
// sessions. Their services answer typed results and errors
// (agentsession.ErrAgentNotFound, addresssession.InvalidError, ClosedError,
// ErrBusy ...); transport/api/sessionapi turns them into the seeds' own
// envelopes.

// ListAgentSessionsQuery filters GET /api/v1/sessions.
type ListAgentSessionsQuery struct {
	Status string // "", active or completed
	Page   storage.PageRequest
}

// CreateAgentSession starts a session with one of the org's agents.
func (s *Sessions) CreateAgentSession(ctx context.Context, p *tenancy.Principal, in agentsession.CreateInput) (*agentsession.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkAI); err != nil {
		return nil, err
	}
	return s.d.Agents.Create(p.OrgID, p.KeyID, in)
}

// ListAgentSessions lists the org's sessions, newest first.
func (s *Sessions) ListAgentSessions(ctx context.Context, p *tenancy.Principal, q ListAgentSessionsQuery) ([]*agentsession.View, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Agents.List(p.OrgID, q.Page, q.Status)
}

// GetAgentSession is one session.
func (s *Sessions) GetAgentSession(ctx context.Context, p *tenancy.Principal, id string) (*agentsession.View, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Agents.Get(p.OrgID, id)
}

// EndAgentSession ends a session (idempotent).
func (s *Sessions) EndAgentSession(ctx context.Context, p *tenancy.Principal, id string, in agentsession.EndInput) (*agentsession.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Agents.End(p.OrgID, id, in)
}

// EndAgentSessionPost is EndAgentSession's POST alias.
func (s *Sessions) EndAgentSessionPost(ctx context.Context, p *tenancy.Principal, id string, in agentsession.EndInput) (*agentsession.View, error) {
	return s.EndAgentSession(ctx, p, id, in)
}

// PostAgentSessionMessage stores a message; agent_chat answers with the
// agent's reply.
func (s *Sessions) PostAgentSessionMessage(ctx context.Context, p *tenancy.Principal, id string, in agentsession.PostInput) (*agentsession.Posted, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkAI); err != nil {
		return nil, err
	}
	return s.d.Agents.PostMessage(p.OrgID, id, in)
}

// ListAgentSessionMessages lists a session's messages in order.
func (s *Sessions) ListAgentSessionMessages(ctx context.Context, p *tenancy.Principal, id string, page storage.PageRequest) ([]*agentsession.Message, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Agents.ListMessages(p.OrgID, id, page)
}

// CreateAddressSession starts an address session.
func (s *Sessions) CreateAddressSession(ctx context.Context, p *tenancy.Principal, in *address.Input) (*addresssession.Session, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Address.Create(p.OrgID, in)
}

// GetAddressSession is a session's state: Working while its agents work,
// with the providers when done, an addresssession.ClosedError once closed
// or expired.
func (s *Sessions) GetAddressSession(ctx context.Context, p *tenancy.Principal, token string) (*addresssession.Session, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Address.Get(p.OrgID, token)
}

// CloseAddressSession closes a session.
func (s *Sessions) CloseAddressSession(ctx context.Context, p *tenancy.Principal, token string) (*addresssession.Session, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Address.Delete(p.OrgID, token)
}

// ImportProviders loads a provider catalog CSV (humd import providers, an
// offline command with no principal: whoever can open the data directory
// may import).
func (s *Sessions) ImportProviders(ctx context.Context, r io.Reader) (int, error) {
	return s.d.Address.ImportProviders(r)
}
