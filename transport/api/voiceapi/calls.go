package voiceapi

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
	"github.com/humd/humd/transport/httpapi"
)

type (
	addTagRequest struct {
		Tag *string `json:"tag,omitempty" jsonschema:"required,minLength=1"`
	}
	noteRequest struct {
		Body string `json:"body" jsonschema:"minLength=1"`
	}
	heardRequest struct {
		Heard *storage.Bool `json:"heard,omitempty" jsonschema:"required"`
	}
)

func (addTagRequest) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.Prop(s, "tag")["maxLength"] = calls.MaxTagLen
}
func (noteRequest) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.Prop(s, "body")["maxLength"] = calls.MaxNoteLen
}

func (a *API) reviewRoutes() []*httpapi.Route {
	note, vm := httpapi.Answer[calls.Note](200), httpapi.Answer[calls.Voicemail](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/calls", OpID: "listCalls", Summary: "Calls, newest first; ?q= ?direction= ?status= ?from= ?to= ?flow_id=", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*calls.Call]](200), Handle: a.listCalls},
		{Method: "GET", Path: "/api/calls/{id}", OpID: "getCall", Summary: "A call with transcript, tool activity, notes, voicemail and contact", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[CallDetail](200), Handle: a.getCall},
		{Method: "GET", Path: "/api/calls/{id}/tags", OpID: "listCallTags", Summary: "A call's tags", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[string]](200), Handle: a.listCallTags},
		{Method: "POST", Path: "/api/calls/{id}/tags", OpID: "addCallTag", Summary: "Tag a call (case-insensitive: the call's existing spelling is kept, 200; else the org's, 201)", Tag: "Calls", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[addTagRequest](), Responses: httpapi.Answer[CallTags](200, 201), Handle: a.addCallTag},
		{Method: "DELETE", Path: "/api/calls/{id}/tags/{tag}", OpID: "removeCallTag", Summary: "Untag a call (the tag matches ignoring case)", Tag: "Calls", Auth: httpapi.OperatorUp,
			Responses: httpapi.NoBody(204), Handle: a.removeCallTag},
		{Method: "GET", Path: "/api/call-tags", OpID: "listOrgCallTags", Summary: "The org's tag vocabulary with how many calls carry each tag, by case-folded tag; ?q= a prefix ignoring case",
			Tag: "Calls", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*calls.OrgTag]](200), Handle: a.listOrgCallTags},
		{Method: "GET", Path: "/api/calls/{id}/notes", OpID: "listCallNotes", Summary: "A call's notes, oldest first", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*calls.Note]](200), Handle: a.listCallNotes},
		{Method: "POST", Path: "/api/calls/{id}/notes", OpID: "addCallNote", Summary: "Add a note; the author is the key's user", Tag: "Calls", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[noteRequest](), Responses: httpapi.Answer[calls.Note](201), Handle: a.addCallNote},
		{Method: "PATCH", Path: "/api/calls/{id}/notes/{noteId}", OpID: "updateCallNote", Summary: "Edit a note (its author or an admin)", Tag: "Calls", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[noteRequest](), Responses: note, Handle: a.updateCallNote},
		{Method: "DELETE", Path: "/api/calls/{id}/notes/{noteId}", OpID: "deleteCallNote", Summary: "Delete a note (its author or an admin)", Tag: "Calls", Auth: httpapi.OperatorUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteCallNote},
		{Method: "GET", Path: "/api/voicemails", OpID: "listVoicemails", Summary: "Voicemails, newest first; ?heard=true|false", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*calls.Voicemail]](200), Handle: a.listVoicemails},
		{Method: "GET", Path: "/api/voicemails/{id}", OpID: "getVoicemail", Summary: "One voicemail", Tag: "Calls", Auth: httpapi.ViewerUp,
			Responses: vm, Handle: a.getVoicemail},
		{Method: "PATCH", Path: "/api/voicemails/{id}", OpID: "updateVoicemail", Summary: "Mark a voicemail heard or unheard", Tag: "Calls", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[heardRequest](), Responses: vm, Handle: a.updateVoicemail},
		{Method: "GET", Path: "/api/analytics", OpID: "getAnalytics", Summary: "Call volume, outcomes and durations over ?days= (1-365, default 30), by day and flow", Tag: "Calls", Auth: httpapi.ViewerUp,
			Fails: []int{422}, Responses: httpapi.Answer[calls.Stats](200), Handle: a.getAnalytics},
		{Method: "GET", Path: "/api/flows/{id}/metrics", OpID: "getFlowMetrics", Summary: "The same figures for the calls one flow handled", Tag: "Flows", Auth: httpapi.ViewerUp,
			Fails: []int{422}, Responses: httpapi.Answer[calls.Stats](200), Handle: a.getFlowMetrics},
	}
}

func (a *API) listCallTags(c *httpapi.Call) error {
	t, err := calls.Tags(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return httpapi.List(c, t, "")
}

func (a *API) addCallTag(c *httpapi.Call) error {
	org, id := c.Principal.OrgID, c.Param("id")
	if _, err := calls.Get(a.d.Store, org, id); err != nil {
		return err // another org's call is 404 whatever the body
	}
	var req addTagRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if req.Tag == nil {
		return storage.Invalid("tag", "required")
	}
	tag, added, err := calls.AddTag(a.d.Store, org, id, *req.Tag, a.d.Clock.Now())
	if err != nil {
		return err
	}
	all, err := calls.Tags(a.d.Store, org, id)
	if err != nil {
		return err
	}
	status := 200
	if added {
		status = 201
	}
	return c.JSON(status, &CallTags{Tag: tag, Tags: all})
}

func (a *API) removeCallTag(c *httpapi.Call) error {
	tag := c.Param("tag") // the router matches the raw path: "follow%20up"
	if u, err := url.PathUnescape(tag); err == nil {
		tag = u
	}
	if err := calls.RemoveTag(a.d.Store, c.Principal.OrgID, c.Param("id"), tag, a.d.Clock.Now()); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listOrgCallTags(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := calls.ListOrgTags(a.d.Store, c.Principal.OrgID, c.Query("q"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) listCallNotes(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := calls.ListNotes(a.d.Store, c.Principal.OrgID, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) addCallNote(c *httpapi.Call) error {
	n, err := calls.CreateNote(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Principal.UserID, c.Body(), a.d.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(201, n)
}

func (a *API) updateCallNote(c *httpapi.Call) error {
	n, err := calls.PatchNote(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Param("noteId"), noteAuthor(c.Principal),
		c.Body(), a.d.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(200, n)
}

func (a *API) deleteCallNote(c *httpapi.Call) error {
	if err := calls.DeleteNote(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Param("noteId"), noteAuthor(c.Principal)); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listVoicemails(c *httpapi.Call) error {
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
	items, next, err := calls.ListVoicemails(a.d.Store, c.Principal.OrgID, heard, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) getVoicemail(c *httpapi.Call) error {
	v, err := calls.GetVoicemail(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) updateVoicemail(c *httpapi.Call) error {
	if _, err := calls.GetVoicemail(a.d.Store, c.Principal.OrgID, c.Param("id")); err != nil {
		return err // another org's voicemail is 404 whatever the body
	}
	var req heardRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if req.Heard == nil {
		return storage.Invalid("heard", "required")
	}
	v, err := calls.SetHeard(a.d.Store, c.Principal.OrgID, c.Param("id"), bool(*req.Heard))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) getAnalytics(c *httpapi.Call) error { return a.stats(c, "") }

func (a *API) getFlowMetrics(c *httpapi.Call) error {
	if _, err := a.d.Flows.Get(c.Principal.OrgID, c.Param("id")); err != nil {
		return err
	}
	return a.stats(c, c.Param("id"))
}

func noteAuthor(p *tenancy.Principal) calls.Author {
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

func (a *API) listCalls(c *httpapi.Call) error {
	return a.listCallsOf(c, c.Query("direction"))
}

// listCallsOf lists the org's calls with the query's filters, direction
// given apart so listOutboundCalls can fix it.
func (a *API) listCallsOf(c *httpapi.Call, direction string) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	org := c.Principal.OrgID
	f := calls.Filter{Q: c.Query("q"), Direction: direction, Status: c.Query("status"), FlowID: c.Query("flow_id"),
		Name: a.contactName}
	v := &storage.ValidationError{}
	if f.Direction != "" && f.Direction != calls.Inbound && f.Direction != calls.Outbound {
		v.Add("direction", "must be inbound or outbound")
	}
	if f.Status != "" && !slices.Contains(calls.Statuses, f.Status) {
		v.Add("status", "must be one of "+strings.Join(calls.Statuses, ", "))
	}
	if from, to := c.Query("from"), c.Query("to"); from != "" || to != "" {
		loc := a.orgLocalNow(org).Location()
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
	items, next, err := calls.List(a.d.Store, org, f, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
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

func (a *API) getCall(c *httpapi.Call) error {
	org, id, st := c.Principal.OrgID, c.Param("id"), a.d.Store
	call, err := calls.Get(st, org, id)
	if err != nil {
		return err
	}
	return a.callDetail(c, call)
}

func (a *API) callDetail(c *httpapi.Call, call *calls.Call) error {
	org, id, st := call.OrgID, call.ID, a.d.Store
	if call.Tags == nil {
		call.Tags = []string{}
	}
	d := &CallDetail{Call: call}
	var err error
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
	if d.Contact, err = a.callContact(call); err != nil {
		return err
	}
	if d.Approvals, _, err = mcptools.ListApprovals(st, org, mcptools.Filter{SubjectID: id}, storage.PageRequest{Limit: storage.MaxPageLimit}); err != nil {
		return err
	}
	return c.JSON(200, d)
}

// callContact is the call's contact record: the one the call names, else
// the one of the other party's number, else nil.
func (a *API) callContact(call *calls.Call) (*sms.Contact, error) {
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
	ct, err := sms.GetContact(a.d.Store, call.OrgID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return ct, err
}

func (a *API) stats(c *httpapi.Call, flowID string) error {
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
		st, err = calls.Analytics(a.d.Store, org, days, a.orgLocalNow(org))
	} else {
		st, err = calls.FlowMetrics(a.d.Store, org, flowID, days, a.orgLocalNow(org))
	}
	if err != nil {
		return err
	}
	for _, fs := range st.ByFlow {
		if f, err := a.d.Flows.Get(org, fs.FlowID); err == nil {
			fs.Name = f.Name
		}
	}
	return c.JSON(200, st)
}

// contactName is the current name of the org's contact at e164 (all of its
// name fields), for the call search.
func (a *API) contactName(org, e164 string) string {
	ct, err := sms.ContactByE164(a.d.Store, org, e164)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(ct.Name + " " + ct.FirstName + " " + ct.LastName)
}
