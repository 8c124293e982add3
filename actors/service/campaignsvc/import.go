package campaignsvc

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// CreateCampaignFromCSV creates a draft campaign whose recipients are a CSV
// file's rows (ParseRecipientsCSV). Every line is checked first: while any
// is bad, nothing is stored and the answer is a *CSVError naming each bad
// line, with the other inputs' problems found in the same pass.
func (s *Campaigns) CreateCampaignFromCSV(ctx context.Context, p *tenancy.Principal, in *campaigns.CreateIn, file io.Reader) (*campaigns.View, *RecipientsCSV, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, nil, err
	}
	list, err := ParseRecipientsCSV(file)
	var csvErr *CSVError
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &csvErr):
		csvErr.Fields = s.fieldProblems(p, in)
		return nil, nil, csvErr
	case errors.As(err, &ve):
		// A header or file problem: report the form's fields with it.
		for k, msg := range s.fieldProblems(p, in) {
			ve.Add(k, msg)
		}
		return nil, nil, ve
	case err != nil:
		return nil, nil, err
	}
	in.Recipients = list.Rows
	v, err := s.CreateCampaign(ctx, p, in)
	if err != nil {
		return nil, nil, err
	}
	return v, list, nil
}

// fieldProblems are the create's problems other than the recipients', from
// the same checks the create runs (nothing is written).
func (s *Campaigns) fieldProblems(p *tenancy.Principal, in *campaigns.CreateIn) map[string]string {
	probe := *in
	probe.Recipients = []campaigns.RecipientIn{{E164: "+13175550100"}}
	_, _, err := campaigns.Build(&probe, p.OrgID, campaigns.Checks{Store: s.d.Store, FlowChannel: s.d.FlowChannel,
		Admin: p.Role.AtLeast(tenancy.Admin)}, s.now())
	out := map[string]string{}
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &ve):
		for k, msg := range ve.Fields {
			if !strings.HasPrefix(k, "recipients") {
				out[k] = msg
			}
		}
	case errors.Is(err, campaigns.ErrAdminOnly):
		out["honor_quiet_hours"] = "only an admin may turn quiet hours off"
	}
	return out
}

// PreviewText is the text one recipient would get.
type PreviewText struct {
	E164 string
	Body string
	// Missing names the template's placeholders this row has no value for
	// (they render empty).
	Missing []string
}

// CampaignPreview is what a campaign would send, read before it is
// launched: the first texts as rendered now, and how many of the rows still
// to send the pipeline will skip.
type CampaignPreview struct {
	Texts []PreviewText
	// Pending counts the rows still to send; of them, OptedOut are opted
	// out (they will end opted_out) and Blocked are on the blocklist (they
	// will end skipped), as of now.
	Pending, OptedOut, Blocked int
}

// PreviewCampaign renders the first n recipients' texts (as the campaign's
// actor will: the row, then the org's contact) and counts the pending rows
// that are opted out or blocked now.
func (s *Campaigns) PreviewCampaign(ctx context.Context, p *tenancy.Principal, id string, n int) (*CampaignPreview, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	c, err := campaigns.Get(s.d.Store, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	out := &CampaignPreview{}
	err = campaigns.ScanRecipients(s.d.Store, p.OrgID, id, 0, func(r *campaigns.Recipient) (bool, error) {
		if len(out.Texts) < n {
			body, missing := campaigns.RenderFor(s.d.Store, p.OrgID, c.BodyTemplate, r)
			out.Texts = append(out.Texts, PreviewText{E164: r.E164, Body: body, Missing: missing})
		}
		if r.Status != campaigns.RPending {
			return true, nil
		}
		out.Pending++
		if opted, err := sms.IsOptedOut(s.d.Store, p.OrgID, r.E164); err != nil {
			return false, err
		} else if opted {
			out.OptedOut++
			return true, nil
		}
		blocked, err := sms.IsBlocked(s.d.Store, p.OrgID, r.E164)
		if blocked {
			out.Blocked++
		}
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
