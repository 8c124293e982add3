package integrationsvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/triggers"
)

// Trigger fires are rate limited per trigger (SPEC 1.13): a burst of
// TriggerFireBurst, then TriggerFireRate per second.
const (
	TriggerFireRate  = 5
	TriggerFireBurst = 20
)

// askTimeout bounds a request to an actor made for an operation.
const askTimeout = 10 * time.Second

// RateLimitedError is storage.ErrRateLimited with the wait until a retry
// can pass (the edge's Retry-After).
type RateLimitedError struct {
	What string
	Wait time.Duration
}

func (e *RateLimitedError) Error() string { return e.What + ": " + storage.ErrRateLimited.Error() }
func (e *RateLimitedError) Unwrap() error { return storage.ErrRateLimited }

// TriggerWithToken answers a create or a rotation: the trigger with the
// URL and token it is fired with, the one time they are shown.
type TriggerWithToken struct {
	*triggers.Trigger
	URL   string `json:"url"`
	Token string `json:"token"`
}

// Fired answers a fire: the event it appended and what each event-trigger
// flow did with it.
type Fired struct {
	EventID string    `json:"event_id"`
	Runs    []FlowRun `json:"runs"`
}

// FlowRun is what firing a trigger did with one event-trigger flow.
type FlowRun struct {
	FlowID  string `json:"flow_id"`
	Action  string `json:"action"` // call_placed | text_sent | skipped
	CallID  string `json:"call_id,omitempty"`
	Message string `json:"message_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Integrations) withToken(t *triggers.Trigger, token string) *TriggerWithToken {
	return &TriggerWithToken{Trigger: t, URL: s.d.PublicURL + "/api/triggers/in/" + token, Token: token}
}

// eventFlowCheck vets a trigger's flow_id: a flow of the org whose
// trigger_type is event.
func (s *Integrations) eventFlowCheck(org string) triggers.FlowCheck {
	return func(id string) error {
		f, err := s.d.Flows.Get(org, id)
		if errors.Is(err, storage.ErrNotFound) {
			return storage.Invalid("flow_id", "no such flow")
		}
		if err != nil {
			return err
		}
		if f.TriggerType != "event" {
			return storage.Invalid("flow_id", "must be an event-trigger flow (trigger_type event)")
		}
		return nil
	}
}

// ListTriggers pages the org's inbound triggers.
func (s *Integrations) ListTriggers(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*triggers.Trigger, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return triggers.List(s.d.Store, p.OrgID, page)
}

// CreateTrigger adds a trigger and answers its url and token (shown once).
func (s *Integrations) CreateTrigger(ctx context.Context, p *tenancy.Principal, in triggers.Input) (*TriggerWithToken, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	t, token, err := triggers.Create(s.d.Store, p.OrgID, in, s.eventFlowCheck(p.OrgID), s.now())
	if err != nil {
		return nil, err
	}
	return s.withToken(t, token), nil
}

// GetTrigger loads one trigger (never its token).
func (s *Integrations) GetTrigger(ctx context.Context, p *tenancy.Principal, id string) (*triggers.Trigger, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return triggers.Get(s.d.Store, p.OrgID, id)
}

// UpdateTrigger edits a trigger (flow_id null detaches the flow).
func (s *Integrations) UpdateTrigger(ctx context.Context, p *tenancy.Principal, id string, in triggers.Input) (*triggers.Trigger, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	return triggers.Patch(s.d.Store, p.OrgID, id, in, s.eventFlowCheck(p.OrgID), s.now())
}

// DeleteTrigger removes a trigger; its URL stops working.
func (s *Integrations) DeleteTrigger(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Admin); err != nil {
		return err
	}
	return triggers.Delete(s.d.Store, p.OrgID, id)
}

// RotateTriggerToken gives a trigger a new url and token; the old one
// stops at once.
func (s *Integrations) RotateTriggerToken(ctx context.Context, p *tenancy.Principal, id string) (*TriggerWithToken, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	t, token, err := triggers.RotateToken(s.d.Store, p.OrgID, id, s.now())
	if err != nil {
		return nil, err
	}
	return s.withToken(t, token), nil
}

// FireTrigger is the public fire: the token authenticates it (no
// principal), payload is the JSON object transport decoded and checked. It
// appends the trigger's event and runs the matching event-trigger flows.
func (s *Integrations) FireTrigger(ctx context.Context, token string, payload json.RawMessage) (*Fired, error) {
	t, err := triggers.Resolve(s.d.Store, token)
	if err != nil {
		return nil, err
	}
	if s.d.TriggerFires != nil {
		if ok, wait := s.d.TriggerFires.Allow(t.ID, s.now()); !ok {
			return nil, &RateLimitedError{What: fmt.Sprintf("trigger fired too often (%d/s, bursts of %d)", TriggerFireRate, TriggerFireBurst), Wait: wait}
		}
	}
	ev, err := triggers.Fire(s.d.Store, t, payload, s.now())
	if err != nil {
		return nil, err
	}
	return &Fired{EventID: ev.ID, Runs: s.runEventFlows(t, t.EventName, payload)}, nil
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
func (s *Integrations) runEventFlows(t *triggers.Trigger, event string, payload json.RawMessage) []FlowRun {
	all, _, err := s.d.Flows.List(t.OrgID, flows.Filter{TriggerType: "event"}, storage.PageRequest{Limit: storage.MaxPageLimit})
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
		runs = append(runs, s.runEventFlow(t.OrgID, f, p, payload))
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

func (s *Integrations) runEventFlow(org string, f *flows.Flow, p eventPayload, payload json.RawMessage) FlowRun {
	run := FlowRun{FlowID: f.ID, Action: "skipped"}
	if !phone.Valid(p.To) {
		run.Reason = "the payload has no E.164 \"to\""
		return run
	}
	if blocked, err := sms.IsBlocked(s.d.Store, org, p.To); err != nil || blocked {
		run.Reason = "blocked_number"
		return run
	}
	switch f.Channel {
	case "voice":
		if s.d.OutboundNumber == nil || s.d.Calls == nil {
			run.Reason = "calls are not running on this server"
			return run
		}
		var ce *storage.ConflictError
		if err := call.Consent(s.d.Store, org, p.To); errors.As(err, &ce) {
			run.Reason = ce.Code // opted_out: the opt-out list is the do-not-call list too
			return run
		} else if err != nil {
			run.Reason = err.Error()
			return run
		}
		bh, err := s.d.Calls.HoursOf(f)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		if bh != nil && !bh.IsOpen(s.now()) {
			run.Reason = "outside_business_hours"
			return run
		}
		n, err := s.d.OutboundNumber(s.d.Store, org, "", f.ID)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		place := &call.Place{OrgID: org, FlowID: f.ID, NumberID: n.ID, From: n.E164, To: p.To, TaskContext: payload}
		cl, err := system.Await[*calls.Call](s.d.Calls.Request(storage.NewID("call"), place, askTimeout), place)
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
		n, err := s.smsNumberFor(org, f.ID)
		if err != nil {
			run.Reason = err.Error()
			return run
		}
		id := f.ID
		open := &conversation.Open{FlowOverrideID: &id,
			InitialMessage: &conversation.Send{Body: p.Body, HonorQuietHours: true, Author: sms.Author{Type: "flow", ID: f.ID}, Source: "manual"}}
		res, err := system.Await[*conversation.Opened](s.d.Threads.Request(org, n.ID, p.To, open, askTimeout), open)
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
func (s *Integrations) smsNumberFor(org, flowID string) (*sms.Number, error) {
	all, _, err := sms.ListNumbers(s.d.Store, org, storage.PageRequest{Limit: storage.MaxPageLimit})
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
