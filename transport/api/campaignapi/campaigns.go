package campaignapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/service/campaignsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// Deps are what the campaign routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
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

// Request bodies as documented; the handlers decode them into
// campaigns.CreateIn and campaigns.PatchIn.
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
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Idempotent: true, Fails: []int{402}, Responses: one, Handle: a.launch},
		{Method: "POST", Path: "/api/sms/campaigns/{id}/pause", OpID: "pauseCampaign", Summary: "Pause a queued or sending campaign (409 otherwise)",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Responses: one, Handle: a.pause},
		{Method: "POST", Path: "/api/sms/campaigns/{id}/cancel", OpID: "cancelCampaign", Summary: "Cancel: pending recipients become cancelled; in-flight texts still deliver",
			Tag: "Campaigns", Auth: httpapi.OperatorUp, Responses: one, Handle: a.cancel},
	}
}

func (a *API) listCampaigns(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListCampaigns(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createCampaign(c *httpapi.Call) error {
	var in campaigns.CreateIn
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	v, err := a.d.Svc.CreateCampaign(c.Ctx, c.Principal, &in)
	if err != nil {
		return err
	}
	return c.JSON(201, v)
}

func (a *API) getCampaign(c *httpapi.Call) error {
	v, err := a.d.Svc.GetCampaign(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) updateCampaign(c *httpapi.Call) error {
	in, err := decodePatch(c.Body())
	if err != nil {
		return err
	}
	v, err := a.d.Svc.UpdateCampaign(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

// patchWire is the PATCH body as sent; the two nullable fields are read by
// hand so that a value of the wrong type is named by its own field.
type patchWire struct {
	Name              *string         `json:"name"`
	BodyTemplate      *string         `json:"body_template"`
	ThrottlePerMinute *int            `json:"throttle_per_minute"`
	ScheduledStartAt  json.RawMessage `json:"scheduled_start_at"`
	FlowID            json.RawMessage `json:"flow_id"`
	HonorQuietHours   *bool           `json:"honor_quiet_hours"`
	Confirm           bool            `json:"confirm"`
}

func decodePatch(body []byte) (*campaigns.PatchIn, error) {
	var w patchWire
	if err := wire.DecodeStrict(body, &w); err != nil {
		return nil, err
	}
	in := &campaigns.PatchIn{Name: w.Name, BodyTemplate: w.BodyTemplate, ThrottlePerMinute: w.ThrottlePerMinute,
		HonorQuietHours: w.HonorQuietHours, Confirm: w.Confirm}
	problem := func(field, msg string) {
		if in.Problems == nil {
			in.Problems = map[string]string{}
		}
		in.Problems[field] = msg
	}
	if err := optJSON(w.ScheduledStartAt, &in.ScheduledStartAt); err != nil {
		problem("scheduled_start_at", "must be an RFC 3339 time or null")
	}
	if err := optJSON(w.FlowID, &in.FlowID); err != nil {
		problem("flow_id", "must be a flow id or null")
	}
	return in, nil
}

// optJSON fills o from a present raw value (absent leaves it unset).
func optJSON[T any](raw json.RawMessage, o *storage.Opt[T]) error {
	if len(raw) == 0 {
		return nil
	}
	var v storage.Opt[T]
	if err := v.UnmarshalJSON(raw); err != nil {
		return err
	}
	*o = v
	return nil
}

func (a *API) listRecipients(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListCampaignRecipients(c.Ctx, c.Principal, c.Param("id"), campaignsvc.ListCampaignRecipientsQuery{Status: c.Query("status"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) launch(c *httpapi.Call) error { return a.act(c, a.d.Svc.LaunchCampaign) }
func (a *API) pause(c *httpapi.Call) error  { return a.act(c, a.d.Svc.PauseCampaign) }
func (a *API) cancel(c *httpapi.Call) error { return a.act(c, a.d.Svc.CancelCampaign) }

func (a *API) act(c *httpapi.Call, do func(ctx context.Context, p *tenancy.Principal, id string) (*campaigns.View, error)) error {
	v, err := do(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}
