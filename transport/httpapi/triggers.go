package httpapi

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/triggers"
)

// maxTriggerBody caps what an outside system may post to a trigger.
const maxTriggerBody = 256 << 10

func init() {
	componentSchemas["Trigger"] = obj([]string{"id", "name", "event_name", "flow_id", "token_prefix", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "name": str(), "event_name": str(), "flow_id": nullable(str()), "token_prefix": str(),
		"last_fired_at": nullable(dateTime()), "last_event_id": str(), "created_at": dateTime(), "updated_at": dateTime()})
}

// triggerWithToken answers a trigger with its URL and token, the one time
// they are shown.
func (s *Server) triggerWithToken(t *triggers.Trigger, token string) map[string]any {
	return map[string]any{"id": t.ID, "org_id": t.OrgID, "name": t.Name, "event_name": t.EventName, "flow_id": t.FlowID,
		"token_prefix": t.TokenPrefix, "last_fired_at": t.LastFiredAt, "created_at": t.CreatedAt, "updated_at": t.UpdatedAt,
		"url": s.deps.PublicURL + "/api/triggers/in/" + token, "token": token}
}

// eventFlowCheck vets a trigger's flow_id: a flow of the org whose
// trigger_type is event.
func (s *Server) eventFlowCheck(org string) triggers.FlowCheck {
	return func(id string) error {
		f, err := s.deps.Flows.Get(org, id)
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

func (s *Server) triggerRoutes() []*Route {
	tr := ref("Trigger")
	withToken := withProps("Trigger", []string{"url", "token"}, map[string]Schema{"url": str(), "token": str()})
	body := func(req ...string) Schema {
		return strict(obj(req, map[string]Schema{"name": strN(1, 120),
			"event_name": Schema{"type": "string", "maxLength": triggers.MaxEventName, "pattern": triggers.EventNamePattern.String()},
			"flow_id":    nullable(str())}))
	}
	return []*Route{
		{Method: "GET", Path: "/api/triggers", OpID: "listTriggers", Summary: "Inbound triggers", Tag: "Triggers", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(tr)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := triggers.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/triggers", OpID: "createTrigger", Summary: "Add a trigger (url and token shown once)", Tag: "Triggers", Auth: AdminUp,
			RequestSchema: body("name", "event_name"), Schemas: map[int]Schema{201: withToken}, Handle: func(c *Call) error {
				t, token, err := triggers.Create(s.deps.Store, c.Principal.OrgID, c.Body(), s.eventFlowCheck(c.Principal.OrgID), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, s.triggerWithToken(t, token))
			}},
		{Method: "GET", Path: "/api/triggers/{id}", OpID: "getTrigger", Summary: "One trigger", Tag: "Triggers", Auth: ViewerUp,
			Schemas: map[int]Schema{200: tr}, Handle: func(c *Call) error {
				t, err := triggers.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, t)
			}},
		{Method: "PATCH", Path: "/api/triggers/{id}", OpID: "updateTrigger", Summary: "Edit a trigger (flow_id null detaches the flow)", Tag: "Triggers", Auth: AdminUp,
			RequestSchema: body(), Schemas: map[int]Schema{200: tr}, Handle: func(c *Call) error {
				t, err := triggers.Patch(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.eventFlowCheck(c.Principal.OrgID), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, t)
			}},
		{Method: "DELETE", Path: "/api/triggers/{id}", OpID: "deleteTrigger", Summary: "Delete a trigger; its URL stops working", Tag: "Triggers", Auth: AdminUp,
			Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := triggers.Delete(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "POST", Path: "/api/triggers/{id}/token/rotate", OpID: "rotateTriggerToken", Summary: "New url and token (shown once); the old one stops at once", Tag: "Triggers", Auth: AdminUp,
			Schemas: map[int]Schema{200: withToken}, Handle: func(c *Call) error {
				t, token, err := triggers.RotateToken(s.deps.Store, c.Principal.OrgID, c.Param("id"), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, s.triggerWithToken(t, token))
			}},
		{Method: "POST", Path: "/api/triggers/in/{token}", OpID: "fireTrigger", Summary: "Fire a trigger: any JSON object (at most 256 KiB) becomes an event and runs the matching event-trigger flows", Tag: "Triggers",
			// The access log writes the path with the token redacted (logredact).
			Auth: Public, MaxBody: maxTriggerBody, RequestSchema: freeForm("any JSON object: the event's payload"),
			Schemas: map[int]Schema{202: obj([]string{"event_id", "runs"}, map[string]Schema{"event_id": str(), "runs": arr(obj([]string{"flow_id", "action"},
				map[string]Schema{"flow_id": str(), "action": enum("call_placed", "text_sent", "skipped"), "call_id": str(), "message_id": str(), "reason": str()}))})},
			Handle: func(c *Call) error {
				t, err := triggers.Resolve(s.deps.Store, c.Param("token"))
				if err != nil {
					return err
				}
				if ok, wait := s.triggerLimits.allow(t.ID, s.deps.Clock.Now()); !ok {
					c.Ctx.Response.Header.Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
					return fmt.Errorf("trigger fired too often (%d/s, bursts of %d): %w", triggerRate, triggerBurst, storage.ErrRateLimited)
				}
				payload, err := triggers.Payload(c.Body())
				if err != nil {
					return err
				}
				ev, err := triggers.Fire(s.deps.Store, t, payload, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(202, map[string]any{"event_id": ev.ID, "runs": s.runEventFlows(t, t.EventName, payload)})
			}},
	}
}
