package calls

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/storage"
)

// Call statuses (SPEC 1.6).
const (
	StatusQueued     = "queued"
	StatusRinging    = "ringing"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusBusy       = "busy"
	StatusNoAnswer   = "no_answer"
	StatusFailed     = "failed"
	StatusCanceled   = "canceled"
	StatusVoicemail  = "voicemail"
)

// Event types of voice (SPEC 1.13).
const (
	EvCallStarted     = "call.started"
	EvCallCompleted   = "call.completed"
	EvCallOutcome     = "call.outcome"
	EvCallFlowSwitch  = "call.flow_switched"
	EvCallTransferred = "call.transferred"
	EvVoicemail       = "voicemail.received"
)

// Call is one voice call. ID is humd's (call_...); CallSID is Twilio's.
type Call struct {
	ID        string `json:"id"`
	OrgID     string `json:"org_id"`
	CallSID   string `json:"call_sid"`
	NumberID  string `json:"number_id"`
	FlowID    string `json:"flow_id,omitempty"`
	Direction string `json:"direction"` // inbound | outbound
	From      string `json:"from"`
	To        string `json:"to"`
	Status    string `json:"status"`
	// Route is what /twilio/voice decided: connect (AI agent), voicemail
	// (after hours), rejected (blocked caller) or closed (after hours, no
	// voicemail).
	Route       string          `json:"route,omitempty"`
	ContactID   string          `json:"contact_id,omitempty"`
	ContactName string          `json:"contact_name,omitempty"`
	TaskContext json.RawMessage `json:"task_context,omitempty"`
	// CallerContext is the "# Caller Context" block the pre-call hooks built.
	CallerContext string     `json:"caller_context,omitempty"`
	StartedAt     time.Time  `json:"started_at"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	EndedAt       *time.Time `json:"ended_at,omitempty"`
	DurationS     int        `json:"duration_s"`
	RecordingURL  string     `json:"recording_url,omitempty"`
	Summary       *Summary   `json:"summary,omitempty"`
	// Outcome is free-form JSON from the post-call model, with a label.
	Outcome      json.RawMessage `json:"outcome,omitempty"`
	OutcomeLabel string          `json:"outcome_label,omitempty"`
	Tags         []string        `json:"tags"`
	// EndReason: caller_hangup, agent_end, transfer, error, status.
	EndReason string    `json:"end_reason,omitempty"`
	Transfer  *Transfer `json:"transfer,omitempty"`
	// FlowPath lists the flows that handled the call, in order (agent-to-agent
	// switches append).
	FlowPath  []string `json:"flow_path,omitempty"`
	TurnCount int      `json:"turn_count"`
	ToolCount int      `json:"tool_count"`
	// TextsSent counts the agent's texts to the caller during the call.
	TextsSent int `json:"texts_sent,omitempty"`
	// AIUsage sums the tokens of the call's model turns, cut-off ones whose
	// answer still came, and of its post-call summary.
	AIUsage   storage.Tokens `json:"ai_usage"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Summary is the post-call summary (SPEC 2.13 step 5).
type Summary struct {
	Text        string   `json:"text"`
	KeyPoints   []string `json:"key_points"`
	NextActions []string `json:"next_actions"`
}

// Transfer records a hand-off to a phone number.
type Transfer struct {
	Label string    `json:"label"`
	E164  string    `json:"e164"`
	At    time.Time `json:"at"`
}

// Turn is one line of the transcript. Role is caller, agent or system (DTMF,
// flow switches). An interrupted agent turn keeps what was generated in Text
// and what the caller actually heard in Heard.
type Turn struct {
	Seq         uint64    `json:"seq"`
	Role        string    `json:"role"`
	Text        string    `json:"text"`
	Interrupted bool      `json:"interrupted,omitempty"`
	Heard       string    `json:"heard,omitempty"`
	FlowID      string    `json:"flow_id,omitempty"`
	At          time.Time `json:"at"`
}

// ToolActivity is one tool call made during the call.
type ToolActivity struct {
	Seq    uint64    `json:"seq"`
	Name   string    `json:"name"`
	Args   string    `json:"args"`
	Result string    `json:"result_summary"`
	Error  string    `json:"error,omitempty"`
	Millis int64     `json:"ms"`
	At     time.Time `json:"at"`
}

// Note is a person's note on a call (SPEC 1.8).
type Note struct {
	ID           string    `json:"id"`
	CallID       string    `json:"call_id"`
	AuthorUserID string    `json:"author_user_id"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Voicemail is a recorded message left after hours or when nobody answered.
type Voicemail struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	CallID       string    `json:"call_id"`
	From         string    `json:"from"`
	FlowID       string    `json:"flow_id,omitempty"`
	RecordingURL string    `json:"recording_url"`
	Transcript   string    `json:"transcript"`
	DurationS    int       `json:"duration_s"`
	Heard        bool      `json:"heard"`
	CreatedAt    time.Time `json:"created_at"`
}

// Ended reports whether the call reached a final status.
func (c *Call) Ended() bool {
	switch c.Status {
	case StatusCompleted, StatusBusy, StatusNoAnswer, StatusFailed, StatusCanceled, StatusVoicemail:
		return true
	}
	return false
}

// Finalized reports whether humd has closed the call: a final status and
// its end time (call.completed has fired).
func (c *Call) Finalized() bool { return c.Ended() && c.EndedAt != nil }

// Other answers the other party's number: the caller of an inbound call,
// the callee of an outbound one.
func (c *Call) Other() string {
	if c.Direction == Outbound {
		return c.To
	}
	return c.From
}

// TwilioStatus maps Twilio's CallStatus (in-progress, no-answer...) onto
// humd's; ok is false for an unknown value.
func TwilioStatus(s string) (string, bool) {
	switch s {
	case "queued", "initiated":
		return StatusQueued, true
	case "ringing":
		return StatusRinging, true
	case "in-progress", "answered":
		return StatusInProgress, true
	case "completed":
		return StatusCompleted, true
	case "busy":
		return StatusBusy, true
	case "no-answer":
		return StatusNoAnswer, true
	case "failed":
		return StatusFailed, true
	case "canceled":
		return StatusCanceled, true
	}
	return "", false
}
