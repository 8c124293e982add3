package voicesvc

// The voice area (transport/api/voiceapi): calls and their review, tags,
// notes, voicemails, analytics, outbound calls, the live stream, and seed
// 002's agents. Reads come from storage; every write goes to the call's
// actor (call.Service), the one writer of its record, notes and voicemail.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// voiceAskTimeout bounds how long an operation waits for a call actor.
const voiceAskTimeout = 10 * time.Second

// ErrNoAgent is seed 002's 404 for an agent id that is not one of the org's
// flows (transport/httpapi answers it in the seed's words).
var ErrNoAgent = fmt.Errorf("agent not found or access denied: %w", storage.ErrNotFound)

func askCallActor[T any](s *Voice, callID string, msg any) (T, error) {
	return system.Await[T](s.d.Calls.Request(callID, msg, voiceAskTimeout), msg)
}

// CallDetail is a call with everything a reviewer reads beside it.
type CallDetail struct {
	*calls.Call
	Transcript   []*calls.Turn         `json:"transcript"`
	ToolActivity []*calls.ToolActivity `json:"tool_activity"`
	Notes        []*calls.Note         `json:"notes"`
	Voicemail    *calls.Voicemail      `json:"voicemail"`
	Contact      *sms.Contact          `json:"contact"`
	// Approvals are the MCP tool calls of this call that waited for a
	// person, with their results once approved.
	Approvals []*mcptools.Approval `json:"approvals"`
}

// CallTags answers a tag added to a call: the tag as kept and all of the
// call's tags; Added says the call did not carry it yet.
type CallTags struct {
	Tag   string   `json:"tag"`
	Tags  []string `json:"tags"`
	Added bool     `json:"-"`
}

// CallTagInput is a tag to add; a nil Tag is a tag left out.
type CallTagInput struct {
	Tag *string
}

// VoicemailInput changes a voicemail; a nil Heard is heard left out.
type VoicemailInput struct {
	Heard *bool
}

// ListCallsQuery filters the org's calls. From and To are RFC 3339 instants
// or YYYY-MM-DD dates in the org's time zone (To takes in all of its day).
type ListCallsQuery struct {
	Q, Direction, Status, FlowID string
	From, To                     string
	Page                         storage.PageRequest
}

// ListOrgCallTagsQuery filters the org's tag vocabulary by a prefix.
type ListOrgCallTagsQuery struct {
	Q    string
	Page storage.PageRequest
}

// ListCallNotesQuery pages a call's notes.
type ListCallNotesQuery struct {
	Page storage.PageRequest
}

// ListVoicemailsQuery filters voicemails by their heard flag (nil: all).
type ListVoicemailsQuery struct {
	Heard *bool
	Page  storage.PageRequest
}

// AnalyticsQuery is the window of the call figures: Days 1-365 (0: 30).
type AnalyticsQuery struct {
	Days int
}

// ListCalls lists the org's calls, newest first.
func (s *Voice) ListCalls(_ context.Context, p *tenancy.Principal, q ListCallsQuery) ([]*calls.Call, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.listCalls(p.OrgID, q)
}

// ListOutboundCalls lists the org's outbound calls (q.Direction is ignored).
func (s *Voice) ListOutboundCalls(_ context.Context, p *tenancy.Principal, q ListCallsQuery) ([]*calls.Call, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	q.Direction = calls.Outbound
	return s.listCalls(p.OrgID, q)
}

func (s *Voice) listCalls(org string, q ListCallsQuery) ([]*calls.Call, string, error) {
	f := calls.Filter{Q: q.Q, Direction: q.Direction, Status: q.Status, FlowID: q.FlowID, Name: s.contactName}
	v := &storage.ValidationError{}
	if f.Direction != "" && f.Direction != calls.Inbound && f.Direction != calls.Outbound {
		v.Add("direction", "must be inbound or outbound")
	}
	if f.Status != "" && !slices.Contains(calls.Statuses, f.Status) {
		v.Add("status", "must be one of "+strings.Join(calls.Statuses, ", "))
	}
	if q.From != "" || q.To != "" {
		loc := s.orgLocalNow(org).Location()
		var err error
		if f.From, err = parseCallWhen(q.From, loc, false); err != nil {
			v.Add("from", err.Error())
		}
		if f.To, err = parseCallWhen(q.To, loc, true); err != nil {
			v.Add("to", err.Error())
		}
		if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
			v.Add("to", "must be after from")
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return calls.List(s.d.Store, org, f, q.Page)
}

var errCallWhen = errors.New("must be an RFC 3339 time or a YYYY-MM-DD date")

// parseCallWhen reads a from/to bound: an RFC 3339 instant, or a date in
// loc (the org's time zone) meaning its start, or for the end bound (to) the
// start of the next day, so to=2026-11-25 takes in all of that day. The
// answer is an inclusive start or an exclusive end; zero for "".
func parseCallWhen(v string, loc *time.Location, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		if end {
			t = t.Add(time.Nanosecond) // to is inclusive of its instant
		}
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return time.Time{}, errCallWhen
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// GetCall answers a call with its transcript, tool activity, notes,
// voicemail, contact and approvals.
func (s *Voice) GetCall(_ context.Context, p *tenancy.Principal, callID string) (*CallDetail, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	c, err := calls.Get(s.d.Store, p.OrgID, callID)
	if err != nil {
		return nil, err
	}
	return s.callDetail(c)
}

// GetOutboundCall is GetCall for an outbound call (an inbound one is not
// found).
func (s *Voice) GetOutboundCall(_ context.Context, p *tenancy.Principal, callID string) (*CallDetail, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	c, err := calls.Get(s.d.Store, p.OrgID, callID)
	if err != nil {
		return nil, err
	}
	if c.Direction != calls.Outbound {
		return nil, fmt.Errorf("call %s is not outbound: %w", c.ID, storage.ErrNotFound)
	}
	return s.callDetail(c)
}

func (s *Voice) callDetail(c *calls.Call) (*CallDetail, error) {
	org, id, st := c.OrgID, c.ID, s.d.Store
	if c.Tags == nil {
		c.Tags = []string{}
	}
	d := &CallDetail{Call: c}
	var err error
	if d.Transcript, err = calls.Turns(st, org, id); err != nil {
		return nil, err
	}
	if d.ToolActivity, err = calls.Tools(st, org, id); err != nil {
		return nil, err
	}
	if d.Notes, err = calls.Notes(st, org, id); err != nil {
		return nil, err
	}
	if d.Voicemail, err = calls.VoicemailOf(st, org, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if d.Contact, err = s.callContact(c); err != nil {
		return nil, err
	}
	if d.Approvals, _, err = mcptools.ListApprovals(st, org, mcptools.Filter{SubjectID: id}, storage.PageRequest{Limit: storage.MaxPageLimit}); err != nil {
		return nil, err
	}
	return d, nil
}

// callContact is the call's contact record: the one the call names, else
// the one of the other party's number, else nil.
func (s *Voice) callContact(c *calls.Call) (*sms.Contact, error) {
	id := c.ContactID
	if id == "" {
		other := c.From
		if c.Direction == calls.Outbound {
			other = c.To
		}
		ct, err := sms.ContactByE164(s.d.Store, c.OrgID, other)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil
		}
		return ct, err
	}
	ct, err := sms.GetContact(s.d.Store, c.OrgID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return ct, err
}

// contactName is the current name of the org's contact at e164 (all of its
// name fields), for the call search.
func (s *Voice) contactName(org, e164 string) string {
	ct, err := sms.ContactByE164(s.d.Store, org, e164)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(ct.Name + " " + ct.FirstName + " " + ct.LastName)
}

// GetAnalytics answers the org's call volume, outcomes and durations over
// q.Days, by day and flow.
func (s *Voice) GetAnalytics(_ context.Context, p *tenancy.Principal, q AnalyticsQuery) (*calls.Stats, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return s.callStats(p.OrgID, "", q)
}

// GetFlowMetrics answers the same figures for the calls one flow handled.
func (s *Voice) GetFlowMetrics(_ context.Context, p *tenancy.Principal, flowID string, q AnalyticsQuery) (*calls.Stats, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	if _, err := s.d.Flows.Get(p.OrgID, flowID); err != nil {
		return nil, err
	}
	return s.callStats(p.OrgID, flowID, q)
}

func (s *Voice) callStats(org, flowID string, q AnalyticsQuery) (*calls.Stats, error) {
	days := q.Days
	if days == 0 {
		days = 30 // A29
	}
	if days < 1 || days > calls.MaxAnalyticsDays {
		return nil, storage.Invalid("days", "must be an integer from 1 to 365")
	}
	var st *calls.Stats
	var err error
	if flowID == "" {
		st, err = calls.Analytics(s.d.Store, org, days, s.orgLocalNow(org))
	} else {
		st, err = calls.FlowMetrics(s.d.Store, org, flowID, days, s.orgLocalNow(org))
	}
	if err != nil {
		return nil, err
	}
	for _, fs := range st.ByFlow {
		if f, err := s.d.Flows.Get(org, fs.FlowID); err == nil {
			fs.Name = f.Name
		}
	}
	return st, nil
}

func (s *Voice) orgLocalNow(org string) time.Time {
	return svcbase.OrgLocalNow(s.d.Tenancy, org, s.now())
}

// ListAgents lists the org's flows as seed 002's agents, by integer
// agent_id; channel filters them ("" for all).
func (s *Voice) ListAgents(_ context.Context, p *tenancy.Principal, q ListAgentsQuery) ([]*flows.Flow, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return s.d.Flows.List(p.OrgID, flows.Filter{Channel: q.Channel}, q.Page)
}

// ListAgentsQuery filters the org's agents.
type ListAgentsQuery struct {
	Channel string
	Page    storage.PageRequest
}

// GetAgent answers one agent by its integer id (as the path gives it);
// ErrNoAgent when it is not one of the org's.
func (s *Voice) GetAgent(_ context.Context, p *tenancy.Principal, agentID string) (*flows.Flow, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	id, err := strconv.ParseUint(strings.TrimSpace(agentID), 10, 64)
	if err != nil {
		return nil, ErrNoAgent
	}
	f, err := s.d.Flows.ByAgentID(p.OrgID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoAgent
	}
	return f, err
}

// OutboundCallInput places an outbound AI call. HonorBusinessHours nil
// means true.
type OutboundCallInput struct {
	FlowID             string
	To                 string
	TaskContext        json.RawMessage
	FromNumberID       string
	HonorBusinessHours *bool
}

// OutboundStarted answers an outbound call: it is placed off the request
// (SPEC 1.7).
type OutboundStarted struct {
	CallID string `json:"call_id"`
	Status string `json:"status"`
}

// CreateOutboundCall validates, stores the call through its actor and
// answers at once; the actor places the call off its mailbox.
func (s *Voice) CreateOutboundCall(_ context.Context, p *tenancy.Principal, in OutboundCallInput) (*OutboundStarted, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkCall); err != nil {
		return nil, err
	}
	org := p.OrgID
	v := &storage.ValidationError{}
	phone.Check(v, "to", in.To)
	var f *flows.Flow
	if in.FlowID == "" {
		v.Add("flow_id", "required")
	} else if fl, err := s.d.Flows.Get(org, in.FlowID); err != nil || fl.Channel != "voice" {
		v.Add("flow_id", "must be a voice flow of this org")
	} else {
		f = fl
	}
	if len(in.TaskContext) > 0 && string(in.TaskContext) != "null" {
		var obj map[string]any
		if json.Unmarshal(in.TaskContext, &obj) != nil {
			v.Add("task_context", "must be an object")
		} else if len(in.TaskContext) > 8<<10 {
			v.Add("task_context", "at most 8 KiB")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	n, err := OutboundNumber(s.d.Store, org, in.FromNumberID, f.ID)
	if err != nil {
		return nil, err
	}
	if err := call.Consent(s.d.Store, org, in.To); err != nil {
		return nil, err // blocklisted or opted out: nothing is stored or dialled
	}
	if in.HonorBusinessHours == nil || *in.HonorBusinessHours {
		bh, err := s.d.Calls.HoursOf(f)
		if err != nil {
			return nil, err
		}
		if now := s.now(); bh != nil && !bh.IsOpen(now) {
			return nil, storage.Conflict("outside_business_hours", "outside business hours; next open "+
				bh.NextOpen(now).UTC().Format(time.RFC3339)+" (send honor_business_hours:false to call anyway)")
		}
	}
	id := storage.NewID("call")
	c, err := askCallActor[*calls.Call](s, id, &call.Place{OrgID: org, FlowID: f.ID, NumberID: n.ID, From: n.E164, To: in.To,
		TaskContext: in.TaskContext})
	if err != nil {
		return nil, err
	}
	return &OutboundStarted{CallID: c.ID, Status: c.Status}, nil
}

// OutboundNumber picks the caller id of an outbound call: the given number,
// else the number that answers with the flow, else the org's first voice
// number.
func OutboundNumber(st storage.Store, org, id, flowID string) (*sms.Number, error) {
	if id != "" {
		n, err := sms.GetNumber(st, org, id)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !n.Capabilities.Voice {
			return nil, storage.Invalid("from_number_id", "must be a voice-capable number of this org")
		}
		return n, err
	}
	all, _, err := sms.ListNumbers(st, org, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	var first *sms.Number
	for _, n := range all {
		if !n.Capabilities.Voice {
			continue
		}
		if n.FlowID != nil && *n.FlowID == flowID {
			return n, nil
		}
		if first == nil {
			first = n
		}
	}
	if first == nil {
		return nil, storage.Invalid("from_number_id", "the org has no voice-capable number")
	}
	return first, nil
}

// CallStream is a viewer's subscription to a call's live events. The
// transport writes them; Close ends the subscription.
type CallStream struct {
	// Sub delivers the events; its channel closes after call.ended, or when
	// the hub dropped a viewer too slow to keep up.
	Sub *live.Sub
	// First is an event already taken off Sub (nil if none was waiting).
	First *live.Event
	// Over says the viewer already saw call.ended: there is nothing to
	// stream, and the subscription is closed.
	Over bool
	hub  *live.Hub
}

// Close ends the subscription.
func (cs *CallStream) Close() {
	if !cs.Over {
		cs.hub.Unsubscribe(cs.Sub)
	}
}

// StreamCall subscribes to a call's live events, resuming after lastID when
// resume is set (a reconnect's Last-Event-ID). A call that has ended
// delivers what the viewer has not seen, call.ended last; a viewer that saw
// call.ended gets Over.
func (s *Voice) StreamCall(_ context.Context, p *tenancy.Principal, callID string, lastID uint64, resume bool) (*CallStream, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	hub := s.d.Calls.Hub()
	// Subscribed before the record is read, so an event between the two is
	// not missed.
	sub := hub.Subscribe(callID, lastID, resume)
	c, err := calls.Get(s.d.Store, p.OrgID, callID)
	if err != nil {
		hub.Unsubscribe(sub)
		return nil, err
	}
	ended := c.Ended() && c.EndedAt != nil
	if ended {
		// The actor publishes call.ended right after storing the end; when
		// the hub has not seen it (humd restarted, or the call is long over
		// and forgotten), this one stands in, and the hub drops the second.
		raw, _ := json.Marshal(map[string]any{"status": c.Status, "reason": c.EndReason, "duration_s": c.DurationS})
		hub.Publish(callID, live.Event{Type: live.Ended, At: *c.EndedAt, Data: raw})
	}
	cs := &CallStream{Sub: sub, hub: hub}
	select {
	case ev, ok := <-sub.C:
		if !ok && ended {
			hub.Unsubscribe(sub)
			cs.Over = true
			return cs, nil
		}
		if ok {
			cs.First = &ev
		}
	default:
	}
	return cs, nil
}
