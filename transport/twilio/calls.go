package twilio

import (
	"context"
	"fmt"
	"net/http"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/humd/humd/actors/sender"
)

// PlaceCall is an outbound call to place.
type PlaceCall struct {
	From, To string
	// TwiML runs when the call is answered (humd's <Connect><ConversationRelay>).
	TwiML string
	// StatusCallback receives initiated, ringing, answered and completed.
	StatusCallback string
}

// callEvents are the status callbacks humd asks for: every step, so the call
// record follows the call from dialing to hangup.
var callEvents = []string{"initiated", "ringing", "answered", "completed"}

// PlaceCall creates a Call (POST /2010-04-01/Accounts/{sid}/Calls.json) and
// answers its CA sid. Like Send it honours ctx and the configured timeout; a
// refusal or failure is a wrapped *sender.Error, Retryable only when Twilio
// surely did not take the call.
func (c *Client) PlaceCall(ctx context.Context, p *PlaceCall) (sid string, err error) {
	if p == nil || p.From == "" || p.To == "" || p.TwiML == "" {
		return "", fmt.Errorf("twilio: place call: %w", &sender.Error{Message: "a call needs From, To and TwiML"})
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	ex := &exchange{}
	hc := &http.Client{Transport: &ctxTransport{ctx: ctx, ex: ex, next: c.transport}, CheckRedirect: noRedirect}
	svc := api.NewApiServiceWithClient(c.baseClient(hc))

	params := &api.CreateCallParams{}
	params.SetTo(p.To).SetFrom(p.From).SetTwiml(p.TwiML)
	if p.StatusCallback != "" {
		params.SetStatusCallback(p.StatusCallback).SetStatusCallbackEvent(callEvents).SetStatusCallbackMethod(http.MethodPost)
	}
	call, err := svc.CreateCall(params)
	if err != nil {
		return "", fmt.Errorf("twilio: place call to %s: %w", p.To, mapError(err, ex))
	}
	if call.Sid == nil || *call.Sid == "" {
		return "", fmt.Errorf("twilio: place call to %s: %w", p.To,
			&sender.Error{Status: ex.status(), Message: "twilio answered without a call sid"})
	}
	return *call.Sid, nil
}
