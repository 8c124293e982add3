package httpapi

import (
	"strconv"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/knowledge"
)

func init() {
	componentSchemas["KnowledgeDoc"] = obj([]string{"id", "title", "text", "created_at"}, map[string]Schema{"id": str(), "org_id": str(),
		"title": str(), "text": str(), "created_at": dateTime(), "updated_at": dateTime()})
	componentSchemas["Passage"] = obj([]string{"doc_id", "title", "text", "score"}, map[string]Schema{"doc_id": str(), "title": str(),
		"text": str(), "score": number()})
}

func (s *Server) knowledgeRoutes() []*Route {
	doc := ref("KnowledgeDoc")
	body := func(required ...string) Schema {
		return strict(obj(required, map[string]Schema{"title": strN(1, knowledge.MaxTitle), "text": strN(1, knowledge.MaxText)}))
	}
	return []*Route{
		{Method: "GET", Path: "/api/knowledge", OpID: "listKnowledge", Summary: "Knowledge base documents", Tag: "Knowledge", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(doc)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := knowledge.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/knowledge", OpID: "createKnowledge", Summary: "Add a document (blank lines split passages)", Tag: "Knowledge", Auth: AdminUp,
			RequestSchema: body("title", "text"), Schemas: map[int]Schema{201: doc}, Handle: func(c *Call) error {
				d, err := knowledge.Create(s.deps.Store, c.Principal.OrgID, c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, d)
			}},
		{Method: "GET", Path: "/api/knowledge/search", OpID: "searchKnowledge", Summary: "BM25-ranked passages for ?q= (the AI's lookup_knowledge)", Tag: "Knowledge", Auth: ViewerUp,
			Schemas: map[int]Schema{200: obj([]string{"data"}, map[string]Schema{"data": arr(ref("Passage"))})}, Handle: func(c *Call) error {
				k := 5
				if v := c.Query("limit"); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil || n < 1 || n > 50 {
						return storage.Invalid("limit", "must be an integer from 1 to 50")
					}
					k = n
				}
				if c.Query("q") == "" {
					return storage.Invalid("q", "required")
				}
				ps, err := knowledge.Search(s.deps.Store, c.Principal.OrgID, c.Query("q"), k)
				if err != nil {
					return err
				}
				return c.JSON(200, map[string]any{"data": ps})
			}},
		{Method: "GET", Path: "/api/knowledge/{id}", OpID: "getKnowledge", Summary: "One document", Tag: "Knowledge", Auth: ViewerUp,
			Schemas: map[int]Schema{200: doc}, Handle: func(c *Call) error {
				d, err := knowledge.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, d)
			}},
		{Method: "PATCH", Path: "/api/knowledge/{id}", OpID: "updateKnowledge", Summary: "Edit a document", Tag: "Knowledge", Auth: AdminUp,
			RequestSchema: body(), Schemas: map[int]Schema{200: doc}, Handle: func(c *Call) error {
				d, err := knowledge.Patch(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, d)
			}},
		{Method: "DELETE", Path: "/api/knowledge/{id}", OpID: "deleteKnowledge", Summary: "Delete a document", Tag: "Knowledge", Auth: AdminUp,
			Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := knowledge.Delete(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
	}
}
