package httpapi

import (
	"slices"

	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
)

func init() {
	status := enum(campaigns.Draft, campaigns.Queued, campaigns.Sending, campaigns.Paused, campaigns.Completed, campaigns.Cancelled, campaigns.Failed)
	countNames := []string{"total", "pending", "sending", "sent", "delivered", "failed", "opted_out", "skipped", "cancelled", "unknown"}
	countProps := map[string]Schema{}
	for _, n := range countNames {
		countProps[n] = integer()
	}
	required := []string{"id", "name", "twilio_number_id", "body_template", "flow_id", "throttle_per_minute",
		"scheduled_start_at", "honor_quiet_hours", "status", "warnings", "created_at"}
	props := map[string]Schema{
		"id": str(), "org_id": str(), "name": str(), "twilio_number_id": str(), "body_template": str(), "flow_id": nullable(str()),
		"throttle_per_minute": integer(), "scheduled_start_at": nullable(dateTime()), "honor_quiet_hours": boolean(),
		"status": status, "total": integer(), "warnings": arr(str()), "created_by": str(),
		"created_at": dateTime(), "updated_at": dateTime(), "launched_at": nullable(dateTime()), "started_at": nullable(dateTime()),
		"finished_at": nullable(dateTime()), "fail_reason": str(), "pause_reason": str()}
	// CampaignRecord is the campaign as stored (campaign.finished carries
	// it); Campaign is what the API answers, with its counts.
	componentSchemas["CampaignRecord"] = obj(required, props)
	componentSchemas["CampaignCounts"] = obj(countNames, countProps)
	withCounts := map[string]Schema{"counts": ref("CampaignCounts")}
	for k, v := range props {
		withCounts[k] = v
	}
	componentSchemas["Campaign"] = obj(append(slices.Clone(required), "counts"), withCounts)
	componentSchemas["CampaignRecipient"] = obj([]string{"seq", "contact_e164", "status"}, map[string]Schema{
		"seq": integer(), "contact_e164": str(), "first_name": str(), "name": str(), "body": str(),
		"vars": Schema{"type": "object", "additionalProperties": str()},
		"status": enum(campaigns.RPending, campaigns.RSending, campaigns.RSent, campaigns.RDelivered, campaigns.RFailed,
			campaigns.ROptedOut, campaigns.RSkipped, campaigns.RCancelled, campaigns.RUnknown),
		"message_id": str(), "conversation_id": str(), "msg_seq": integer(), "error": str(), "updated_at": dateTime()})
}

var (
	campaignRecipient = strict(obj([]string{"contact_e164"}, map[string]Schema{"contact_e164": str(), "body": strN(0, 1600),
		"vars": Schema{"type": "object", "additionalProperties": str()}, "first_name": strN(0, 100), "name": strN(0, 200)}))
	campaignCreate = strict(obj([]string{"name", "twilio_number_id", "body_template", "recipients"}, map[string]Schema{
		"name": strN(1, 200), "twilio_number_id": str(), "body_template": strN(1, 1600), "flow_id": nullable(str()),
		"throttle_per_minute": integer(), "scheduled_start_at": nullable(dateTime()), "honor_quiet_hours": boolean(),
		"recipients": arr(campaignRecipient), "confirm": boolean()}))
	campaignPatch = strict(obj(nil, map[string]Schema{"name": strN(1, 200), "body_template": strN(1, 1600), "flow_id": nullable(str()),
		"throttle_per_minute": integer(), "scheduled_start_at": nullable(dateTime()), "honor_quiet_hours": boolean(), "confirm": boolean()}))
)

func isAdmin(p *tenancy.Principal) bool { return p.Role.AtLeast(tenancy.Admin) }

func (s *Server) campaignRoutes() []*Route {
	camp := ref("Campaign")
	one := map[int]Schema{200: camp}
	action := func(verb, summary string, do func(org, id string) (*campaigns.View, error)) *Route {
		return &Route{Method: "POST", Path: "/api/sms/campaigns/{id}/" + verb, OpID: verb + "Campaign", Summary: summary,
			Tag: "Campaigns", Auth: OperatorUp, Schemas: one, Handle: func(c *Call) error {
				v, err := do(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, v)
			}}
	}
	return []*Route{
		{Method: "GET", Path: "/api/sms/campaigns", OpID: "listCampaigns", Summary: "Campaigns with status and progress counts", Tag: "Campaigns",
			Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(camp)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := s.deps.Campaigns.List(c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/sms/campaigns", OpID: "createCampaign", Summary: "Create a draft campaign (up to 50,000 recipients)",
			Tag: "Campaigns", Auth: OperatorUp, MaxBody: 16 << 20, RequestSchema: campaignCreate, Schemas: map[int]Schema{201: camp},
			Handle: func(c *Call) error {
				v, err := s.deps.Campaigns.Create(c.Principal.OrgID, c.Principal.UserID, isAdmin(c.Principal), c.Body())
				if err != nil {
					return err
				}
				return c.JSON(201, v)
			}},
		{Method: "GET", Path: "/api/sms/campaigns/{id}", OpID: "getCampaign", Summary: "One campaign with its counts", Tag: "Campaigns",
			Auth: ViewerUp, Schemas: one, Handle: func(c *Call) error {
				v, err := s.deps.Campaigns.Get(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, v)
			}},
		{Method: "PATCH", Path: "/api/sms/campaigns/{id}", OpID: "updateCampaign", Summary: "Edit a draft or paused campaign", Tag: "Campaigns",
			Auth: OperatorUp, RequestSchema: campaignPatch, Schemas: one, Handle: func(c *Call) error {
				v, err := s.deps.Campaigns.Patch(c.Principal.OrgID, c.Param("id"), isAdmin(c.Principal), c.Body())
				if err != nil {
					return err
				}
				return c.JSON(200, v)
			}},
		{Method: "GET", Path: "/api/sms/campaigns/{id}/recipients", OpID: "listCampaignRecipients", Summary: "Per-recipient status (?status= filters)",
			Tag: "Campaigns", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(ref("CampaignRecipient"))}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := s.deps.Campaigns.Recipients(c.Principal.OrgID, c.Param("id"), c.Query("status"), page)
				if err != nil {
					return err
				}
				if items == nil {
					items = []*campaigns.Recipient{}
				}
				return List(c, items, next)
			}},
		action("launch", "Launch a draft or paused campaign (409 otherwise)", s.deps.Campaigns.Launch),
		action("pause", "Pause a queued or sending campaign (409 otherwise)", s.deps.Campaigns.Pause),
		action("cancel", "Cancel: pending recipients become cancelled; in-flight texts still deliver", s.deps.Campaigns.Cancel),
	}
}
