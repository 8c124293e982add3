package coresvc

import (
	"context"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// The core area: the caller, its org and system replies, the team and its
// invites, API keys, and the site admins' provisioning of orgs. The tenancy
// repository writes these records (actors/doc.go); it serialises its own
// read-modify-writes per org.

// GetMe answers the caller, its org and role, and the orgs it belongs to.
func (s *Core) GetMe(ctx context.Context, p *tenancy.Principal) (*tenancy.Me, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Tenancy.Me(p)
}

// GetOrg answers the caller's org.
func (s *Core) GetOrg(ctx context.Context, p *tenancy.Principal) (*tenancy.Org, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Tenancy.Org(p.OrgID)
}

// UpdateOrg edits the org's name, time zone, business hours and system
// replies.
func (s *Core) UpdateOrg(ctx context.Context, p *tenancy.Principal, in tenancy.OrgPatch) (*tenancy.Org, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Tenancy.PatchOrg(p.OrgID, in)
}

// ProvisionOrg creates an org with an admin key, for a site administrator.
func (s *Core) ProvisionOrg(ctx context.Context, p *tenancy.Principal, in tenancy.CreateOrgRequest) (*tenancy.CreatedOrg, error) {
	if err := needSiteAdmin(p); err != nil {
		return nil, err
	}
	return s.d.Tenancy.ProvisionOrg(p, in)
}

// ListTeam answers the org's members and pending invites.
func (s *Core) ListTeam(ctx context.Context, p *tenancy.Principal) (*tenancy.Team, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Tenancy.Team(p.OrgID)
}

// InviteMember adds an existing user to the org, or invites an email.
func (s *Core) InviteMember(ctx context.Context, p *tenancy.Principal, in tenancy.InviteInput) (*tenancy.InviteResult, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Tenancy.Invite(p, in)
}

// RevokeInvite deletes a pending invite.
func (s *Core) RevokeInvite(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return s.d.Tenancy.RevokeInvite(p.OrgID, id)
}

// ChangeMemberRole sets a member's role; the org's last admin stays one.
func (s *Core) ChangeMemberRole(ctx context.Context, p *tenancy.Principal, userID string, in tenancy.RoleInput) (*tenancy.Member, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Tenancy.ChangeRole(p.OrgID, userID, in)
}

// RemoveMember takes a member out of the org and revokes their keys in it.
func (s *Core) RemoveMember(ctx context.Context, p *tenancy.Principal, userID string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return s.d.Tenancy.RemoveMember(p.OrgID, userID)
}

// ListApiKeys pages the org's API keys (never the secrets).
func (s *Core) ListApiKeys(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]tenancy.KeyView, string, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, "", err
	}
	return s.d.Tenancy.ListKeys(p.OrgID, page)
}

// CreateApiKey makes a key owned by the caller, no wider than the caller's
// own; its secret is answered once.
func (s *Core) CreateApiKey(ctx context.Context, p *tenancy.Principal, in tenancy.KeyInput) (*tenancy.CreatedKey, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Tenancy.CreateKey(p, in)
}

// RevokeApiKey revokes a key at once.
func (s *Core) RevokeApiKey(ctx context.Context, p *tenancy.Principal, id string) (*tenancy.KeyView, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return s.d.Tenancy.RevokeKey(p.OrgID, id)
}
