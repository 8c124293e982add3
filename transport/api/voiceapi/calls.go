package voiceapi

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
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
	t, next, err := a.d.Svc.ListCallTags(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return httpapi.List(c, t, next)
}

// decodeOr decodes the body into in; when it does not decode, it runs op
// with the zero input instead, which answers not found (or forbidden) for a
// record the caller may not change whatever the body, and otherwise fails
// on the missing field without writing anything: then the decoding error is
// the answer.
func decodeOr[T any](c *httpapi.Call, in *T, op func(T) error) error {
	derr := wire.DecodeStrict(c.Body(), in)
	if derr == nil {
		return op(*in)
	}
	var zero T
	if err := op(zero); err != nil && !errors.Is(err, storage.ErrInvalid) {
		return err
	}
	return derr
}

func (a *API) addCallTag(c *httpapi.Call) error {
	var req addTagRequest
	var res *voicesvc.CallTags
	err := decodeOr(c, &req, func(r addTagRequest) (err error) {
		res, err = a.d.Svc.AddCallTag(c.Ctx, c.Principal, c.Param("id"), voicesvc.CallTagInput{Tag: r.Tag})
		return err
	})
	if err != nil {
		return err
	}
	status := 200
	if res.Added {
		status = 201
	}
	return c.JSON(status, res)
}

func (a *API) removeCallTag(c *httpapi.Call) error {
	tag := c.Param("tag") // the router matches the raw path: "follow%20up"
	if u, err := url.PathUnescape(tag); err == nil {
		tag = u
	}
	if err := a.d.Svc.RemoveCallTag(c.Ctx, c.Principal, c.Param("id"), tag); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listOrgCallTags(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListOrgCallTags(c.Ctx, c.Principal, voicesvc.ListOrgCallTagsQuery{Q: c.Query("q"), Page: page})
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
	items, next, err := a.d.Svc.ListCallNotes(c.Ctx, c.Principal, c.Param("id"), voicesvc.ListCallNotesQuery{Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) addCallNote(c *httpapi.Call) error {
	var in calls.NoteInput
	var n *calls.Note
	err := decodeOr(c, &in, func(in calls.NoteInput) (err error) {
		n, err = a.d.Svc.AddCallNote(c.Ctx, c.Principal, c.Param("id"), in)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(201, n)
}

func (a *API) updateCallNote(c *httpapi.Call) error {
	var in calls.NoteInput
	var n *calls.Note
	err := decodeOr(c, &in, func(in calls.NoteInput) (err error) {
		n, err = a.d.Svc.UpdateCallNote(c.Ctx, c.Principal, c.Param("id"), c.Param("noteId"), in)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(200, n)
}

func (a *API) deleteCallNote(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteCallNote(c.Ctx, c.Principal, c.Param("id"), c.Param("noteId")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listVoicemails(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	q := voicesvc.ListVoicemailsQuery{Page: page}
	if v := c.Query("heard"); v != "" {
		b, ok := parseQueryBool(v)
		if !ok {
			return storage.Invalid("heard", "must be true or false")
		}
		q.Heard = &b
	}
	items, next, err := a.d.Svc.ListVoicemails(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) getVoicemail(c *httpapi.Call) error {
	v, err := a.d.Svc.GetVoicemail(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) updateVoicemail(c *httpapi.Call) error {
	var req heardRequest
	var v *calls.Voicemail
	err := decodeOr(c, &req, func(r heardRequest) (err error) {
		var in voicesvc.VoicemailInput
		if r.Heard != nil {
			h := bool(*r.Heard)
			in.Heard = &h
		}
		v, err = a.d.Svc.UpdateVoicemail(c.Ctx, c.Principal, c.Param("id"), in)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

func (a *API) getAnalytics(c *httpapi.Call) error {
	q, err := analyticsQuery(c)
	if err != nil {
		return err
	}
	st, err := a.d.Svc.GetAnalytics(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return c.JSON(200, st)
}

func (a *API) getFlowMetrics(c *httpapi.Call) error {
	q, err := analyticsQuery(c)
	if err != nil {
		return err
	}
	st, err := a.d.Svc.GetFlowMetrics(c.Ctx, c.Principal, c.Param("id"), q)
	if err != nil {
		return err
	}
	return c.JSON(200, st)
}

// analyticsQuery reads ?days= (the service checks its range).
func analyticsQuery(c *httpapi.Call) (voicesvc.AnalyticsQuery, error) {
	var q voicesvc.AnalyticsQuery
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, storage.Invalid("days", "must be an integer from 1 to 365")
		}
		q.Days = n
	}
	return q, nil
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
	q, err := callsQuery(c)
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListCalls(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

// callsQuery reads the /api/calls filters.
func callsQuery(c *httpapi.Call) (voicesvc.ListCallsQuery, error) {
	page, err := c.Page()
	if err != nil {
		return voicesvc.ListCallsQuery{}, err
	}
	return voicesvc.ListCallsQuery{Q: c.Query("q"), Direction: c.Query("direction"), Status: c.Query("status"),
		FlowID: c.Query("flow_id"), From: c.Query("from"), To: c.Query("to"), Page: page}, nil
}

func (a *API) getCall(c *httpapi.Call) error {
	d, err := a.d.Svc.GetCall(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}
