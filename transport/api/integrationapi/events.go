package integrationapi

import (
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/transport/httpapi"
)

func init() {
	httpapi.Component[events.Event]("Event", func(s httpapi.Schema) { httpapi.SetProp(s, "data", httpapi.Ref("EventData")) })
	httpapi.SchemaComponent("EventData", eventData())
}

// eventData is every key an event's data can carry; which ones depends on
// the event's type (the same data webhooks deliver). The actors write it as
// they go, so it is described here rather than reflected from one type.
func eventData() httpapi.Schema {
	str, boolean, ref := httpapi.Str, httpapi.Boolean, httpapi.Ref
	// author is sms.Author: who closed a thread.
	author := httpapi.Obj([]string{"type"}, map[string]httpapi.Schema{
		"type": {"type": "string", "description": "contact, user, api, ai, flow, system, campaign or schedule"}, "id": str()})
	return httpapi.Schema{"type": "object", "description": "The event's data; its keys depend on the event type.",
		"properties": map[string]httpapi.Schema{
			// conversation.* and sms.*: a message event names its thread by id
			// (conversation_id, contact_id, twilio_number_id, contact_e164) and
			// carries the message; older events also embed contact.
			"conversation": ref("ConversationRecord"), "message": ref("Message"), "contact": httpapi.Nullable(ref("Contact")),
			"contact_id": str(), "contact_e164": str(), "message_id": str(),
			"reopened": boolean(), "blocked": boolean(), "closed_by": author, "assignee": str(), "assigned_by": str(),
			"run_id": str(), "outcome": httpapi.AnyJSON("what the AI reported with report_outcome"),
			// sms.opt_out, sms.opt_in
			"e164": str(), "source": str(), "keyword": str(), "twilio_number_id": str(),
			// campaign.finished
			"campaign": ref("CampaignRecord"), "counts": ref("CampaignCounts"),
			// mcp.*
			"approval": ref("Approval"), "decision": str(), "subject_type": str(), "subject_id": str(), "conversation_id": str(),
			"integration_id": str(), "integration_name": str(), "tool": str(),
			"arguments": httpapi.FreeForm("the tool call's arguments, as the model gave them"), "auto_approved": boolean(), "ok": boolean(),
			"result": str(), "error": str(),
			// webhook.disabled
			"endpoint_id": str(), "url": str(), "reason": str(),
			// external.* (triggers)
			"trigger_id": str(), "payload": httpapi.FreeForm("the JSON object the trigger was fired with"),
			// call.*
			"call": ref("Call"), "call_id": str(), "flow_id": str(), "outcome_label": str(), "summary": httpapi.Nullable(ref("CallSummary")),
			"voicemail": ref("Voicemail"), "label": str(), "from_flow_id": str(), "to_flow_id": str(),
		}}
}
