package console

import (
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/httpapi"
)

type callsView struct {
	Query voicesvc.ListCallsQuery
	Calls []*calls.Call
	Next  string
}

// calls searches the org's calls with the REST list's filters.
func (a *API) calls(c *httpapi.Call, s *session) error {
	q := voicesvc.ListCallsQuery{Q: c.Query("q"), Direction: c.Query("direction"), Status: c.Query("status"),
		From: c.Query("from"), To: c.Query("to"), Page: storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()}}
	list, next, err := a.d.Svc.ListCalls(c.Ctx, s.P, q)
	if err != nil {
		return err
	}
	return a.render(c, 200, s, "calls", "Calls", "calls", &callsView{Query: q, Calls: list, Next: next})
}

type callView struct {
	*voicesvc.CallDetail
	Live bool // still going: the page follows the call's own event stream
}

// call shows a call: transcript, summary, outcome, tool activity, tags,
// notes and voicemail. While it lasts the transcript refetches on the
// call's live stream (GET /api/calls/{id}/stream).
func (a *API) call(c *httpapi.Call, s *session) error {
	return a.showCall(c, s, c.Param("id"))
}

func (a *API) showCall(c *httpapi.Call, s *session, id string) error {
	d, err := a.d.Svc.GetCall(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	title := "Call with " + d.From
	if d.Direction == "outbound" {
		title = "Call to " + d.To
	}
	return a.render(c, 200, s, "call", title, "calls", &callView{CallDetail: d, Live: !d.Ended()})
}

func (a *API) addCallNote(c *httpapi.Call, s *session) error {
	id, body := c.Param("id"), c.Form("body")
	if _, err := a.d.Svc.AddCallNote(c.Ctx, s.P, id, calls.NoteInput{Body: &body}); err != nil {
		return err
	}
	return a.showCall(c, s, id)
}

func (a *API) addCallTag(c *httpapi.Call, s *session) error {
	id, tag := c.Param("id"), form(c, "tag")
	if _, err := a.d.Svc.AddCallTag(c.Ctx, s.P, id, voicesvc.CallTagInput{Tag: &tag}); err != nil {
		return err
	}
	return a.showCall(c, s, id)
}

type voicemailsView struct {
	Filter     string
	Voicemails []*calls.Voicemail
	Next       string
}

// voicemails lists voicemails, unheard first by default.
func (a *API) voicemails(c *httpapi.Call, s *session) error {
	filter := c.Query("filter")
	q := voicesvc.ListVoicemailsQuery{Page: storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()}}
	switch filter {
	case "", "unheard":
		filter = "unheard"
		f := false
		q.Heard = &f
	case "heard":
		t := true
		q.Heard = &t
	case "all":
	default:
		return errField("filter", "must be unheard, heard or all")
	}
	list, next, err := a.d.Svc.ListVoicemails(c.Ctx, s.P, q)
	if err != nil {
		return err
	}
	return a.render(c, 200, s, "voicemails", "Voicemails", "voicemails", &voicemailsView{Filter: filter, Voicemails: list, Next: next})
}

func (a *API) markHeard(c *httpapi.Call, s *session) error {
	t := true
	if _, err := a.d.Svc.UpdateVoicemail(c.Ctx, s.P, c.Param("id"), voicesvc.VoicemailInput{Heard: &t}); err != nil {
		return err
	}
	return redirect(c, "/voicemails")
}
