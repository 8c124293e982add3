package call

import (
	"encoding/json"

	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
)

// Ring is Twilio's voice webhook for a new inbound call (or a retry of it).
// Answered with *Ringing once the call record is durable.
type Ring struct {
	CallSID    string
	AccountSID string
	From       string
	To         string
	Status     string
}

// Ringing answers Ring: how to answer the call.
type Ringing struct {
	Call *calls.Call
	Flow *flows.Flow // nil unless Route is connect or voicemail
	// Message is spoken before a voicemail beep or before hanging up.
	Message string
}

// Routes of a ringing call.
const (
	RouteConnect   = "connect"
	RouteVoicemail = "voicemail"
	RouteRejected  = "rejected"
	RouteClosed    = "closed"
)

// Place starts an outbound call (POST /api/outbound/calls). The handler has
// validated it; the actor stores the call and places it off the mailbox.
// Answered with *calls.Call (status queued) once stored.
type Place struct {
	OrgID       string
	FlowID      string
	NumberID    string
	From        string
	To          string
	TaskContext json.RawMessage
}

// Status is a call status callback. Answered with *calls.Call.
type Status struct {
	CallSID   string
	Status    string // Twilio's CallStatus
	DurationS int
}

// Recording is a recording callback: a voicemail (<Record action>) or the
// call's recording. Answered with *calls.Call.
type Recording struct {
	URL       string
	DurationS int
	Voicemail bool
}

// Transcription is Twilio's transcription of a voicemail. Answered with
// *calls.Call.
type Transcription struct{ Text string }

// Action is the <Connect action> callback after the relay session ended.
// Answered with *Next.
type Action struct{}

// DialDone is the <Dial action> callback after a transfer. Answered with *Next.
type DialDone struct{ DialStatus string }

// Next tells the webhook what TwiML comes next.
type Next struct {
	Call *calls.Call
	// DialE164 transfers the caller; Voicemail records a message after
	// Message; otherwise Message (if any) is said and the call hangs up.
	DialE164  string
	Voicemail bool
	Message   string
}

// Attach connects the relay socket after its setup frame. Answered with
// *Attached, or an error when the call is unknown or over.
type Attach struct {
	Out       Out
	SessionID string
	Setup     json.RawMessage
}

// Attached answers Attach.
type Attached struct{ Call *calls.Call }

// Prompt is the caller's speech. Partial prompts (Last=false) are ignored:
// turns start on the final transcript.
type Prompt struct {
	Text string
	Last bool
}

// DTMF is a key the caller pressed.
type DTMF struct{ Digit string }

// Interrupt says the caller talked over the agent; Heard is what Twilio had
// spoken until then.
type Interrupt struct {
	Heard      string
	DurationMS int
}

// RelayError is an error frame from Twilio.
type RelayError struct{ Description string }

// Detach says the socket closed.
type Detach struct{ Out Out }

// Get answers the call record (*calls.Call).
type Get struct{}

// Out is the relay socket as the actor writes to it. Implementations queue
// frames for a writer goroutine and never block; a full queue closes the
// socket.
type Out interface {
	Text(token string, last bool)
	End(handoff map[string]any)
	SendDigits(digits string)
	Close()
}

// Resume is sent to every call not finalized when humd starts: the timers
// that close a call Twilio posts no final status for, and its relay socket,
// died with the process before.
type Resume struct{}
