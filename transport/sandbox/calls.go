package sandbox

import (
	"context"
	"fmt"
	"time"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
)

// PlacedCall is an outbound call the sandbox took. Nobody answers it on its
// own: `humd sandbox call --answer` (or a test) plays the callee by
// connecting to the TwiML's ConversationRelay URL, as Twilio would.
type PlacedCall struct {
	// OrgID is the calling org; only that org sees or answers the call.
	OrgID          string    `json:"-"`
	CallID         string    `json:"call_id"`
	SID            string    `json:"sid"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	TwiML          string    `json:"twiml"`
	StatusCallback string    `json:"status_callback"`
	At             time.Time `json:"at"`
}

// PlaceCall records an outbound call and answers its CallSid.
func (c *Carrier) PlaceCall(_ context.Context, d *call.Dial) (string, error) {
	pc := PlacedCall{OrgID: d.OrgID, CallID: d.CallID, SID: newSID("CA"), From: d.From, To: d.To, TwiML: d.TwiML,
		StatusCallback: d.StatusCallback, At: c.cfg.Clock.Now().UTC()}
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

// CallsOf lists the org's outbound calls, oldest first, at most the last n.
func (c *Carrier) CallsOf(org string, n int) []PlacedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lastOf(c.calls, n, func(pc *PlacedCall) bool { return pc.OrgID == org })
}

// CallOf finds the org's outbound call by humd's call id or its CallSid;
// another org's call is not found, exactly like a call that never was.
func (c *Carrier) CallOf(org, id string) (*PlacedCall, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.calls) - 1; i >= 0; i-- {
		if pc := c.calls[i]; pc.OrgID == org && (pc.CallID == id || pc.SID == id) {
			return &pc, nil
		}
	}
	return nil, fmt.Errorf("sandbox: outbound call %q: %w", id, storage.ErrNotFound)
}

var _ call.Dialer = (*Carrier)(nil)
