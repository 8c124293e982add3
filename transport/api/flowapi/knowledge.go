package flowapi

import (
	"strconv"

	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

func init() {
	httpapi.Component[knowledge.Doc]("KnowledgeDoc", nil)
	httpapi.Component[knowledge.Passage]("Passage", nil)
}

type (
	createDocRequest struct {
		Title string `json:"title" jsonschema:"minLength=1"`
		Text  string `json:"text" jsonschema:"minLength=1"`
	}
	patchDocRequest struct {
		Title string `json:"title,omitempty" jsonschema:"minLength=1"`
		Text  string `json:"text,omitempty" jsonschema:"minLength=1"`
	}
)

func (createDocRequest) JSONSchemaExtend(s httpapi.Schema) { docLimits(s) }
func (patchDocRequest) JSONSchemaExtend(s httpapi.Schema)  { docLimits(s) }

func docLimits(s httpapi.Schema) {
	httpapi.Prop(s, "title")["maxLength"] = knowledge.MaxTitle
	httpapi.Prop(s, "text")["maxLength"] = knowledge.MaxText
}

func (a *API) knowledgeRoutes() []*httpapi.Route {
	doc := httpapi.Answer[knowledge.Doc](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/knowledge", OpID: "listKnowledge", Summary: "Knowledge base documents", Tag: "Knowledge", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*knowledge.Doc]](200), Handle: a.listDocs},
		{Method: "POST", Path: "/api/knowledge", OpID: "createKnowledge", Summary: "Add a document (blank lines split passages)", Tag: "Knowledge", Auth: httpapi.AdminUp,
			Request: httpapi.Type[createDocRequest](), Responses: httpapi.Answer[knowledge.Doc](201), Handle: a.createDoc},
		{Method: "GET", Path: "/api/knowledge/search", OpID: "searchKnowledge", Summary: "BM25-ranked passages for ?q= (the AI's lookup_knowledge)", Tag: "Knowledge", Auth: httpapi.ViewerUp,
			Fails: []int{422}, Responses: httpapi.Answer[httpapi.Items[knowledge.Passage]](200), Handle: a.searchDocs},
		{Method: "GET", Path: "/api/knowledge/{id}", OpID: "getKnowledge", Summary: "One document", Tag: "Knowledge", Auth: httpapi.ViewerUp,
			Responses: doc, Handle: a.getDoc},
		{Method: "PATCH", Path: "/api/knowledge/{id}", OpID: "updateKnowledge", Summary: "Edit a document", Tag: "Knowledge", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchDocRequest](), Responses: doc, Handle: a.updateDoc},
		{Method: "DELETE", Path: "/api/knowledge/{id}", OpID: "deleteKnowledge", Summary: "Delete a document", Tag: "Knowledge", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteDoc},
	}
}

func (a *API) listDocs(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListKnowledge(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createDoc(c *httpapi.Call) error {
	var in knowledge.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	d, err := a.d.Svc.CreateKnowledge(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, d)
}

func (a *API) searchDocs(c *httpapi.Call) error {
	q := flowsvc.SearchKnowledgeQuery{Q: c.Query("q")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return storage.Invalid("limit", "must be an integer from 1 to 50")
		}
		q.Limit = n
	}
	ps, err := a.d.Svc.SearchKnowledge(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return c.JSON(200, &httpapi.Items[knowledge.Passage]{Data: ps})
}

func (a *API) getDoc(c *httpapi.Call) error {
	d, err := a.d.Svc.GetKnowledge(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}

func (a *API) updateDoc(c *httpapi.Call) error {
	var in knowledge.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	d, err := a.d.Svc.UpdateKnowledge(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}

func (a *API) deleteDoc(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteKnowledge(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}
