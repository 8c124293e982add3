package campaignsvc

import (
	"context"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
)

// The campaigns area: bulk SMS campaigns, each owned by its campaign actor
// (actors/campaign); honor_quiet_hours:false needs an admin.

// ListCampaignRecipientsQuery filters a campaign's rows by status.
type ListCampaignRecipientsQuery struct {
	Status string
	Page   storage.PageRequest
}

// ListCampaigns pages the org's campaigns with their counts.
func (s *Campaigns) ListCampaigns(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*campaigns.View, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Campaigns.List(p.OrgID, page)
}

// CreateCampaign validates and stores a draft campaign.
func (s *Campaigns) CreateCampaign(ctx context.Context, p *tenancy.Principal, in *campaigns.CreateIn) (*campaigns.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Create(p.OrgID, p.UserID, p.Role.AtLeast(tenancy.Admin), in)
}

// GetCampaign is one campaign with its counts.
func (s *Campaigns) GetCampaign(ctx context.Context, p *tenancy.Principal, id string) (*campaigns.View, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Get(p.OrgID, id)
}

// UpdateCampaign edits a draft or paused campaign (through its actor).
func (s *Campaigns) UpdateCampaign(ctx context.Context, p *tenancy.Principal, id string, in *campaigns.PatchIn) (*campaigns.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Patch(p.OrgID, id, p.Role.AtLeast(tenancy.Admin), in)
}

// ListCampaignRecipients pages a campaign's rows.
func (s *Campaigns) ListCampaignRecipients(ctx context.Context, p *tenancy.Principal, id string, q ListCampaignRecipientsQuery) ([]*campaigns.Recipient, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Campaigns.Recipients(p.OrgID, id, q.Status, q.Page)
}

// LaunchCampaign launches a draft or paused campaign.
func (s *Campaigns) LaunchCampaign(ctx context.Context, p *tenancy.Principal, id string) (*campaigns.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkSMS); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Launch(p.OrgID, id)
}

// PauseCampaign pauses a queued or sending campaign.
func (s *Campaigns) PauseCampaign(ctx context.Context, p *tenancy.Principal, id string) (*campaigns.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Pause(p.OrgID, id)
}

// CancelCampaign cancels a campaign that has not finished.
func (s *Campaigns) CancelCampaign(ctx context.Context, p *tenancy.Principal, id string) (*campaigns.View, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return s.d.Campaigns.Cancel(p.OrgID, id)
}
