package httpapi

import (
	"github.com/humd/humd/storage/flows"
)

func init() {
	componentSchemas["Flow"] = obj([]string{"id", "agent_id", "name", "kind", "channel", "trigger_type", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "agent_id": integer(), "name": str(), "kind": enum("inbound", "outbound"),
		"channel": enum("voice", "sms"), "trigger_type": enum("call", "message", "event"), "trigger_events": arr(str()),
		"greeting": str(), "system_prompt": str(), "voice_id": str(), "model": str(), "voicemail_enabled": boolean(),
		"announce_recording": boolean(), "business_hours_json": businessHours, "transfers_json": arr(flowTransfer), "tools_json": toolsJSON,
		"sms_config_json": nullable(smsConfig), "avatar_id": nullable(integer()), "avatar_name": str(), "avatar_url": str(),
		"created_at": dateTime(), "updated_at": dateTime()})
}

// flowBody documents the create/patch body; the decoder is stricter still
// (ranges of sms_config_json, business hours, transfer entries).
var flowBody = strict(obj(nil, map[string]Schema{
	"name": strN(1, 120), "kind": enum("inbound", "outbound"), "channel": enum("voice", "sms"),
	"trigger_type": enum("call", "message", "event"), "trigger_events": nullable(arr(str())), "greeting": nullable(strN(0, 1000)),
	"system_prompt": nullable(strN(0, 32000)), "voice_id": nullable(str()), "voice": nullable(str()), "model": nullable(str()),
	"voicemail_enabled": boolIn(), "announce_recording": boolIn(),
	"business_hours_json": businessHours, "transfers_json": nullable(arr(strict(flowTransfer))), "tools_json": toolsJSON,
	"sms_config_json": nullable(obj(nil, smsConfigProps())), "avatar_id": nullable(integer()), "avatar_name": nullable(str()), "avatar_url": nullable(str()),
}))

func (s *Server) flowRoutes() []*Route {
	flow := ref("Flow")
	return []*Route{
		{Method: "GET", Path: "/api/flows", OpID: "listFlows", Summary: "AI agents (flows)", Tag: "Flows", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(flow)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := s.deps.Flows.List(c.Principal.OrgID, flows.Filter{Channel: c.Query("channel"), Kind: c.Query("kind"),
					TriggerType: c.Query("trigger_type")}, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/flows", OpID: "createFlow", Summary: "Create a flow", Tag: "Flows", Auth: AdminUp,
			RequestSchema: flowBody, Schemas: map[int]Schema{201: flow}, Handle: func(c *Call) error {
				f, err := s.deps.Flows.Create(c.Principal.OrgID, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(201, f)
			}},
		{Method: "GET", Path: "/api/flows/{id}", OpID: "getFlow", Summary: "One flow", Tag: "Flows", Auth: ViewerUp,
			Schemas: map[int]Schema{200: flow}, Handle: func(c *Call) error {
				f, err := s.deps.Flows.Get(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, f)
			}},
		{Method: "PATCH", Path: "/api/flows/{id}", OpID: "updateFlow", Summary: "Edit a flow (null clears a field)", Tag: "Flows", Auth: AdminUp,
			RequestSchema: flowBody, Schemas: map[int]Schema{200: flow}, Handle: func(c *Call) error {
				f, err := s.deps.Flows.Patch(c.Principal.OrgID, c.Param("id"), c.Body())
				if err != nil {
					return err
				}
				return c.JSON(200, f)
			}},
		{Method: "DELETE", Path: "/api/flows/{id}", OpID: "deleteFlow", Summary: "Delete a flow nothing uses", Tag: "Flows", Auth: AdminUp,
			Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := s.deps.Flows.Delete(c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "POST", Path: "/api/flows/{id}/duplicate", OpID: "duplicateFlow", Summary: "Copy a flow to edit and test before assigning", Tag: "Flows", Auth: AdminUp,
			Schemas: map[int]Schema{201: flow}, Handle: func(c *Call) error {
				f, err := s.deps.Flows.Duplicate(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(201, f)
			}},
	}
}
