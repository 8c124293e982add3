package httpapi

func init() {
	// EventData is every key an event's data can carry; which ones depends on
	// the event's type (the same data webhooks deliver).
	componentSchemas["EventData"] = Schema{"type": "object", "description": "The event's data; its keys depend on the event type.",
		"properties": map[string]Schema{
			// conversation.* and sms.*
			"conversation": ref("ConversationRecord"), "message": ref("Message"), "contact": nullable(ref("Contact")),
			"reopened": boolean(), "blocked": boolean(), "closed_by": messageAuthor, "assignee": str(), "assigned_by": str(),
			"run_id": str(), "outcome": anyJSON("what the AI reported with report_outcome"),
			// sms.opt_out, sms.opt_in
			"e164": str(), "source": str(), "keyword": str(), "twilio_number_id": str(),
			// campaign.finished
			"campaign": ref("CampaignRecord"), "counts": ref("CampaignCounts"),
			// mcp.*
			"approval": ref("Approval"), "decision": str(), "subject_type": str(), "subject_id": str(), "conversation_id": str(),
			"integration_id": str(), "integration_name": str(), "tool": str(),
			"arguments": freeForm("the tool call's arguments, as the model gave them"), "auto_approved": boolean(), "ok": boolean(),
			"result": str(), "error": str(),
			// webhook.disabled
			"endpoint_id": str(), "url": str(), "reason": str(),
			// external.* (triggers)
			"trigger_id": str(), "payload": freeForm("the JSON object the trigger was fired with"),
			// call.*
			"call": ref("Call"), "call_id": str(), "flow_id": str(), "outcome_label": str(), "summary": nullable(ref("CallSummary")),
			"voicemail": ref("Voicemail"), "label": str(), "from_flow_id": str(), "to_flow_id": str(),
		}}
}
