package httpapi

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

func init() {
	summary := obj([]string{"text"}, map[string]Schema{"text": str(), "key_points": nullable(arr(str())),
		"next_actions": nullable(arr(str()))})
	transfer := obj([]string{"e164"}, map[string]Schema{"label": str(), "e164": str(), "at": dateTime()})
	callProps := map[string]Schema{"id": str(), "org_id": str(), "call_sid": str(), "number_id": str(), "flow_id": str(),
		"direction": enum(calls.Inbound, calls.Outbound), "from": str(), "to": str(), "status": enum(calls.Statuses...),
		"route": str(), "contact_id": str(), "contact_name": str(), "task_context": freeForm("what the agent was told for this outbound call"), "caller_context": str(),
		"started_at": dateTime(), "answered_at": dateTime(), "ended_at": dateTime(), "duration_s": integer(),
		"recording_url": str(), "summary": ref("CallSummary"), "outcome": anyJSON("what the agent reported with report_outcome"), "outcome_label": str(), "tags": arr(str()),
		"end_reason": str(), "transfer": transfer, "flow_path": arr(str()), "turn_count": integer(), "tool_count": integer(), "texts_sent": integer(),
		"ai_usage": tokensSchema(), "created_at": dateTime(), "updated_at": dateTime()}
	callRequired := []string{"id", "org_id", "direction", "from", "to", "status", "started_at", "duration_s", "tags"}
	componentSchemas["CallSummary"] = summary
	componentSchemas["Call"] = obj(callRequired, callProps)
	detail := map[string]Schema{"transcript": arr(ref("CallTurn")), "tool_activity": arr(ref("ToolActivity")),
		"notes": arr(ref("CallNote")), "voicemail": nullable(ref("Voicemail")), "contact": nullable(ref("Contact")),
		"approvals": arr(ref("Approval"))}
	for k, v := range callProps {
		detail[k] = v
	}
	componentSchemas["CallDetail"] = obj(slices.Concat(callRequired, []string{"transcript", "tool_activity", "notes", "voicemail", "contact", "approvals"}), detail)
	componentSchemas["CallTurn"] = obj([]string{"seq", "role", "text", "at"}, map[string]Schema{"seq": integer(), "role": str(),
		"text": str(), "interrupted": boolean(), "heard": str(), "flow_id": str(), "at": dateTime()})
	componentSchemas["ToolActivity"] = obj([]string{"seq", "name", "args", "result_summary", "ms", "at"}, map[string]Schema{
		"seq": integer(), "name": str(), "args": str(), "result_summary": str(), "error": str(), "ms": integer(), "at": dateTime()})
	componentSchemas["CallNote"] = obj([]string{"id", "call_id", "author_user_id", "body", "created_at", "updated_at"}, map[string]Schema{
		"id": str(), "call_id": str(), "author_user_id": str(), "body": str(), "created_at": dateTime(), "updated_at": dateTime()})
	componentSchemas["Voicemail"] = obj([]string{"id", "call_id", "from", "recording_url", "transcript", "duration_s", "heard", "created_at"},
		map[string]Schema{"id": str(), "org_id": str(), "call_id": str(), "from": str(), "flow_id": str(), "recording_url": str(),
			"transcript": str(), "duration_s": integer(), "heard": boolean(), "created_at": dateTime()})
	componentSchemas["CallTags"] = obj([]string{"tag", "tags"}, map[string]Schema{"tag": str(), "tags": arr(str())})
	componentSchemas["OrgTag"] = obj([]string{"tag", "calls"}, map[string]Schema{"tag": str(), "calls": integer()})
	dirs := obj([]string{calls.Inbound, calls.Outbound}, map[string]Schema{calls.Inbound: integer(), calls.Outbound: integer()})
	counts := Schema{"type": "object", "additionalProperties": integer()}
	share := func(key string, more map[string]Schema) Schema {
		props := map[string]Schema{key: str(), "calls": integer(), "avg_duration_s": number()}
		for k, v := range more {
			props[k] = v
		}
		return obj([]string{key, "calls", "avg_duration_s"}, props)
	}
	componentSchemas["CallStats"] = obj([]string{"days", "from", "to", "total_calls", "by_direction", "by_status", "by_outcome_label",
		"avg_duration_s", "total_duration_s", "connected_calls", "voicemails", "by_day", "by_flow"}, map[string]Schema{
		"days": integer(), "flow_id": str(), "from": dateTime(), "to": dateTime(), "total_calls": integer(),
		"by_direction": dirs, "by_status": counts, "by_outcome_label": counts,
		"avg_duration_s": number(), "total_duration_s": integer(), "connected_calls": integer(), "voicemails": integer(),
		"by_day": arr(share("date", nil)), "by_flow": arr(share("flow_id", map[string]Schema{"name": str()}))})
}

// callReview is GET /api/calls/{id}: the call with everything a reviewer
// reads beside it.
type callReview struct {
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

func (s *Server) callReviewRoutes() []*Route {
	call, note, vm, tags := ref("Call"), ref("CallNote"), ref("Voicemail"), ref("CallTags")
	noteBody := strict(obj([]string{"body"}, map[string]Schema{"body": strN(1, calls.MaxNoteLen)}))
	return []*Route{
		{Method: "GET", Path: "/api/calls", OpID: "listCalls", Summary: "Calls, newest first; ?q= ?direction= ?status= ?from= ?to= ?flow_id=", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(call)}, Handle: s.reviewListCalls},
		{Method: "GET", Path: "/api/calls/{id}", OpID: "getCall", Summary: "A call with transcript, tool activity, notes, voicemail and contact", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: ref("CallDetail")}, Handle: s.reviewGetCall},
		{Method: "GET", Path: "/api/calls/{id}/tags", OpID: "listCallTags", Summary: "A call's tags", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(str())}, Handle: func(c *Call) error {
				t, err := calls.Tags(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return List(c, t, "")
			}},
		{Method: "POST", Path: "/api/calls/{id}/tags", OpID: "addCallTag", Summary: "Tag a call (case-insensitive: the call's existing spelling is kept, 200; else the org's, 201)", Tag: "Calls", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"tag"}, map[string]Schema{"tag": strN(1, calls.MaxTagLen)})),
			Schemas:       map[int]Schema{201: tags, 200: tags}, Handle: func(c *Call) error {
				org, id := c.Principal.OrgID, c.Param("id")
				if _, err := calls.Get(s.deps.Store, org, id); err != nil {
					return err // another org's call is 404 whatever the body
				}
				var req struct {
					Tag *string `json:"tag"`
				}
				if err := storage.DecodeStrict(c.Body(), &req); err != nil {
					return err
				}
				if req.Tag == nil {
					return storage.Invalid("tag", "required")
				}
				tag, added, err := calls.AddTag(s.deps.Store, org, id, *req.Tag, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				all, err := calls.Tags(s.deps.Store, org, id)
				if err != nil {
					return err
				}
				status := 200
				if added {
					status = 201
				}
				return c.JSON(status, map[string]any{"tag": tag, "tags": all})
			}},
		{Method: "DELETE", Path: "/api/calls/{id}/tags/{tag}", OpID: "removeCallTag", Summary: "Untag a call (the tag matches ignoring case)", Tag: "Calls", Auth: OperatorUp,
			Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				tag := c.Param("tag") // the router matches the raw path: "follow%20up"
				if u, err := url.PathUnescape(tag); err == nil {
					tag = u
				}
				if err := calls.RemoveTag(s.deps.Store, c.Principal.OrgID, c.Param("id"), tag, s.deps.Clock.Now()); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/call-tags", OpID: "listOrgCallTags", Summary: "The org's tag vocabulary with how many calls carry each tag, by case-folded tag; ?q= a prefix ignoring case",
			Tag: "Calls", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(ref("OrgTag"))}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := calls.ListOrgTags(s.deps.Store, c.Principal.OrgID, c.Query("q"), page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "GET", Path: "/api/calls/{id}/notes", OpID: "listCallNotes", Summary: "A call's notes, oldest first", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(note)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := calls.ListNotes(s.deps.Store, c.Principal.OrgID, c.Param("id"), page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/calls/{id}/notes", OpID: "addCallNote", Summary: "Add a note; the author is the key's user", Tag: "Calls", Auth: OperatorUp,
			RequestSchema: noteBody, Schemas: map[int]Schema{201: note}, Handle: func(c *Call) error {
				n, err := calls.CreateNote(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Principal.UserID, c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, n)
			}},
		{Method: "PATCH", Path: "/api/calls/{id}/notes/{noteId}", OpID: "updateCallNote", Summary: "Edit a note (its author or an admin)", Tag: "Calls", Auth: OperatorUp,
			RequestSchema: noteBody, Schemas: map[int]Schema{200: note}, Handle: func(c *Call) error {
				n, err := calls.PatchNote(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Param("noteId"), callNoteAuthor(c.Principal),
					c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, n)
			}},
		{Method: "DELETE", Path: "/api/calls/{id}/notes/{noteId}", OpID: "deleteCallNote", Summary: "Delete a note (its author or an admin)", Tag: "Calls", Auth: OperatorUp,
			Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := calls.DeleteNote(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Param("noteId"), callNoteAuthor(c.Principal)); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/voicemails", OpID: "listVoicemails", Summary: "Voicemails, newest first; ?heard=true|false", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(vm)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				var heard *bool
				if v := c.Query("heard"); v != "" {
					b, ok := parseQueryBool(v)
					if !ok {
						return storage.Invalid("heard", "must be true or false")
					}
					heard = &b
				}
				items, next, err := calls.ListVoicemails(s.deps.Store, c.Principal.OrgID, heard, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "GET", Path: "/api/voicemails/{id}", OpID: "getVoicemail", Summary: "One voicemail", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: vm}, Handle: func(c *Call) error {
				v, err := calls.GetVoicemail(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, v)
			}},
		{Method: "PATCH", Path: "/api/voicemails/{id}", OpID: "updateVoicemail", Summary: "Mark a voicemail heard or unheard", Tag: "Calls", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"heard"}, map[string]Schema{"heard": boolIn()})),
			Schemas:       map[int]Schema{200: vm}, Handle: func(c *Call) error {
				if _, err := calls.GetVoicemail(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err // another org's voicemail is 404 whatever the body
				}
				var req struct {
					Heard *storage.Bool `json:"heard"`
				}
				if err := storage.DecodeStrict(c.Body(), &req); err != nil {
					return err
				}
				if req.Heard == nil {
					return storage.Invalid("heard", "required")
				}
				v, err := calls.SetHeard(s.deps.Store, c.Principal.OrgID, c.Param("id"), bool(*req.Heard))
				if err != nil {
					return err
				}
				return c.JSON(200, v)
			}},
		{Method: "GET", Path: "/api/analytics", OpID: "getAnalytics", Summary: "Call volume, outcomes and durations over ?days= (1-365, default 30), by day and flow", Tag: "Calls", Auth: ViewerUp,
			Schemas: map[int]Schema{200: ref("CallStats")}, Handle: func(c *Call) error { return s.reviewStats(c, "") }},
		{Method: "GET", Path: "/api/flows/{id}/metrics", OpID: "getFlowMetrics", Summary: "The same figures for the calls one flow handled", Tag: "Flows", Auth: ViewerUp,
			Schemas: map[int]Schema{200: ref("CallStats")}, Handle: func(c *Call) error {
				if _, err := s.deps.Flows.Get(c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return s.reviewStats(c, c.Param("id"))
			}},
	}
}

func callNoteAuthor(p *tenancy.Principal) calls.Author {
	return calls.Author{UserID: p.UserID, Admin: p.Role.AtLeast(tenancy.Admin)}
}

func parseQueryBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// orgNow is the clock's now in the org's time zone, which is what "a day"
// means in date filters and analytics.
func (s *Server) orgLocalNow(org string) time.Time {
	now := s.deps.Clock.Now()
	if s.deps.Tenancy == nil {
		return now
	}
	o, err := s.deps.Tenancy.Org(org)
	if err != nil || o.Timezone == "" {
		return now
	}
	if loc, err := time.LoadLocation(o.Timezone); err == nil {
		return now.In(loc)
	}
	return now
}

func (s *Server) reviewListCalls(c *Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	org := c.Principal.OrgID
	f := calls.Filter{Q: c.Query("q"), Direction: c.Query("direction"), Status: c.Query("status"), FlowID: c.Query("flow_id"),
		Name: s.contactName}
	v := &storage.ValidationError{}
	if f.Direction != "" && f.Direction != calls.Inbound && f.Direction != calls.Outbound {
		v.Add("direction", "must be inbound or outbound")
	}
	if f.Status != "" && !slices.Contains(calls.Statuses, f.Status) {
		v.Add("status", "must be one of "+strings.Join(calls.Statuses, ", "))
	}
	if from, to := c.Query("from"), c.Query("to"); from != "" || to != "" {
		loc := s.orgLocalNow(org).Location()
		if f.From, err = parseCallWhen(from, loc, false); err != nil {
			v.Add("from", err.Error())
		}
		if f.To, err = parseCallWhen(to, loc, true); err != nil {
			v.Add("to", err.Error())
		}
		if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
			v.Add("to", "must be after from")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	items, next, err := calls.List(s.deps.Store, org, f, page)
	if err != nil {
		return err
	}
	return List(c, items, next)
}

var errCallWhen = errors.New("must be an RFC 3339 time or a YYYY-MM-DD date")

// parseWhen reads a from/to bound: an RFC 3339 instant, or a date in loc
// (the org's time zone) meaning its start, or for the end bound (to) the
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

func (s *Server) reviewGetCall(c *Call) error {
	org, id, st := c.Principal.OrgID, c.Param("id"), s.deps.Store
	call, err := calls.Get(st, org, id)
	if err != nil {
		return err
	}
	if call.Tags == nil {
		call.Tags = []string{}
	}
	d := &callReview{Call: call}
	if d.Transcript, err = calls.Turns(st, org, id); err != nil {
		return err
	}
	if d.ToolActivity, err = calls.Tools(st, org, id); err != nil {
		return err
	}
	if d.Notes, err = calls.Notes(st, org, id); err != nil {
		return err
	}
	if d.Voicemail, err = calls.VoicemailOf(st, org, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if d.Contact, err = s.reviewContact(call); err != nil {
		return err
	}
	if d.Approvals, _, err = mcptools.ListApprovals(st, org, mcptools.Filter{SubjectID: id}, storage.PageRequest{Limit: storage.MaxPageLimit}); err != nil {
		return err
	}
	return c.JSON(200, d)
}

// reviewContact is the call's contact record: the one the call names, else the
// one of the other party's number, else nil.
func (s *Server) reviewContact(call *calls.Call) (*sms.Contact, error) {
	id := call.ContactID
	if id == "" {
		other := call.From
		if call.Direction == calls.Outbound {
			other = call.To
		}
		if other == "" {
			return nil, nil
		}
		id = sms.ContactID(call.OrgID, other)
	}
	ct, err := sms.GetContact(s.deps.Store, call.OrgID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return ct, err
}

func (s *Server) reviewStats(c *Call, flowID string) error {
	days := 30 // A29
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > calls.MaxAnalyticsDays {
			return storage.Invalid("days", "must be an integer from 1 to 365")
		}
		days = n
	}
	org := c.Principal.OrgID
	var st *calls.Stats
	var err error
	if flowID == "" {
		st, err = calls.Analytics(s.deps.Store, org, days, s.orgLocalNow(org))
	} else {
		st, err = calls.FlowMetrics(s.deps.Store, org, flowID, days, s.orgLocalNow(org))
	}
	if err != nil {
		return err
	}
	for _, fs := range st.ByFlow {
		if f, err := s.deps.Flows.Get(org, fs.FlowID); err == nil {
			fs.Name = f.Name
		}
	}
	return c.JSON(200, st)
}

// contactName is the current name of the org's contact at e164 (all of its
// name fields), for the call search.
func (s *Server) contactName(org, e164 string) string {
	ct, err := sms.ContactByE164(s.deps.Store, org, e164)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(ct.Name + " " + ct.FirstName + " " + ct.LastName)
}
