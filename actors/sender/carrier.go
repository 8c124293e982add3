package sender

import (
	"context"
	"fmt"
)

// Carrier hands one text to the telephony provider. transport/twilio
// implements it with twilio-go; transport/sandbox with the sandbox carrier.
// Send blocks on the network, so the sender actor calls it from a worker
// goroutine and gets the result back as a message.
type Carrier interface {
	Send(ctx context.Context, m *Outbound) (*Accepted, error)
}

// Outbound is one text for the provider.
type Outbound struct {
	// MessageID is humd's id (msg_...), used as an idempotency hint and to
	// correlate sandbox status callbacks.
	MessageID string
	// OrgID is the sending org: the sandbox carrier shows each org only its
	// own sends (Twilio ignores it).
	OrgID          string
	From           string // E.164 of our number
	To             string // E.164 of the contact
	Body           string
	MediaURLs      []string
	StatusCallback string // HUMD_PUBLIC_URL + /twilio/sms/status
}

// Accepted is the provider's answer to a send it took.
type Accepted struct {
	SID         string // provider message id (Twilio MessageSid, SM...)
	Status      string // queued, accepted, sending, sent...
	NumSegments int
}

// Error is a provider refusal with Twilio's error code (e.g. 21211 invalid
// To, 21610 unsubscribed recipient). Retryable says whether sending again is
// safe: only when the provider surely did not accept the message (HTTP 429,
// 5xx before acceptance, connection refused).
type Error struct {
	Code      int
	Status    int // HTTP status from the provider, 0 if none
	Message   string
	Retryable bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("carrier: %d %s (http %d)", e.Code, e.Message, e.Status)
}
