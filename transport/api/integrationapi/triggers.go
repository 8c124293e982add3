package integrationapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// maxTriggerBody caps what an outside system may post to a trigger.
const maxTriggerBody = 256 << 10

// TriggerWithToken answers a create or a rotation: the trigger with the
// URL and token it is fired with, the one time they are shown.
type TriggerWithToken = integrationsvc.TriggerWithToken

// Fired answers a fire: the event it appended and what each event-trigger
// flow did with it.
type Fired = integrationsvc.Fired

// FlowRun is what firing a trigger did with one event-trigger flow.
type FlowRun = integrationsvc.FlowRun

// firePayload is the JSON object a trigger is fired with, kept as given.
type firePayload map[string]any

func (firePayload) JSONSchemaExtend(s httpapi.Schema) {
	s["description"] = "any JSON object: the event's payload"
}

func init() {
	httpapi.Component[triggers.Trigger]("Trigger", nil)
	httpapi.Extend[FlowRun](func(s httpapi.Schema) { httpapi.SetEnum(s, "action", "call_placed", "text_sent", "skipped") })
}

type (
	createTriggerRequest struct {
		Name      string  `json:"name" jsonschema:"minLength=1,maxLength=120"`
		EventName string  `json:"event_name"`
		FlowID    *string `json:"flow_id,omitempty" jsonschema:"nullable"`
	}
	patchTriggerRequest struct {
		Name      string  `json:"name,omitempty" jsonschema:"minLength=1,maxLength=120"`
		EventName string  `json:"event_name,omitempty"`
		FlowID    *string `json:"flow_id,omitempty" jsonschema:"nullable"`
	}
)

func (createTriggerRequest) JSONSchemaExtend(s httpapi.Schema) { eventName(s) }
func (patchTriggerRequest) JSONSchemaExtend(s httpapi.Schema)  { eventName(s) }

func eventName(s httpapi.Schema) {
	p := httpapi.Prop(s, "event_name")
	p["maxLength"], p["pattern"] = triggers.MaxEventName, triggers.EventNamePattern.String()
}

func (a *API) triggerRoutes() []*httpapi.Route {
	tr := httpapi.Answer[triggers.Trigger](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/triggers", OpID: "listTriggers", Summary: "Inbound triggers", Tag: "Triggers", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*triggers.Trigger]](200), Handle: a.listTriggers},
		{Method: "POST", Path: "/api/triggers", OpID: "createTrigger", Summary: "Add a trigger (url and token shown once)", Tag: "Triggers", Auth: httpapi.AdminUp,
			Request: httpapi.Type[createTriggerRequest](), Responses: httpapi.Answer[TriggerWithToken](201), Handle: a.createTrigger},
		{Method: "GET", Path: "/api/triggers/{id}", OpID: "getTrigger", Summary: "One trigger", Tag: "Triggers", Auth: httpapi.ViewerUp,
			Responses: tr, Handle: a.getTrigger},
		{Method: "PATCH", Path: "/api/triggers/{id}", OpID: "updateTrigger", Summary: "Edit a trigger (flow_id null detaches the flow)", Tag: "Triggers", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchTriggerRequest](), Responses: tr, Handle: a.updateTrigger},
		{Method: "DELETE", Path: "/api/triggers/{id}", OpID: "deleteTrigger", Summary: "Delete a trigger; its URL stops working", Tag: "Triggers", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteTrigger},
		{Method: "POST", Path: "/api/triggers/{id}/token/rotate", OpID: "rotateTriggerToken", Summary: "New url and token (shown once); the old one stops at once", Tag: "Triggers", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[TriggerWithToken](200), Handle: a.rotateTriggerToken},
		{Method: "POST", Path: "/api/triggers/in/{token}", OpID: "fireTrigger", Summary: "Fire a trigger: any JSON object (at most 256 KiB) becomes an event and runs the matching event-trigger flows", Tag: "Triggers",
			// The access log writes the path with the token redacted (logredact).
			Auth: httpapi.Public, MaxBody: maxTriggerBody, Fails: []int{429}, Request: httpapi.Type[firePayload](),
			Responses: httpapi.Answer[Fired](202), Handle: a.fireTrigger},
	}
}

func (a *API) listTriggers(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListTriggers(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createTrigger(c *httpapi.Call) error {
	var in triggers.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	t, err := a.d.Svc.CreateTrigger(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, t)
}

func (a *API) getTrigger(c *httpapi.Call) error {
	t, err := a.d.Svc.GetTrigger(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) updateTrigger(c *httpapi.Call) error {
	var in triggers.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	t, err := a.d.Svc.UpdateTrigger(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) deleteTrigger(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteTrigger(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) rotateTriggerToken(c *httpapi.Call) error {
	t, err := a.d.Svc.RotateTriggerToken(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

// fireTrigger is public: the token in the path authenticates it.
func (a *API) fireTrigger(c *httpapi.Call) error {
	p, err := decodeFire(c.Body())
	if err != nil {
		return err
	}
	fired, err := a.d.Svc.FireTrigger(c.Ctx, c.Param("token"), p)
	var rl *integrationsvc.RateLimitedError
	if errors.As(err, &rl) {
		c.Ctx.Response.Header.Set("Retry-After", strconv.Itoa(int(rl.Wait.Seconds())+1))
	}
	if err != nil {
		return err
	}
	return c.JSON(202, fired)
}

// decodeFire checks a fire's body: one JSON object within storage's JSON
// limits, since it is stored verbatim inside the event and must read back.
func decodeFire(body []byte) (json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if err := wire.CheckDepth(body); err != nil {
		return nil, err
	}
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return nil, storage.Invalid("body", "must be a JSON object")
	}
	return json.RawMessage(bytes.Clone(body)), nil
}
