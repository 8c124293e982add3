package sms

import (
	"encoding/json"
	"time"
)

// Number is a phone number the org owns at its provider (SPEC 1.5).
type Number struct {
	ID           string       `json:"id"`
	OrgID        string       `json:"org_id"`
	E164         string       `json:"e164"`
	FriendlyName string       `json:"friendly_name"`
	FlowID       *string      `json:"flow_id"`
	SMSFlowID    *string      `json:"sms_flow_id"`
	SMSEnabled   bool         `json:"sms_enabled"`
	MPS          float64      `json:"mps"`
	Capabilities Capabilities `json:"capabilities"`
	Provider     string       `json:"provider"` // twilio | sandbox | manual
	ProviderSID  string       `json:"provider_sid"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Capabilities of a number at its provider.
type Capabilities struct {
	Voice bool `json:"voice"`
	SMS   bool `json:"sms"`
	MMS   bool `json:"mms"`
}

// Contact is a person the org talks to, unique per (org, e164).
type Contact struct {
	ID        string   `json:"id"`
	OrgID     string   `json:"org_id"`
	E164      string   `json:"e164"`
	Name      string   `json:"name"`
	FirstName string   `json:"first_name"`
	LastName  string   `json:"last_name"`
	Email     string   `json:"email"`
	Notes     string   `json:"notes"`
	Tags      []string `json:"tags"`
	// Carrier, LineType, CallerName and CallerType come from the last
	// phone-number lookup (Twilio Lookup v2, SPEC 1.16); LookupAt is when it
	// answered, nil until then. A contact with LookupAt set is not looked up
	// again automatically.
	Carrier    string     `json:"carrier,omitempty"`
	LineType   string     `json:"line_type,omitempty"`
	CallerName string     `json:"caller_name,omitempty"`
	CallerType string     `json:"caller_type,omitempty"`
	LookupAt   *time.Time `json:"lookup_at"`
	// CRMContactID links the contact to the org's CRM (set by the connector).
	CRMContactID   string `json:"crm_contact_id,omitempty"`
	CRMConnectorID string `json:"crm_connector_id,omitempty"`
	// UserOverrides names identity fields a person edited; enrichment never
	// overwrites them (SPEC 2.14).
	UserOverrides []string `json:"user_overrides,omitempty"`
	// SourcePrecedence says which source set each identity field (name,
	// first_name, last_name, email): SourceUser, SourceCRM or SourceLookup.
	// Precedence is user > CRM > Lookup (SPEC 2.14).
	SourcePrecedence map[string]string `json:"source_precedence,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// Conversation statuses.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Conversation is one SMS thread, keyed by (number, contact E.164). Only the
// conversation actor for that pair writes it.
type Conversation struct {
	ID             string     `json:"id"`
	OrgID          string     `json:"org_id"`
	NumberID       string     `json:"twilio_number_id"`
	NumberE164     string     `json:"number_e164"`
	ContactE164    string     `json:"contact_e164"`
	ContactID      string     `json:"contact_id"`
	Status         string     `json:"status"`
	AssigneeUserID *string    `json:"assignee_user_id"`
	AIPaused       bool       `json:"ai_paused"`
	AIPausedReason string     `json:"ai_paused_reason,omitempty"` // why (AIPaused* constants); empty while the AI runs
	SnoozedUntil   *time.Time `json:"snoozed_until"`
	UnreadCount    int        `json:"unread_count"`
	FlowOverrideID *string    `json:"flow_override_id"`
	// FlowOverrideUntil ends the override (a campaign's lasts 14 days, SPEC
	// 2.9); nil: until changed.
	FlowOverrideUntil *time.Time `json:"flow_override_until"`
	LastMessageAt     *time.Time `json:"last_message_at"`
	LastPreview       string     `json:"last_message_preview"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	// MsgSeq numbers the thread's messages; keys use it so a thread scans in order.
	MsgSeq uint64 `json:"msg_seq"`
}

// Override answers the flow override in force at now, if any.
func (c *Conversation) Override(now time.Time) *string {
	if c.FlowOverrideID == nil || (c.FlowOverrideUntil != nil && !now.Before(*c.FlowOverrideUntil)) {
		return nil
	}
	return c.FlowOverrideID
}

// Author says who caused a message.
type Author struct {
	Type string `json:"type"` // contact | user | api | ai | system | campaign | schedule
	ID   string `json:"id,omitempty"`
}

// Message directions and statuses (SPEC 1.9).
const (
	Inbound  = "inbound"
	Outbound = "outbound"

	MsgReceived    = "received"
	MsgQueued      = "queued"
	MsgSending     = "sending"
	MsgSent        = "sent"
	MsgDelivered   = "delivered"
	MsgUndelivered = "undelivered"
	MsgFailed      = "failed"
	MsgOptedOut    = "opted_out"
	MsgBlocked     = "blocked"
	MsgScheduled   = "scheduled"
	// MsgHeld is an automated text (AI, campaign, trigger flow) not sent
	// because the contact's suspected opt-out waits for a person.
	MsgHeld = "held"
)

// Why a thread's AI was paused (Conversation.AIPausedReason).
const (
	AIPausedByUser          = "paused_by_user"
	AIPausedAssigned        = "assigned"
	AIPausedHumanTakeover   = "human_takeover"
	AIPausedHandoff         = "assign_to_human"
	AIPausedCapped          = "capped"
	AIPausedAutoResponder   = "auto_responder"
	AIPausedOptOutSuspected = "opt_out_suspected"
)

// statusRank orders outbound statuses so callbacks only move a message forward.
var statusRank = map[string]int{
	MsgQueued: 1, "accepted": 1, MsgSending: 2, MsgSent: 3, MsgDelivered: 4, MsgUndelivered: 4, MsgFailed: 4, "read": 5,
}

// Forward reports whether moving a message from cur to next is progress.
// Terminal statuses never change again; an unknown status never applies.
func Forward(cur, next string) bool {
	n, ok := statusRank[next]
	if !ok {
		return false
	}
	c := statusRank[cur]
	if c >= 4 && cur != "delivered" {
		return false
	}
	if cur == MsgDelivered {
		return next == "read"
	}
	return n > c
}

// Message is one text in a thread.
type Message struct {
	ID                 string          `json:"id"`
	OrgID              string          `json:"org_id"`
	ConversationID     string          `json:"conversation_id"`
	Seq                uint64          `json:"seq"`
	Direction          string          `json:"direction"`
	From               string          `json:"from"`
	To                 string          `json:"to"`
	Body               string          `json:"body"`
	Media              []Media         `json:"media"`
	Status             string          `json:"status"`
	Source             string          `json:"source,omitempty"`
	ProviderMessageID  string          `json:"provider_message_id,omitempty"`
	ErrorCode          int             `json:"error_code,omitempty"`
	ErrorMessage       string          `json:"error_message,omitempty"`
	Author             Author          `json:"author"`
	IsSystem           bool            `json:"is_system"`
	Keyword            string          `json:"keyword,omitempty"`
	Blocked            bool            `json:"blocked,omitempty"`
	OptOutSuspected    bool            `json:"opt_out_suspected,omitempty"` // read like "stop" in other words (OptOutSuspect)
	ScheduledMessageID string          `json:"scheduled_message_id,omitempty"`
	NumSegments        int             `json:"num_segments,omitempty"`
	CreatedAt          time.Time       `json:"created_at"`
	SentAt             *time.Time      `json:"sent_at"`
	DeliveredAt        *time.Time      `json:"delivered_at"`
	Extra              json.RawMessage `json:"extra,omitempty"`
}

// Media is one attachment.
type Media struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

// OptOut records that an E.164 asked not to be contacted (org-wide, D-6):
// no texts but system replies, and no outbound calls. humd keeps no separate
// do-not-call list; this one serves texts and calls alike.
type OptOut struct {
	OrgID     string    `json:"org_id"`
	E164      string    `json:"e164"`
	Source    string    `json:"source"` // keyword | api | ui | provider | call
	Keyword   string    `json:"keyword,omitempty"`
	NumberID  string    `json:"twilio_number_id,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Block is a blocklist entry.
type Block struct {
	OrgID     string    `json:"org_id"`
	E164      string    `json:"e164"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// Scheduled sends (SPEC 1.9, 2.7).
const (
	SourceManual     = "manual"
	SourceAIFollowup = "ai_followup"
	SourceQuietHours = "quiet_hours"
	SourceCampaign   = "campaign"

	SchedPending   = "pending"
	SchedSent      = "sent"
	SchedCancelled = "cancelled"
	SchedFailed    = "failed"
	SchedOptedOut  = "opted_out"
)

// Scheduled is a send waiting for its time.
type Scheduled struct {
	ID              string     `json:"id"`
	OrgID           string     `json:"org_id"`
	ConversationID  string     `json:"conversation_id"`
	NumberID        string     `json:"twilio_number_id"`
	ContactE164     string     `json:"contact_e164"`
	Body            string     `json:"body"`
	MediaURLs       []string   `json:"media_urls"`
	SendAt          time.Time  `json:"send_at"`
	Source          string     `json:"source"`
	Status          string     `json:"status"`
	Reason          string     `json:"reason,omitempty"`
	Author          Author     `json:"author"`
	HonorQuietHours bool       `json:"honor_quiet_hours"`
	MessageID       string     `json:"message_id,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	DoneAt          *time.Time `json:"done_at"`
}
