package console

import (
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// The knowledge page: the documents lookup_knowledge searches, and a
// preview of what a search finds.

type knowledgeView struct {
	Docs     []*knowledge.Doc
	Next     string
	Q        string
	Passages []knowledge.Passage
	Searched bool
	Admin    bool
	Notice   string

	// The add form, or the edited document, as typed, and its errors.
	Doc    *knowledge.Doc
	Title  string
	Text   string
	Errors map[string]string
}

// Err is one field's validation error.
func (v *knowledgeView) Err(field string) string { return v.Errors[field] }

func (a *API) knowledge(c *httpapi.Call, s *session) error {
	v := &knowledgeView{Q: c.Query("q")}
	v.Notice = doneNotice(c, knowledgeNotices)
	if v.Q != "" {
		ps, err := a.d.Svc.SearchKnowledge(c.Ctx, s.P, flowsvc.SearchKnowledgeQuery{Q: v.Q})
		if err != nil {
			return err
		}
		v.Passages, v.Searched = ps, true
	}
	return a.showKnowledge(c, s, 200, v)
}

func (a *API) showKnowledge(c *httpapi.Call, s *session, status int, v *knowledgeView) error {
	var err error
	v.Docs, v.Next, err = a.d.Svc.ListKnowledge(c.Ctx, s.P, storage.PageRequest{Limit: 100, Cursor: c.Query("cursor"), Skips: c.Skips()})
	if err != nil {
		return err
	}
	v.Admin = s.can(tenancy.Admin)
	return a.render(c, status, s, "knowledge", "Knowledge", "knowledge", v)
}

func (a *API) addKnowledge(c *httpapi.Call, s *session) error {
	title, text := form(c, "title"), c.Form("text")
	_, err := a.d.Svc.CreateKnowledge(c.Ctx, s.P, knowledge.Input{Title: &title, Text: &text})
	if fe := fieldErrors(err); fe != nil {
		return a.showKnowledge(c, s, 422, &knowledgeView{Title: title, Text: text, Errors: fe})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/knowledge?done=added")
}

type knowledgeDocView struct {
	Doc    *knowledge.Doc
	Title  string
	Text   string
	Errors map[string]string
	Admin  bool
	Notice string
}

// Err is one field's validation error.
func (v *knowledgeDocView) Err(field string) string { return v.Errors[field] }

func (a *API) knowledgeDoc(c *httpapi.Call, s *session) error {
	d, err := a.d.Svc.GetKnowledge(c.Ctx, s.P, c.Param("id"))
	if err != nil {
		return err
	}
	v := &knowledgeDocView{Doc: d, Title: d.Title, Text: d.Text, Admin: s.can(tenancy.Admin)}
	if c.Query("done") == "saved" {
		v.Notice = "Saved."
	}
	return a.render(c, 200, s, "knowledge_doc", d.Title, "knowledge", v)
}

func (a *API) saveKnowledge(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	title, text := form(c, "title"), c.Form("text")
	_, err := a.d.Svc.UpdateKnowledge(c.Ctx, s.P, id, knowledge.Input{Title: &title, Text: &text})
	if fe := fieldErrors(err); fe != nil {
		d, gerr := a.d.Svc.GetKnowledge(c.Ctx, s.P, id)
		if gerr != nil {
			return gerr
		}
		return a.render(c, 422, s, "knowledge_doc", d.Title, "knowledge", &knowledgeDocView{Doc: d, Title: title, Text: text, Errors: fe, Admin: true})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/knowledge/"+id+"?done=saved")
}

func (a *API) deleteKnowledge(c *httpapi.Call, s *session) error {
	if err := a.d.Svc.DeleteKnowledge(c.Ctx, s.P, c.Param("id")); err != nil {
		return err
	}
	return redirect(c, "/knowledge?done=deleted")
}

// knowledgeNotices are what the knowledge page says after a change sent it back (?done=).
var knowledgeNotices = map[string]string{
	"added":   "Document added.",
	"deleted": "Document deleted.",
}
