package httpapi

import (
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage/sms"
)

// tokensSchema is storage.Tokens, the AI usage an SMS run and a call record
// keep.
func tokensSchema() Schema {
	return obj([]string{"input_tokens", "output_tokens"}, map[string]Schema{"input_tokens": integer(), "output_tokens": integer()})
}

func init() {
	componentSchemas["Conversation"] = obj([]string{"id", "twilio_number_id", "contact_e164", "status", "ai_paused", "unread_count", "created_at"}, conversationProps())
	componentSchemas["Message"] = obj([]string{"id", "conversation_id", "direction", "body", "status", "author", "created_at"}, messageProps())
	sent := messageProps()
	sent["status"] = enum("queued", "sent", "scheduled", "opted_out", "blocked", "held", "failed")
	sent["scheduled_message_id"], sent["scheduled_for"] = nullable(str()), nullable(dateTime())
	sentMessage := obj([]string{"status", "scheduled_message_id", "scheduled_for"}, sent)
	componentSchemas["SendResult"] = obj([]string{"message"}, map[string]Schema{"message": sentMessage})
	// POST /api/sms/conversations answers the thread, with the first text's
	// send result when it took initial_message.
	opened := conversationProps()
	opened["initial_message"] = sentMessage
	componentSchemas["OpenedConversation"] = obj([]string{"id", "twilio_number_id", "contact_e164", "status", "ai_paused", "unread_count", "created_at"}, opened)
	componentSchemas["Run"] = obj([]string{"id", "conversation_id", "status", "inbound_message_ids", "tool_calls", "outbound_message_ids", "started_at"},
		map[string]Schema{"id": str(), "org_id": str(), "conversation_id": str(), "seq": integer(), "flow_id": str(), "inbound_message_ids": arr(str()), "model": str(),
			"started_at": dateTime(), "ended_at": dateTime(), "status": enum("completed", "capped", "skipped", "failed", "fallback"),
			"tool_calls":           arr(obj([]string{"name", "args", "ms"}, map[string]Schema{"name": str(), "args": str(), "result_summary": str(), "error": str(), "ms": integer()})),
			"outbound_message_ids": arr(str()), "reply": str(), "error": str(), "usage": tokensSchema(),
			"outcome": anyJSON("what the AI reported with report_outcome")})
	componentSchemas["Scheduled"] = obj([]string{"id", "conversation_id", "send_at", "source", "status"},
		map[string]Schema{"id": str(), "org_id": str(), "conversation_id": str(), "twilio_number_id": str(), "contact_e164": str(), "body": str(),
			"media_urls": nullable(arr(str())), "send_at": dateTime(), "source": enum("manual", "ai_followup", "quiet_hours", "campaign"),
			"status": enum("pending", "sent", "cancelled", "failed", "opted_out"), "reason": str(), "message_id": str(),
			"author": messageAuthor, "honor_quiet_hours": boolean(), "created_at": dateTime(), "updated_at": dateTime(), "done_at": nullable(dateTime())})
}

// messageProps are sms.Message's keys.
func conversationProps() map[string]Schema {
	return map[string]Schema{"id": str(), "org_id": str(), "twilio_number_id": str(), "number_e164": str(), "contact_e164": str(),
		"contact_id": str(), "status": enum("open", "closed"), "assignee_user_id": nullable(str()), "ai_paused": boolean(), "ai_paused_reason": aiPausedReason,
		"snoozed_until": nullable(dateTime()), "unread_count": integer(), "flow_override_id": nullable(str()), "flow_override_until": nullable(dateTime()),
		"flow_id": nullable(str()), "contact": nullable(ref("Contact")), "last_message_at": nullable(dateTime()), "msg_seq": integer(),
		"last_message_preview": str(), "created_at": dateTime(), "updated_at": dateTime(), "closed_at": nullable(dateTime())}
}

func messageProps() map[string]Schema {
	return map[string]Schema{"id": str(), "org_id": str(), "conversation_id": str(), "seq": integer(),
		"direction": enum("inbound", "outbound"), "from": str(), "to": str(), "body": str(), "media": arr(messageMedia),
		"status": str(), "source": str(), "provider_message_id": str(), "error_code": integer(), "error_message": str(),
		"author": messageAuthor, "is_system": boolean(), "keyword": str(), "blocked": boolean(), "scheduled_message_id": str(),
		"num_segments": integer(), "created_at": dateTime(), "sent_at": nullable(dateTime()), "delivered_at": nullable(dateTime()),
		"extra": freeForm("carrier-specific details of the text"), "opt_out_suspected": optOutSuspected}
}

// The thread's AI pause and a text's suspected opt-out (SPEC 2.6, the FCC's
// 2025 revocation rule).
var (
	aiPausedReason = enum(sms.AIPausedByUser, sms.AIPausedAssigned, sms.AIPausedHumanTakeover, sms.AIPausedHandoff,
		sms.AIPausedCapped, sms.AIPausedAutoResponder, sms.AIPausedOptOutSuspected)
	optOutSuspected = Schema{"type": "boolean", "description": "an inbound text that reads like a request to stop " +
		"without being a keyword: the thread's AI is paused and automated texts to the contact are held (status held) " +
		"until a person opts the contact out or resumes the AI"}
)

var sendSchema = strict(obj(nil, map[string]Schema{"body": strN(0, 1600), "media_urls": arr(str()), "send_at": dateTime(),
	"honor_quiet_hours": boolean(), "pause_ai": boolean()}))

func (s *Server) smsRoutes() []*Route {
	conv := ref("Conversation")
	ok := func(sc Schema) map[int]Schema { return map[int]Schema{200: sc} }
	twiml := Schema{"type": "string", "x-content-type": "text/xml"}
	return []*Route{
		{Method: "GET", Path: "/api/sms/conversations", OpID: "listConversations", Summary: "Threads, newest activity first", Tag: "SMS", Auth: ViewerUp,
			Schemas: ok(listOf(conv)), Handle: s.listConversations},
		{Method: "POST", Path: "/api/sms/conversations", OpID: "createConversation", Summary: "Open (upsert) a thread, optionally sending a first text", Tag: "SMS", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"twilio_number_id", "contact_e164"}, map[string]Schema{"twilio_number_id": str(), "contact_e164": str(), "initial_message": sendSchema})),
			Schemas:       map[int]Schema{200: ref("OpenedConversation"), 201: ref("OpenedConversation")}, Handle: s.createConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}", OpID: "getConversation", Summary: "One thread", Tag: "SMS", Auth: ViewerUp,
			Schemas: ok(conv), Handle: func(c *Call) error {
				cv, err := s.conversation(c)
				if err != nil {
					return err
				}
				return c.JSON(200, s.viewConversation(cv))
			}},
		{Method: "PATCH", Path: "/api/sms/conversations/{id}", OpID: "updateConversation", Summary: "Assign, pause the AI, snooze, close or reopen", Tag: "SMS", Auth: OperatorUp,
			RequestSchema: strict(obj(nil, map[string]Schema{"assignee_user_id": nullable(str()), "status": enum("open", "closed"), "ai_paused": boolean(), "snoozed_until": nullable(dateTime())})),
			Schemas:       ok(conv), Handle: s.patchConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}/messages", OpID: "listMessages", Summary: "The thread's texts, newest first", Tag: "SMS", Auth: ViewerUp,
			Schemas: ok(listOf(ref("Message"))), Handle: s.listMessages},
		{Method: "POST", Path: "/api/sms/conversations/{id}/messages", OpID: "sendMessage", Summary: "Send now or schedule, through the one send pipeline", Tag: "SMS", Auth: OperatorUp,
			RequestSchema: sendSchema, Schemas: map[int]Schema{200: ref("SendResult"), 201: ref("SendResult"), 202: ref("SendResult")}, Handle: s.sendMessage},
		{Method: "POST", Path: "/api/sms/conversations/{id}/read", OpID: "markConversationRead", Summary: "Set unread_count to 0", Tag: "SMS", Auth: OperatorUp,
			Schemas: ok(conv), Handle: func(c *Call) error { return threadOp(s, c, &conversation.Read{}) }},
		{Method: "POST", Path: "/api/sms/conversations/{id}/close", OpID: "closeConversation", Summary: "Close the thread", Tag: "SMS", Auth: OperatorUp,
			Schemas: ok(conv), Handle: func(c *Call) error {
				return threadOp(s, c, &conversation.Close{By: sms.Author{Type: "api", ID: c.Principal.KeyID}})
			}},
		{Method: "POST", Path: "/api/sms/conversations/{id}/reopen", OpID: "reopenConversation", Summary: "Reopen the thread and clear its snooze", Tag: "SMS", Auth: OperatorUp,
			Schemas: ok(conv), Handle: func(c *Call) error { return threadOp(s, c, &conversation.Reopen{}) }},
		{Method: "GET", Path: "/api/sms/conversations/{id}/runs", OpID: "listConversationRuns", Summary: "AI run records of the thread, newest first", Tag: "SMS", Auth: ViewerUp,
			Schemas: ok(listOf(ref("Run"))), Handle: s.listRuns},
		{Method: "GET", Path: "/api/sms/scheduled", OpID: "listScheduled", Summary: "Scheduled sends (pending by default)", Tag: "SMS", Auth: ViewerUp,
			Schemas: ok(listOf(ref("Scheduled"))), Handle: s.listScheduled},
		{Method: "DELETE", Path: "/api/sms/scheduled/{id}", OpID: "cancelScheduled", Summary: "Cancel a pending scheduled send", Tag: "SMS", Auth: OperatorUp,
			Schemas: ok(ref("Scheduled")), Handle: s.cancelScheduled},
		{Method: "POST", Path: "/twilio/sms", OpID: "twilioInboundSms", Summary: "Twilio inbound SMS webhook (signed)", Tag: "Twilio", Auth: Public,
			Schemas: ok(twiml), Handle: s.twilioInbound},
		{Method: "POST", Path: "/twilio/sms/status", OpID: "twilioSmsStatus", Summary: "Twilio message status callback (signed)", Tag: "Twilio", Auth: Public,
			Schemas: ok(twiml), Handle: s.twilioStatus},
		{Method: "POST", Path: "/api/sandbox/inbound", OpID: "sandboxInbound", Summary: "Inject an inbound text (sandbox mode)", Tag: "Sandbox", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"from", "to", "body"}, map[string]Schema{"from": str(), "to": str(), "body": strN(0, 1600)})),
			Schemas:       map[int]Schema{201: obj([]string{"message"}, map[string]Schema{"message": ref("Message"), "keyword": str()})}, Handle: s.sandboxInbound},
	}
}
