package integrationapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/transport/httpapi"
)

// maxTriggerBody caps what an outside system may post to a trigger.
const maxTriggerBody = 256 << 10

// TriggerWithToken answers a create or a rotation: the trigger with the
// URL and token it is fired with, the one time they are shown.
type TriggerWithToken struct {
	*triggers.Trigger
	URL   string `json:"url"`
	Token string `json:"token"`
}

// Fired answers a fire: the event it appended and what each event-trigger
// flow did with it.
type Fired struct {
	EventID string    `json:"event_id"`
	Runs    []FlowRun `json:"runs"`
}

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

func (a *API) withToken(t *triggers.Trigger, token string) *TriggerWithToken {
	return &TriggerWithToken{Trigger: t, URL: a.d.PublicURL + "/api/triggers/in/" + token, Token: token}
}

// eventFlowCheck vets a trigger's flow_id: a flow of the org whose
// trigger_type is event.
func (a *API) eventFlowCheck(org string) triggers.FlowCheck {
	return func(id string) error {
		f, err := a.d.Flows.Get(org, id)
		if errors.Is(err, storage.ErrNotFound) {
			return storage.Invalid("flow_id", "no such flow")
		}
		if err != nil {
			return err
		}
		if f.TriggerType != "event" {
			return storage.Invalid("flow_id", "must be an event-trigger flow (trigger_type event)")
		}
		return nil
	}
}

func (a *API) now() time.Time { return a.d.Clock.Now() }

func (a *API) listTriggers(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := triggers.List(a.d.Store, c.Principal.OrgID, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createTrigger(c *httpapi.Call) error {
	t, token, err := triggers.Create(a.d.Store, c.Principal.OrgID, c.Body(), a.eventFlowCheck(c.Principal.OrgID), a.now())
	if err != nil {
		return err
	}
	return c.JSON(201, a.withToken(t, token))
}

func (a *API) getTrigger(c *httpapi.Call) error {
	t, err := triggers.Get(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) updateTrigger(c *httpapi.Call) error {
	t, err := triggers.Patch(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Body(), a.eventFlowCheck(c.Principal.OrgID), a.now())
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) deleteTrigger(c *httpapi.Call) error {
	if err := triggers.Delete(a.d.Store, c.Principal.OrgID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) rotateTriggerToken(c *httpapi.Call) error {
	t, token, err := triggers.RotateToken(a.d.Store, c.Principal.OrgID, c.Param("id"), a.now())
	if err != nil {
		return err
	}
	return c.JSON(200, a.withToken(t, token))
}

func (a *API) fireTrigger(c *httpapi.Call) error {
	t, err := triggers.Resolve(a.d.Store, c.Param("token"))
	if err != nil {
		return err
	}
	if err := a.fires.Check(c, t.ID, a.now(), fmt.Sprintf("trigger fired too often (%d/s, bursts of %d)", fireRate, fireBurst)); err != nil {
		return err
	}
	p, err := triggers.Payload(c.Body())
	if err != nil {
		return err
	}
	ev, err := triggers.Fire(a.d.Store, t, p, a.now())
	if err != nil {
		return err
	}
	return c.JSON(202, &Fired{EventID: ev.ID, Runs: a.runEventFlows(t, t.EventName, p)})
}
