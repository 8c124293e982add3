package console

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/humd/humd/actors/service/campaignsvc"
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// maxCSVUpload caps a campaign's upload (the REST create's body cap: 50,000
// rows fit).
const maxCSVUpload = 16 << 20

// previewTexts is how many rendered first texts a campaign's page shows.
const previewTexts = 5

// maxBody lets a route take a body up to n bytes (a file upload).
func maxBody(r *httpapi.Route, n int) *httpapi.Route {
	r.MaxBody = n
	return r
}

type campaignsView struct {
	Campaigns []*campaigns.View
	Numbers   map[string]string // number id -> E.164
	Next      string
}

// campaigns lists the org's campaigns with status and counts; the list
// follows sends and receipts live (sse:sms, sse:campaign).
func (a *API) campaigns(c *httpapi.Call, s *session) error {
	list, next, err := a.d.Svc.ListCampaigns(c.Ctx, s.P, storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()})
	if err != nil {
		return err
	}
	v := &campaignsView{Campaigns: list, Next: next, Numbers: map[string]string{}}
	for _, n := range a.smsNumbers(c, s) {
		v.Numbers[n.ID] = n.E164
	}
	return a.render(c, 200, s, "campaigns", "Campaigns", "campaigns", v)
}

// newCampaignView is the form, with what was typed and what was wrong.
type newCampaignView struct {
	Numbers []*sms.Number
	Flows   []*flows.Flow
	Admin   bool // may turn quiet hours off
	// The posted values.
	Name, NumberID, Template, Throttle, FlowID string
	QuietOff                                   bool
	// Errors are field problems by field name; RowErrors the CSV's bad
	// lines (BadLines counts them all).
	Errors    map[string]string
	RowErrors []campaignsvc.RowError
	BadLines  int
}

func (a *API) newCampaignForm(c *httpapi.Call, s *session) *newCampaignView {
	v := &newCampaignView{Numbers: a.smsNumbers(c, s), Admin: s.can(tenancy.Admin), Throttle: strconv.Itoa(campaigns.DefaultThrottle)}
	if list, _, err := a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Channel: "sms", Page: storage.PageRequest{Limit: 200}}); err == nil {
		v.Flows = list
	}
	return v
}

// smsNumbers are the org's numbers that can text.
func (a *API) smsNumbers(c *httpapi.Call, s *session) []*sms.Number {
	list, _, err := a.d.Svc.ListNumbers(c.Ctx, s.P, storage.PageRequest{Limit: 200})
	if err != nil {
		return nil
	}
	var out []*sms.Number
	for _, n := range list {
		if n.SMSEnabled {
			out = append(out, n)
		}
	}
	return out
}

func (a *API) newCampaign(c *httpapi.Call, s *session) error {
	return a.render(c, 200, s, "campaign_new", "New campaign", "campaigns", a.newCampaignForm(c, s))
}

// createCampaign reads the multipart form and its CSV, and creates a draft
// through the service, which checks every line first: with a bad line the
// form comes back (422) listing each by its line number, and nothing is
// stored. A draft opens its page, with the preview and the launch button.
func (a *API) createCampaign(c *httpapi.Call, s *session) error {
	mf, err := c.Ctx.MultipartForm()
	if err != nil {
		return errField("recipients_csv", "send the form as multipart/form-data with the CSV file")
	}
	val := func(k string) string {
		if vs := mf.Value[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	v := a.newCampaignForm(c, s)
	v.Name, v.NumberID, v.Template, v.Throttle, v.FlowID = val("name"), val("twilio_number_id"), val("body_template"), val("throttle_per_minute"), val("flow_id")
	v.QuietOff = val("honor_quiet_hours") == "off"
	in := &campaigns.CreateIn{Name: v.Name, NumberID: v.NumberID, BodyTemplate: v.Template}
	fieldErr := map[string]string{}
	if n, err := strconv.Atoi(v.Throttle); err == nil {
		in.ThrottlePerMinute = &n
	} else {
		fieldErr["throttle_per_minute"] = "must be a whole number of texts per minute"
	}
	if v.FlowID != "" {
		in.FlowID = &v.FlowID
	}
	if v.QuietOff {
		off := false
		in.HonorQuietHours = &off
	}
	var file io.Reader
	if fhs := mf.File["recipients_csv"]; len(fhs) > 0 {
		f, err := fhs[0].Open()
		if err != nil {
			return fmt.Errorf("console: open the uploaded csv: %w", err)
		}
		defer f.Close()
		file = f
	} else {
		fieldErr["recipients_csv"] = "choose a CSV file of recipients"
	}
	if len(fieldErr) > 0 {
		v.Errors = fieldErr
		return a.render(c, 422, s, "campaign_new", "New campaign", "campaigns", v)
	}
	created, _, err := a.d.Svc.CreateCampaignFromCSV(c.Ctx, s.P, in, file)
	var ce *campaignsvc.CSVError
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &ce):
		v.Errors, v.RowErrors, v.BadLines = ce.Fields, ce.Rows, ce.Total
	case errors.As(err, &ve):
		v.Errors = ve.Fields
	case err != nil:
		return err
	default:
		return redirect(c, "/campaigns/"+created.Campaign.ID)
	}
	return a.render(c, 422, s, "campaign_new", "New campaign", "campaigns", v)
}

type campaignView struct {
	*campaigns.View
	Number  string
	Flow    string
	Preview *campaignsvc.CampaignPreview
	Rows    []*campaigns.Recipient
	Notice  string
}

// Launchable and the others say which actions the campaign's state allows.
func (v *campaignView) Launchable() bool {
	return v.Campaign.Status == campaigns.Draft || v.Campaign.Status == campaigns.Paused
}
func (v *campaignView) Pausable() bool   { return campaigns.Active(v.Campaign.Status) }
func (v *campaignView) Cancelable() bool { return !campaigns.Terminal(v.Campaign.Status) }

// Waiting counts the rows not sent yet (pending, or handed to the pipeline).
func (v *campaignView) Waiting() int { return v.Counts.Pending + v.Counts.Sending }

// campaign shows a campaign: before launch its preview (the first texts as
// they will read, and the opted-out and blocked rows the pipeline will
// skip); its progress, actions and first recipients, which refetch
// themselves (?part=progress) on the page's live stream as sends and
// receipts commit.
func (a *API) campaign(c *httpapi.Call, s *session) error {
	return a.showCampaign(c, s, c.Param("id"), actionNotices[c.Query("done")])
}

// actionNotices say what an action did, on the page it redirects to.
var actionNotices = map[string]string{
	"launch": "Launched: the campaign sends at its throttle, within quiet hours.",
	"pause":  "Paused. Launch it again to resume.",
	"cancel": "Cancelled: nothing more is sent; texts already handed to the carrier still deliver.",
}

func (a *API) showCampaign(c *httpapi.Call, s *session, id, notice string) error {
	cv, err := a.d.Svc.GetCampaign(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	v := &campaignView{View: cv, Notice: notice}
	if v.Rows, _, err = a.d.Svc.ListCampaignRecipients(c.Ctx, s.P, id, campaignsvc.ListCampaignRecipientsQuery{
		Page: storage.PageRequest{Limit: 50, Skips: c.Skips()}}); err != nil {
		return err
	}
	if c.Query("part") == "progress" {
		return a.part(c, s, "campaign", "progress", v)
	}
	if n, err := a.d.Svc.GetNumber(c.Ctx, s.P, cv.Campaign.NumberID); err == nil {
		v.Number = n.E164
	}
	if cv.Campaign.FlowID != nil {
		v.Flow = a.flowNames(c, s)[*cv.Campaign.FlowID]
	}
	if v.Launchable() { // the preview is for deciding to launch; afterwards the progress tells
		if v.Preview, err = a.d.Svc.PreviewCampaign(c.Ctx, s.P, id, previewTexts); err != nil {
			return err
		}
	}
	return a.render(c, 200, s, "campaign", cv.Campaign.Name, "campaigns", v)
}

// campaignAction launches, pauses or cancels, through the campaign's actor,
// then loads the campaign's page afresh (a plain form post and redirect: a
// live refresh of the progress cannot swallow its answer).
func (a *API) campaignAction(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	var err error
	act := form(c, "action")
	switch act {
	case "launch":
		_, err = a.d.Svc.LaunchCampaign(c.Ctx, s.P, id)
	case "pause":
		_, err = a.d.Svc.PauseCampaign(c.Ctx, s.P, id)
	case "cancel":
		_, err = a.d.Svc.CancelCampaign(c.Ctx, s.P, id)
	default:
		return errField("action", fmt.Sprintf("unknown action %q", act))
	}
	if err != nil {
		return err
	}
	return redirect(c, "/campaigns/"+id+"?done="+act)
}
