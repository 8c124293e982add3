package campaigns

import (
	"time"
)

// Campaign states (SPEC 2.9).
const (
	Draft     = "draft"
	Queued    = "queued"
	Sending   = "sending"
	Paused    = "paused"
	Completed = "completed"
	Cancelled = "cancelled"
	Failed    = "failed"
)

// Recipient states. Sending is committed before the send pipeline is asked,
// so a crash in between leaves Sending, which the next start turns into
// Unknown (never resent). Sent means the pipeline stored and queued the text;
// readers show the message's own delivered/failed status on top of it.
const (
	RPending   = "pending"
	RSending   = "sending"
	RSent      = "sent"
	RDelivered = "delivered"
	RFailed    = "failed"
	ROptedOut  = "opted_out"
	RSkipped   = "skipped"
	RCancelled = "cancelled"
	RUnknown   = "unknown"
)

// Limits of the create body.
const (
	MaxRecipients   = 50000
	DefaultThrottle = 30
	MaxThrottle     = 600
)

// Active reports whether a campaign is one the dispatcher runs.
func Active(status string) bool { return status == Queued || status == Sending }

// Terminal reports whether no transition leaves status.
func Terminal(status string) bool {
	return status == Completed || status == Cancelled || status == Failed
}

// Campaign is one bulk send. Only the campaign's actor writes it after create.
type Campaign struct {
	ID                string     `json:"id"`
	OrgID             string     `json:"org_id"`
	Name              string     `json:"name"`
	NumberID          string     `json:"twilio_number_id"`
	BodyTemplate      string     `json:"body_template"`
	FlowID            *string    `json:"flow_id"`
	ThrottlePerMinute int        `json:"throttle_per_minute"`
	ScheduledStartAt  *time.Time `json:"scheduled_start_at"`
	HonorQuietHours   bool       `json:"honor_quiet_hours"`
	Status            string     `json:"status"`
	Total             int        `json:"total"`
	Warnings          []string   `json:"warnings"`
	CreatedBy         string     `json:"created_by,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	LaunchedAt        *time.Time `json:"launched_at"`
	StartedAt         *time.Time `json:"started_at"`
	FinishedAt        *time.Time `json:"finished_at"`
	FailReason        string     `json:"fail_reason,omitempty"`
	// PauseReason says why humd paused the campaign by itself.
	PauseReason string `json:"pause_reason,omitempty"`
}

// Recipient is one row of a campaign.
type Recipient struct {
	Seq       uint64            `json:"seq"`
	E164      string            `json:"contact_e164"`
	FirstName string            `json:"first_name,omitempty"`
	Name      string            `json:"name,omitempty"`
	Body      string            `json:"body,omitempty"`
	Vars      map[string]string `json:"vars,omitempty"`
	Status    string            `json:"status"`
	MessageID string            `json:"message_id,omitempty"`
	ConvID    string            `json:"conversation_id,omitempty"`
	MsgSeq    uint64            `json:"msg_seq,omitempty"`
	Error     string            `json:"error,omitempty"`
	UpdatedAt *time.Time        `json:"updated_at,omitempty"`
}

// Counts is a campaign's progress; every recipient is in exactly one bucket.
type Counts struct {
	Total     int `json:"total"`
	Pending   int `json:"pending"`
	Sending   int `json:"sending"`
	Sent      int `json:"sent"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	OptedOut  int `json:"opted_out"`
	Skipped   int `json:"skipped"`
	Cancelled int `json:"cancelled"`
	Unknown   int `json:"unknown"`
}

func (c *Counts) add(status string) {
	c.Total++
	switch status {
	case RPending:
		c.Pending++
	case RSending:
		c.Sending++
	case RSent:
		c.Sent++
	case RDelivered:
		c.Delivered++
	case RFailed:
		c.Failed++
	case ROptedOut:
		c.OptedOut++
	case RSkipped:
		c.Skipped++
	case RCancelled:
		c.Cancelled++
	default:
		c.Unknown++
	}
}

// View is a campaign as the API answers it.
type View struct {
	*Campaign
	Counts Counts `json:"counts"`
}
