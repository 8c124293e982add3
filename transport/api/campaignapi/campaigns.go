package campaignapi

import (
	"time"

	"github.com/humd/humd/actors/service"

	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the campaign routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc       *service.Service
	Campaigns *campaign.Service
}

// API serves the campaign routes.
type API struct{ d Deps }

// New builds the campaigns area.
func New(d Deps) *API { return &API{d: d} }

func init() {
	httpapi.Component[campaigns.Campaign]("CampaignRecord", campaignSchema)
	httpapi.Component[campaigns.Counts]("CampaignCounts", nil)
	httpapi.Component[campaigns.View]("Campaign", campaignSchema)
	httpapi.Component[campaigns.Recipient]("CampaignRecipient", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "status", campaigns.RPending, campaigns.RSending, campaigns.RSent, campaigns.RDelivered, campaigns.RFailed,
			campaigns.ROptedOut, campaigns.RSkipped, campaigns.RCancelled, campaigns.RUnknown)
	})
}

func campaignSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "status", campaigns.Draft, campaigns.Queued, campaigns.Sending, campaigns.Paused, campaigns.Completed,
		campaigns.Cancelled, campaigns.Failed)
}

// Request bodies, as the campaign service decodes them.
type (
	recipientRequest struct {
		E164      string            `json:"contact_e164"`
		Body      string            `json:"body,omitempty" jsonschema:"minLength=0,maxLength=1600"`
		Vars      map[string]string `json:"vars,omitempty"`
		FirstName string            `json:"first_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
		Name      string            `json:"name,omitempty" jsonschema:"minLength=0,maxLength=200"`
	}
	createRequest struct {
		Name              string             `json:"name" jsonschema:"minLength=1,maxLength=200"`
		NumberID          string             `json:"twilio_number_id"`
		BodyTemplate      string             `json:"body_template" jsonschema:"minLength=1,maxLength=1600"`
		FlowID            *string            `json:"flow_id,omitempty" jsonschema:"nullable"`
		ThrottlePerMinute int                `json:"throttle_per_minute,omitempty"`
		ScheduledStartAt  *time.Time         `json:"scheduled_start_at,omitempty" jsonschema:"nullable"`
		HonorQuietHours   bool               `json:"honor_quiet_hours,omitempty"`
		Recipients        []recipientRequest `json:"recipients"`
		Confirm           bool               `json:"confirm,omitempty"`
	}
	patchRequest struct {
		Name              string     `json:"name,omitempty" jsonschema:"minLength=1,maxLength=200"`
		BodyTemplate      string     `json:"body_template,omitempty" jsonschema:"minLength=1,maxLength=1600"`
		FlowID            *string    `json:"flow_id,omitempty" jsonschema:"nullable"`
		ThrottlePerMinute int        `json:"throttle_per_minute,omitempty"`
		ScheduledStartAt  *time.Time `json:"scheduled_start_at,omitempty" jsonschema:"nullable"`
		HonorQuietHours   bool       `json:"honor_quiet_hours,omitempty"`
		Confirm           bool       `json:"confirm,omitempty"`
	}
)

// Routes lists the campaign routes.
func (a *API) Routes() []*httpapi.Route {
	one := httpapi.Answer[campaigns.View](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/sms/campaigns", OpID: "listCampaigns", Summary: "Campaigns with status and progress counts", Tag: "Campaigns",
			Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*campaigns.View]](200), Handle: a.listCampaigns},
		{Method: "POST", Path: "/api/sms/campaigns", OpID: "createCampaign", Summary: "Create a draft campaign (up to 50,000 recipients)",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, MaxBody: 16 << 20, Request: httpapi.Type[createRequest](),
			Responses: httpapi.Answer[campaigns.View](201), Handle: a.createCampaign},
		{Method: "GET", Path: "/api/sms/campaigns/{id}", OpID: "getCampaign", Summary: "One campaign with its counts", Tag: "Campaigns",
			Auth: httpapi.ViewerUp, Responses: one, Handle: a.getCampaign},
		{Method: "PATCH", Path: "/api/sms/campaigns/{id}", OpID: "updateCampaign", Summary: "Edit a draft or paused campaign", Tag: "Campaigns",
			Auth: httpapi.OperatorUp, Request: httpapi.Type[patchRequest](), Responses: one, Handle: a.updateCampaign},
		{Method: "GET", Path: "/api/sms/campaigns/{id}/recipients", OpID: "listCampaignRecipients", Summary: "Per-recipient status (?status= filters)",
			Tag: "Campaigns", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*campaigns.Recipient]](200), Handle: a.listRecipients},
		{Method: "POST", Path: "/api/sms/campaigns/{id}/launch", OpID: "launchCampaign", Summary: "Launch a draft or paused campaign (409 otherwise)",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Idempotent: true, Responses: one, Handle: a.launch},
		{Method: "POST", Path: "/api/sms/campaigns/{id}/pause", OpID: "pauseCampaign", Summary: "Pause a queued or sending campaign (409 otherwise)",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Responses: one, Handle: a.pause},
		{Method: "POST", Path: "/api/sms/campaigns/{id}/cancel", OpID: "cancelCampaign", Summary: "Cancel: pending recipients become cancelled; in-flight texts still deliver",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Responses: one, Handle: a.cancel},
	}
}

func isAdmin(p *tenancy.Principal) bool { return p.Role.AtLeast(tenancy.Admin) }

func (a *API) listCampaigns(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Campaigns.List(c.Principal.OrgID, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createCampaign(c *httpapi.Call) error {
	v, err := a.d.Campaigns.Create(c.Principal.OrgID, c.Principal.UserID, isAdmin(c.Principal), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(201, v)
}

func (a *API) getCampaign(c *httpapi.Call) error {
	v, err := a.d.Campaigns.Get(c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) updateCampaign(c *httpapi.Call) error {
	v, err := a.d.Campaigns.Patch(c.Principal.OrgID, c.Param("id"), isAdmin(c.Principal), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) listRecipients(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Campaigns.Recipients(c.Principal.OrgID, c.Param("id"), c.Query("status"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) launch(c *httpapi.Call) error { return a.act(c, a.d.Campaigns.Launch) }
func (a *API) pause(c *httpapi.Call) error  { return a.act(c, a.d.Campaigns.Pause) }
func (a *API) cancel(c *httpapi.Call) error { return a.act(c, a.d.Campaigns.Cancel) }

func (a *API) act(c *httpapi.Call, do func(org, id string) (*campaigns.View, error)) error {
	v, err := do(c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}
