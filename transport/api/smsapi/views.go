package smsapi

import (
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

var jobStatus = []string{sms.JobRunning, sms.JobCompleted, sms.JobFailed}

func init() {
	httpapi.Component[sms.Conversation]("ConversationRecord", conversationSchema)
	httpapi.Component[smssvc.ConversationView]("Conversation", conversationSchema)
	httpapi.Component[smssvc.OpenedConversationView]("OpenedConversation", conversationSchema)
	httpapi.Component[sms.Message]("Message", messageSchema)
	httpapi.Component[smssvc.SendResult]("SendResult", nil)
	httpapi.Extend[smssvc.SentMessage](func(s httpapi.Schema) {
		messageSchema(s)
		httpapi.SetEnum(s, "status", "queued", "sent", "scheduled", "opted_out", "blocked", "held", "failed")
	})
	httpapi.Component[sms.Run]("Run", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "status", "completed", "capped", "skipped", "failed", "fallback")
		httpapi.SetProp(s, "outcome", httpapi.AnyJSON("what the AI reported with report_outcome"))
	})
	httpapi.Component[sms.Scheduled]("Scheduled", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "source", "manual", "ai_followup", "quiet_hours", "campaign")
		httpapi.SetEnum(s, "status", "pending", "sent", "cancelled", "failed", "opted_out")
		httpapi.SetProp(s, "media_urls", httpapi.Nullable(httpapi.Arr(httpapi.Str())))
	})
	httpapi.Component[sms.Number]("Number", nil)
	httpapi.Component[sms.Contact]("Contact", func(s httpapi.Schema) {
		httpapi.SetProp(s, "source_precedence", httpapi.MapOf(httpapi.Enum(sms.SourceUser, sms.SourceCRM, sms.SourceLookup)))
	})
	httpapi.Component[sms.Block]("Block", nil)
	httpapi.Component[sms.OptOut]("OptOut", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "source", "keyword", "api", "ui", "provider", "call")
	})
	httpapi.Component[smssvc.LookupJob]("LookupJob", func(s httpapi.Schema) { httpapi.SetEnum(s, "status", jobStatus...) })
	httpapi.Extend[smssvc.BackfillStarted](func(s httpapi.Schema) { httpapi.SetEnum(s, "status", jobStatus...) })
	httpapi.Extend[sms.Author](func(s httpapi.Schema) {
		httpapi.Describe(s, "type", "contact, user, api, ai, flow, system, campaign or schedule")
	})
}

// conversationSchema adds a thread's enums: its status and why its AI is
// paused (SPEC 2.6).
func conversationSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "status", "open", "closed")
	httpapi.SetEnum(s, "ai_paused_reason", sms.AIPausedByUser, sms.AIPausedAssigned, sms.AIPausedHumanTakeover, sms.AIPausedHandoff,
		sms.AIPausedCapped, sms.AIPausedAutoResponder, sms.AIPausedOptOutSuspected)
}

// messageSchema adds a text's direction, its carrier details and a
// suspected opt-out (the FCC's 2025 revocation rule).
func messageSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "direction", "inbound", "outbound")
	httpapi.SetProp(s, "extra", httpapi.FreeForm("carrier-specific details of the text"))
	httpapi.Describe(s, "opt_out_suspected", "an inbound text that reads like a request to stop "+
		"without being a keyword: the thread's AI is paused and automated texts to the contact are held (status held) "+
		"until a person opts the contact out or resumes the AI")
}
