package sandbox

import (
	"context"
	"time"

	"github.com/humd/humd/actors/call"
)

// PlacedCall is an outbound call the sandbox took. Nobody answers it on its
// own: `humd sandbox call --answer` (or a test) plays the callee by
// connecting to the TwiML's ConversationRelay URL, as Twilio would.
type PlacedCall struct {
	SID            string    `json:"sid"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	TwiML          string    `json:"twiml"`
	StatusCallback string    `json:"status_callback"`
	At             time.Time `json:"at"`
}

// PlaceCall records an outbound call and answers its CallSid.
func (c *Carrier) PlaceCall(_ context.Context, d *call.Dial) (string, error) {
	pc := PlacedCall{SID: newSID("CA"), From: d.From, To: d.To, TwiML: d.TwiML, StatusCallback: d.StatusCallback, At: c.cfg.Clock.Now().UTC()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, pc)
	if len(c.calls) > c.cfg.Keep {
		c.calls = c.calls[len(c.calls)-c.cfg.Keep:]
	}
	return pc.SID, nil
}

// Calls lists the outbound calls taken, oldest first.
func (c *Carrier) Calls() []PlacedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]PlacedCall(nil), c.calls...)
}

var _ call.Dialer = (*Carrier)(nil)
