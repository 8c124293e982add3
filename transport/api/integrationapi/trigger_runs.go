package integrationapi

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/transport/httpapi"
)

// FlowRun is what firing a trigger did with one event-trigger flow.
type FlowRun struct {
	FlowID  string `json:"flow_id"`
	Action  string `json:"action"` // call_placed | text_sent | skipped
	CallID  string `json:"call_id,omitempty"`
	Message string `json:"message_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// eventPayload is what an event flow reads from a trigger's payload: the
// person to reach and, for SMS, the text.
type eventPayload struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// runEventFlows runs every event-trigger flow of the org whose
// trigger_events match the event (plus the trigger's own flow): a voice flow
// calls payload.to with the payload as task context, an SMS flow texts
// payload.body to payload.to through the send pipeline with the flow
// answering the replies. Each goes through the usual checks (blocklist,
// business hours, opt-outs: for calls too).
func (a *API) runEventFlows(t *triggers.Trigger, event string, payload json.RawMessage) []FlowRun {
	all, _, err := a.d.Flows.List(t.OrgID, flows.Filter{TriggerType: "event"}, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return []FlowRun{{Action: "skipped", Reason: err.Error()}}
	}
	var p eventPayload
	_ = json.Unmarshal(payload, &p)
	runs := []FlowRun{}
	for _, f := range all {
		if !eventMatches(f.TriggerEvents, event) && (t.FlowID == nil || *t.FlowID != f.ID) {
			continue
		}
		runs = append(runs, a.runEventFlow(t.OrgID, f, p, payload))
	}
	return runs
}

func eventMatches(patterns []string, event string) bool {
	for _, p := range patterns {
		if p == event || p == "*" || strings.HasSuffix(p, ".*") && strings.HasPrefix(event, strings.TrimSuffix(p, "*")) {
			return true
		}
	}
	return false
}

func (a *API) runEventFlow(org string, f *flows.Flow, p eventPayload, payload json.RawMessage) FlowRun {
	run := FlowRun{FlowID: f.ID, Action: "skipped"}
	if !phone.Valid(p.To) {
		run.Reason = "the payload has no E.164 \"to\""
		return run
	}
	if blocked, err := sms.IsBlocked(a.d.Store, org, p.To); err != nil || blocked {
		run.Reason = "blocked_number"
		return run
	}
	switch f.Channel {
	case "voice":
		var ce *storage.ConflictError
		if err := call.Consent(a.d.Store, org, p.To); errors.As(err, &ce) {
			run.Reason = ce.Code // opted_out: the opt-out list is the do-not-call list too
			return run
		} else if err != nil {
			run.Reason = err.Error()
			return run
		}
		bh, err := a.d.Calls.HoursOf(f)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		if bh != nil && !bh.IsOpen(a.d.Clock.Now()) {
			run.Reason = "outside_business_hours"
			return run
		}
		n, err := a.d.OutboundNumber(a.d.Store, org, "", f.ID)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		place := &call.Place{OrgID: org, FlowID: f.ID, NumberID: n.ID, From: n.E164, To: p.To, TaskContext: payload}
		cl, err := system.Await[*calls.Call](a.d.Calls.Request(storage.NewID("call"), place, httpapi.AskTimeout), place)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		run.Action, run.CallID = "call_placed", cl.ID
	case "sms":
		if strings.TrimSpace(p.Body) == "" || len(p.Body) > 1600 {
			run.Reason = "the payload has no \"body\" (1-1600 characters) to text"
			return run
		}
		n, err := a.smsNumberFor(org, f.ID)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		id := f.ID
		open := &conversation.Open{FlowOverrideID: &id,
			InitialMessage: &conversation.Send{Body: p.Body, HonorQuietHours: true, Author: sms.Author{Type: "flow", ID: f.ID}, Source: "manual"}}
		res, err := system.Await[*conversation.Opened](a.d.Threads.Request(org, n.ID, p.To, open, httpapi.AskTimeout), open)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		switch {
		case res.Send == nil:
			run.Reason = "not sent"
		case res.Send.Message != nil && (res.Send.Status == "queued" || res.Send.Status == "scheduled"):
			run.Action, run.Message = "text_sent", res.Send.Message.ID
		case res.Send.Scheduled != nil:
			run.Action, run.Message = "text_sent", res.Send.Scheduled.ID
		default:
			run.Reason = res.Send.Status
		}
	}
	return run
}

// smsNumberFor picks the number an SMS event flow texts from: one that
// answers with the flow, else the org's first SMS-enabled number.
func (a *API) smsNumberFor(org, flowID string) (*sms.Number, error) {
	all, _, err := sms.ListNumbers(a.d.Store, org, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	var first *sms.Number
	for _, n := range all {
		if !n.SMSEnabled {
			continue
		}
		if n.SMSFlowID != nil && *n.SMSFlowID == flowID {
			return n, nil
		}
		if first == nil {
			first = n
		}
	}
	if first == nil {
		return nil, storage.Invalid("number", "the org has no SMS-enabled number")
	}
	return first, nil
}
