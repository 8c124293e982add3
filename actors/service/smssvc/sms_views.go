package smssvc

import (
	"time"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage/sms"
)

// The SMS area's answers: what a thread, a send and a lookup job look like
// to every front end. transport/api/smsapi encodes them as they are and
// names their OpenAPI components.

// ConversationView is a thread with the flow that answers it now and its
// contact.
type ConversationView struct {
	*sms.Conversation
	FlowID  *string      `json:"flow_id"`
	Contact *sms.Contact `json:"contact"`
}

// OpenedConversationView answers createConversation: the thread, and the
// first text's send result when the request had initial_message.
type OpenedConversationView struct {
	*ConversationView
	InitialMessage *SentMessage `json:"initial_message,omitempty"`
	// Created is whether the thread is new (HTTP 201, else 200).
	Created bool `json:"-"`
}

// SendResult is the answer to a send (SPEC 1.9).
type SendResult struct {
	Message SentMessage `json:"message"`
	// Outcome is the send pipeline's status (queued, scheduled, opted_out,
	// blocked or held), for the edge's status code.
	Outcome string `json:"-"`
}

// SentMessage is the text a send stored, or the scheduled send it became
// (status scheduled, with the text as it will go out).
type SentMessage struct {
	*sms.Message
	Status             string     `json:"status"`
	ScheduledMessageID *string    `json:"scheduled_message_id"`
	ScheduledFor       *time.Time `json:"scheduled_for"`
}

// sendView is the answer to a send: sent (queued or held), scheduled, or
// refused by the contact's state (opted out, blocked).
func sendView(res *conversation.SendResult, from string) *SendResult {
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
	return &SendResult{Message: *out, Outcome: res.Status}
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

// BackfillStarted answers backfillContactLookup.
type BackfillStarted struct {
	JobID  string `json:"job_id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
}
