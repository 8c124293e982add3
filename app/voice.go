package app

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/twilio"
)

// wireVoice builds the call actors over the same model and knowledge base as
// SMS. Outbound calls go through the sandbox carrier or twilio-go; the TwiML
// they run is the Twilio webhooks', built once they exist. hooks run after the
// CRM lookup's (the flow's HTTP pre-call tools).
func (a *App) wireVoice(o Options, ten *tenancy.Repo, fl *flows.Repo, cd *conversation.Deps, hooks ...call.PreCallHook) *call.Service {
	d := call.Deps{Store: a.Store, Clock: a.Clock, Logger: a.log, Model: llm.Measured(a.model, "voice"), Knowledge: cd.Knowledge, External: cd.External,
		Flow: fl.Get, Org: ten.Org,
		OutboundTwiML: func(c *calls.Call, f *flows.Flow) (string, error) { return a.Hooks.ConnectTwiML(c, f) },
		StatusCallback: func(c *calls.Call) string {
			return a.cfg.PublicURL + "/twilio/voice/status?call_id=" + c.ID
		},
		PreCall: append([]call.PreCallHook{a.crmCallerContext}, hooks...),
		Text: func(org, numberID, to, body, flowID string) {
			// Quiet hours do not apply: the caller is on the line (SPEC 2.13.6).
			a.Threads.Tell(org, numberID, to, &conversation.Open{InitialMessage: &conversation.Send{Body: body,
				Author: sms.Author{Type: "ai", ID: flowID}, Source: "ai"}})
		},
		OptedOut: func(o *sms.OptOut, extra map[string]any) *actor.Future {
			// The contact's thread on the call's number owns the record.
			return a.Threads.Request(o.OrgID, o.NumberID, o.E164, &conversation.RecordOptOut{OptOut: o, Extra: extra}, optOutTimeout)
		}}
	switch {
	case o.Dialer != nil:
		d.Dialer = o.Dialer
	case a.Sandbox != nil:
		d.Dialer = a.Sandbox
	case a.Twilio != nil:
		d.Dialer = twilioDialer{a.Twilio}
	}
	a.Calls = call.New(a.System.Root, d)
	return a.Calls
}

// optOutTimeout bounds how long a call's opt_out tool waits for the
// contact's thread to record the opt-out (one durable write).
const optOutTimeout = 10 * time.Second

// crmCallerContext is the CRM lookup among the pre-call hooks (SPEC 2.13).
// The CRM service is built after the call actors (wire), so the hook reads
// it when a call runs it, by then always set.
func (a *App) crmCallerContext(ctx context.Context, c *calls.Call) (string, error) {
	if a.crm == nil {
		return "", nil
	}
	return a.crm.CallerContext(ctx, c)
}

// twilioDialer places calls with twilio-go's Calls API.
type twilioDialer struct{ c *twilio.Client }

func (t twilioDialer) PlaceCall(ctx context.Context, d *call.Dial) (string, error) {
	return t.c.PlaceCall(ctx, &twilio.PlaceCall{From: d.From, To: d.To, TwiML: d.TwiML, StatusCallback: d.StatusCallback})
}
