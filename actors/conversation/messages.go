package conversation

import (
	"time"

	"github.com/humd/humd/storage/sms"
)

// Inbound is a text from the contact, signature-checked and copied out of the
// webhook. Answered with *InboundResult once it is durably stored.
type Inbound struct {
	SID         string
	From        string
	To          string
	Body        string
	Media       []sms.Media
	NumSegments int
}

// InboundResult answers Inbound.
type InboundResult struct {
	Duplicate bool
	Message   *sms.Message
	Keyword   string
}

// Send is one outbound text through the single send pipeline (SPEC 2.3).
// Answered with *SendResult or an error (conversation_closed, not found).
type Send struct {
	Body            string
	MediaURLs       []string
	SendAt          *time.Time // in the future: scheduled with source manual
	HonorQuietHours bool
	Author          sms.Author
	Source          string // manual, quiet_hours, ai_followup, campaign, system
	// System replies (keyword confirmations, HELP) bypass closed, opt-out,
	// blocklist and quiet hours.
	System  bool
	PauseAI bool
}

// SendResult answers Send. Status is queued, scheduled, opted_out, blocked
// or held.
type SendResult struct {
	Status    string
	Message   *sms.Message
	Scheduled *sms.Scheduled
}

// Open creates the thread if needed (firing conversation.started), reopens a
// closed one, and sends InitialMessage if set. Answered with *Opened.
type Open struct {
	InitialMessage *Send
	// FlowOverrideID, when set, makes that flow answer the thread's replies
	// (a campaign with flow_id routes replies to its AI) for FlowOverrideFor
	// (0: until changed).
	FlowOverrideID  *string
	FlowOverrideFor time.Duration
}

// Opened answers Open.
type Opened struct {
	Conversation *sms.Conversation
	Created      bool
	Send         *SendResult
}

// Status is a provider status callback for one of this thread's texts.
// Answered with *StatusApplied.
type Status struct {
	SID       string
	Status    string
	ErrorCode int
	// Kept marks a status that beat the carrier's answer and was kept
	// (sid-early/) until the thread knew its SID; actors/sidstatus sets it
	// when it hands the status over, and the thread deletes the kept record
	// in the batch that applies it.
	Kept bool
}

// StatusApplied answers Status; Applied is false for stale or duplicate callbacks.
type StatusApplied struct{ Applied bool }

// Get answers the thread as *sms.Conversation (storage.ErrNotFound if none yet).
type Get struct{}

// Read sets unread_count to 0. Answered with *sms.Conversation.
type Read struct{}

// Close closes the thread. Answered with *sms.Conversation.
type Close struct{ By sms.Author }

// Reopen reopens the thread and clears its snooze. Answered with *sms.Conversation.
type Reopen struct{}

// Patch changes assignee, status, ai_paused or snoozed_until; nil fields stay.
// Answered with *sms.Conversation.
type Patch struct {
	SetAssignee  bool
	Assignee     *string
	Status       *string
	AIPaused     *bool
	SetSnooze    bool
	SnoozedUntil *time.Time
	By           sms.Author
}

// FireScheduled asks the thread to send a due scheduled text (from the scheduler).
type FireScheduled struct{ ID string }

// CancelScheduled cancels a pending scheduled text. Answered with *sms.Scheduled.
type CancelScheduled struct{ ID string }

// SnoozeDue wakes a snoozed thread (from the scheduler).
type SnoozeDue struct{}

// OptedOut says the contact opted out elsewhere (STOP on another of the
// org's numbers, or on a call): the thread cancels its pending scheduled
// texts.
type OptedOut struct{}

// retrySend re-enqueues a text after a retryable provider error.
type retrySend struct {
	messageID string
	seq       uint64
}
