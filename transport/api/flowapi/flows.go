package flowapi

import (
	"encoding/json"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the flow routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers decode the wire,
	// call its typed operations and encode the answer.
	Svc *service.Service
}

// API serves the flow routes.
type API struct{ d Deps }

// New builds the flows area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the flow routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.knowledgeRoutes()...)
	all = append(all, a.flowRoutes()...)
	all = append(all, a.integrationRoutes()...)
	all = append(all, a.toolRoutes()...)
	return all
}

func init() {
	httpapi.Component[flows.Flow]("Flow", func(s httpapi.Schema) {
		flowEnums(s)
		httpapi.SetProp(s, "business_hours_json", httpapi.BusinessHours())
		httpapi.SetProp(s, "tools_json", toolsJSON())
	})
	httpapi.Extend[flows.Transfer](func(s httpapi.Schema) {
		p := httpapi.Prop(s, "label")
		p["minLength"], p["maxLength"] = 1, 60
	})
}

func flowEnums(s httpapi.Schema) {
	httpapi.SetEnum(s, "kind", "inbound", "outbound")
	httpapi.SetEnum(s, "channel", "voice", "sms")
	httpapi.SetEnum(s, "trigger_type", "call", "message", "event")
}

// toolsJSON is a flow's tools_json: builtin allow-lists the built-in
// tools; other keys are kept as they were saved.
func toolsJSON() httpapi.Schema {
	return httpapi.Nullable(httpapi.Schema{"type": "object", "additionalProperties": true,
		"properties": map[string]httpapi.Schema{"builtin": httpapi.Arr(httpapi.Str())}})
}

// flowRequest is what flows.Repo decodes for a create or a patch; the
// decoder is stricter still (ranges of sms_config_json, business hours,
// transfer entries).
type flowRequest struct {
	Name              string            `json:"name,omitempty" jsonschema:"minLength=1,maxLength=120"`
	Kind              string            `json:"kind,omitempty"`
	Channel           string            `json:"channel,omitempty"`
	TriggerType       string            `json:"trigger_type,omitempty"`
	TriggerEvents     []string          `json:"trigger_events,omitempty" jsonschema:"nullable"`
	Greeting          *string           `json:"greeting,omitempty" jsonschema:"nullable,minLength=0,maxLength=1000"`
	SystemPrompt      *string           `json:"system_prompt,omitempty" jsonschema:"nullable,minLength=0,maxLength=32000"`
	VoiceID           *string           `json:"voice_id,omitempty" jsonschema:"nullable"`
	Voice             *string           `json:"voice,omitempty" jsonschema:"nullable"`
	Model             *string           `json:"model,omitempty" jsonschema:"nullable"`
	VoicemailEnabled  storage.Bool      `json:"voicemail_enabled,omitempty"`
	AnnounceRecording storage.Bool      `json:"announce_recording,omitempty"`
	BusinessHoursJSON json.RawMessage   `json:"business_hours_json,omitempty"`
	TransfersJSON     []transferRequest `json:"transfers_json,omitempty" jsonschema:"nullable"`
	ToolsJSON         json.RawMessage   `json:"tools_json,omitempty"`
	SMSConfigJSON     *smsConfigRequest `json:"sms_config_json,omitempty" jsonschema:"nullable"`
	AvatarID          *int64            `json:"avatar_id,omitempty" jsonschema:"nullable"`
	AvatarName        *string           `json:"avatar_name,omitempty" jsonschema:"nullable"`
	AvatarURL         *string           `json:"avatar_url,omitempty" jsonschema:"nullable"`
}

type transferRequest struct {
	Label  string `json:"label" jsonschema:"minLength=1,maxLength=60"`
	E164   string `json:"e164,omitempty"`
	FlowID string `json:"flow_id,omitempty"`
}

// smsConfigRequest is sms_config_json as given: any key left out takes
// its default (SPEC 1.10).
type smsConfigRequest struct {
	MaxReplyChars       int     `json:"max_reply_chars,omitempty"`
	DebounceMS          int     `json:"debounce_ms,omitempty"`
	MaxTurnsPerWindow   int     `json:"max_turns_per_window,omitempty"`
	FallbackMessage     *string `json:"fallback_message,omitempty" jsonschema:"nullable"`
	MaxMessagesPerRun   int     `json:"max_messages_per_run,omitempty"`
	MaxPendingFollowups int     `json:"max_pending_followups,omitempty"`
	MaxToolCallsPerTurn int     `json:"max_tool_calls_per_turn,omitempty"`
	HonorQuietHours     bool    `json:"honor_quiet_hours,omitempty"`
	ReplyAfterHours     bool    `json:"reply_after_hours,omitempty"`
	Model               string  `json:"model,omitempty"`
}

func (flowRequest) JSONSchemaExtend(s httpapi.Schema) {
	flowEnums(s)
	httpapi.SetProp(s, "business_hours_json", httpapi.BusinessHours())
	httpapi.SetProp(s, "tools_json", toolsJSON())
}

// The decoder range-checks sms_config_json key by key; the document leaves
// it open as it always was.
func (smsConfigRequest) JSONSchemaExtend(s httpapi.Schema) { delete(s, "additionalProperties") }

func (a *API) flowRoutes() []*httpapi.Route {
	flow := httpapi.Answer[flows.Flow](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/flows", OpID: "listFlows", Summary: "AI agents (flows)", Tag: "Flows", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*flows.Flow]](200), Handle: a.listFlows},
		{Method: "POST", Path: "/api/flows", OpID: "createFlow", Summary: "Create a flow", Tag: "Flows", Auth: httpapi.AdminUp,
			Request: httpapi.Type[flowRequest](), Responses: httpapi.Answer[flows.Flow](201), Handle: a.createFlow},
		{Method: "GET", Path: "/api/flows/{id}", OpID: "getFlow", Summary: "One flow", Tag: "Flows", Auth: httpapi.ViewerUp,
			Responses: flow, Handle: a.getFlow},
		{Method: "PATCH", Path: "/api/flows/{id}", OpID: "updateFlow", Summary: "Edit a flow (null clears a field)", Tag: "Flows", Auth: httpapi.AdminUp,
			Request: httpapi.Type[flowRequest](), Responses: flow, Handle: a.updateFlow},
		{Method: "DELETE", Path: "/api/flows/{id}", OpID: "deleteFlow", Summary: "Delete a flow nothing uses", Tag: "Flows", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteFlow},
		{Method: "POST", Path: "/api/flows/{id}/duplicate", OpID: "duplicateFlow", Summary: "Copy a flow to edit and test before assigning", Tag: "Flows", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[flows.Flow](201), Handle: a.duplicateFlow},
	}
}

func (a *API) listFlows(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListFlows(c.Ctx, c.Principal, flowsvc.ListFlowsQuery{Channel: c.Query("channel"), Kind: c.Query("kind"),
		TriggerType: c.Query("trigger_type"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createFlow(c *httpapi.Call) error {
	in, err := decodeFlow(c.Body())
	if err != nil {
		return err
	}
	f, err := a.d.Svc.CreateFlow(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, f)
}

func (a *API) getFlow(c *httpapi.Call) error {
	f, err := a.d.Svc.GetFlow(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, f)
}

func (a *API) updateFlow(c *httpapi.Call) error {
	in, err := decodeFlow(c.Body())
	if err != nil {
		return err
	}
	f, err := a.d.Svc.UpdateFlow(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, f)
}

func (a *API) deleteFlow(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteFlow(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) duplicateFlow(c *httpapi.Call) error {
	f, err := a.d.Svc.DuplicateFlow(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(201, f)
}
