package httpapi

import (
	"github.com/humd/humd/storage/hours"
)

// Shapes that several schemas share. Package variables, so the inits that
// build component schemas can use them.
var (
	// businessHours is D-12's business_hours_json (storage/hours), kept as
	// given; null is always open.
	businessHours = nullable(obj([]string{"timezone"}, map[string]Schema{
		"timezone":            str(),
		"weekly":              nullable(obj(nil, weekdayWindows())),
		"closed_dates":        nullable(arr(Schema{"type": "string", "format": "date"})),
		"after_hours_message": nullable(strN(0, 1000)),
	}))

	// flowTransfer is one transfers_json entry: a person's number or another flow.
	flowTransfer = obj([]string{"label"}, map[string]Schema{"label": strN(1, 60), "e164": str(), "flow_id": str()})

	// toolsJSON is a flow's tools_json: builtin allow-lists the built-in
	// tools; other keys are kept as they were saved.
	toolsJSON = nullable(Schema{"type": "object", "additionalProperties": true,
		"properties": map[string]Schema{"builtin": arr(str())}})

	// smsConfig is sms_config_json with every default filled (SPEC 1.10).
	smsConfig = obj([]string{"max_reply_chars", "debounce_ms", "max_turns_per_window", "fallback_message", "max_messages_per_run",
		"max_pending_followups", "max_tool_calls_per_turn", "honor_quiet_hours", "reply_after_hours"}, smsConfigProps())

	// messageAuthor is who wrote a text or scheduled it.
	messageAuthor = obj([]string{"type"}, map[string]Schema{
		"type": Schema{"type": "string", "description": "contact, user, api, ai, flow, system, campaign or schedule"}, "id": str()})

	// toolParameters is the JSON Schema of a tool's arguments, as given.
	toolParameters = freeForm("JSON Schema of the tool's arguments")

	// httpHeaders are extra request headers by name.
	httpHeaders = mapOf(str())

	// JSON-RPC 2.0 as /mcp speaks it (the Model Context Protocol's
	// params and results are the protocol's own, so they stay free-form).
	jsonRPCID    = Schema{"type": []string{"string", "integer", "null"}}
	jsonRPCError = obj([]string{"code", "message"}, map[string]Schema{"code": integer(), "message": str(),
		"data": anyJSON("more about the error")})
	jsonRPCMessage = obj([]string{"jsonrpc"}, map[string]Schema{"jsonrpc": Schema{"const": "2.0"}, "id": jsonRPCID,
		"method": str(), "params": freeForm("the method's parameters (Model Context Protocol)"),
		"result": freeForm("the result (Model Context Protocol)"), "error": jsonRPCError})
	jsonRPCRequest = Schema{"description": "JSON-RPC 2.0 message(s) of the Model Context Protocol",
		"anyOf": []any{jsonRPCMessage, arr(jsonRPCMessage)}}
	jsonRPCAnswer = obj([]string{"jsonrpc"}, map[string]Schema{"jsonrpc": Schema{"const": "2.0"}, "id": jsonRPCID,
		"result": freeForm("the result (Model Context Protocol)"), "error": jsonRPCError})

	// sandboxSent is a text the sandbox carrier took; sandboxCall a call
	// it placed, with the TwiML a callee would run.
	sandboxSent = obj([]string{"sid", "message_id", "from", "to", "body", "media_urls", "at", "status"}, map[string]Schema{
		"sid": str(), "message_id": str(), "from": str(), "to": str(), "body": str(), "media_urls": nullable(arr(str())),
		"at": dateTime(), "status": str(), "error_code": integer()})
	sandboxCall = obj([]string{"call_id", "sid", "from", "to", "twiml", "status_callback", "at"}, map[string]Schema{
		"call_id": str(), "sid": str(), "from": str(), "to": str(), "twiml": str(), "status_callback": str(), "at": dateTime()})

	// messageMedia is one MMS attachment.
	messageMedia = obj([]string{"url"}, map[string]Schema{"url": str(), "content_type": str(), "size": integer()})
)

func weekdayWindows() map[string]Schema {
	pair := Schema{"type": "array", "items": str(), "minItems": 2, "maxItems": 2, "description": `["HH:MM","HH:MM"]`}
	out := map[string]Schema{}
	for _, d := range hours.Days {
		out[d] = arr(pair)
	}
	return out
}

func smsConfigProps() map[string]Schema {
	return map[string]Schema{"max_reply_chars": integer(), "debounce_ms": integer(), "max_turns_per_window": integer(),
		"fallback_message": nullable(str()), "max_messages_per_run": integer(), "max_pending_followups": integer(),
		"max_tool_calls_per_turn": integer(), "honor_quiet_hours": boolean(), "reply_after_hours": boolean(), "model": str()}
}
