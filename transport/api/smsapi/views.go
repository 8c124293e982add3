package smsapi

import (
	"time"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// ConversationView is a thread as the API answers it.
type ConversationView struct {
	*sms.Conversation
	FlowID  *string      `json:"flow_id"`
	Contact *sms.Contact `json:"contact"`
}

// OpenedConversationView answers POST /api/sms/conversations: the thread,
// and the first text's send result when the request had initial_message.
type OpenedConversationView struct {
	*ConversationView
	InitialMessage *SentMessage `json:"initial_message,omitempty"`
}

// SendResult is the answer to a send (SPEC 1.9).
type SendResult struct {
	Message SentMessage `json:"message"`
}

// SentMessage is the text a send stored, or the scheduled send it became
// (status scheduled, with the text as it will go out).
type SentMessage struct {
	*sms.Message
	Status             string     `json:"status"`
	ScheduledMessageID *string    `json:"scheduled_message_id"`
	ScheduledFor       *time.Time `json:"scheduled_for"`
}

// sendView is the answer to a send and its status: 201 sent (queued or
// held), 202 scheduled, 200 for a send the contact's state refused.
func sendView(res *conversation.SendResult, from string) (int, *SendResult) {
	out := &SentMessage{Message: res.Message, Status: res.Status}
	if m := res.Message; m != nil {
		out.Status = m.Status
		if m.ScheduledMessageID != "" {
			id := m.ScheduledMessageID
			out.ScheduledMessageID = &id
		}
	}
	if sc := res.Scheduled; sc != nil {
		out.Message = &sms.Message{ID: sc.ID, OrgID: sc.OrgID, ConversationID: sc.ConversationID, Direction: sms.Outbound,
			From: from, To: sc.ContactE164, Body: sc.Body, Media: mediaList(sc.MediaURLs), Status: sms.MsgScheduled,
			Source: sc.Source, Author: sc.Author, CreatedAt: sc.CreatedAt}
		out.Status = sms.MsgScheduled
		id, at := sc.ID, sc.SendAt
		out.ScheduledMessageID, out.ScheduledFor = &id, &at
	}
	status := 201
	switch res.Status {
	case sms.MsgScheduled:
		status = 202
	case sms.MsgOptedOut, sms.MsgBlocked:
		status = 200
	}
	return status, &SendResult{Message: *out}
}

func mediaList(urls []string) []sms.Media {
	out := make([]sms.Media, 0, len(urls))
	for _, u := range urls {
		out = append(out, sms.Media{URL: u})
	}
	return out
}

// LookupJob is a contact lookup backfill as the API shows it.
type LookupJob struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Total      int        `json:"total"`
	Done       int        `json:"done"`
	Failed     int        `json:"failed"`
	PerSecond  float64    `json:"per_second"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func jobView(j *sms.LookupJob) *LookupJob {
	return &LookupJob{ID: j.ID, Status: j.Status, Total: j.Total, Done: j.Done, Failed: j.Failed, PerSecond: j.PerSecond,
		Error: j.Error, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
}

// BackfillStarted answers POST /api/contacts/backfill-lookup.
type BackfillStarted struct {
	JobID  string `json:"job_id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
}

var jobStatus = []string{sms.JobRunning, sms.JobCompleted, sms.JobFailed}

func init() {
	httpapi.Component[sms.Conversation]("ConversationRecord", conversationSchema)
	httpapi.Component[ConversationView]("Conversation", conversationSchema)
	httpapi.Component[OpenedConversationView]("OpenedConversation", conversationSchema)
	httpapi.Component[sms.Message]("Message", messageSchema)
	httpapi.Component[SendResult]("SendResult", nil)
	httpapi.Extend[SentMessage](func(s httpapi.Schema) {
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
	httpapi.Component[LookupJob]("LookupJob", func(s httpapi.Schema) { httpapi.SetEnum(s, "status", jobStatus...) })
	httpapi.Extend[BackfillStarted](func(s httpapi.Schema) { httpapi.SetEnum(s, "status", jobStatus...) })
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
