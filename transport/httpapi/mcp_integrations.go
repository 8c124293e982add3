package httpapi

import (
	"context"
	"time"

	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/tenancy"
)

// mcpToolTimeout bounds a test or an approved tool call made in a handler.
const mcpToolTimeout = 45 * time.Second

func init() {
	componentSchemas["MCPIntegration"] = obj([]string{"id", "name", "transport", "url", "slug", "auth", "allowed_tools_json",
		"auto_approve_tools_json", "require_approval_default", "enabled", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "name": str(), "transport": enum(mcptools.TransportStreamable, mcptools.TransportSSE),
		"url": str(), "slug": str(),
		"auth": obj([]string{"type"}, map[string]Schema{"type": enum(mcptools.AuthNone, mcptools.AuthBearer, mcptools.AuthHeader),
			"header": str(), "hint": str()}),
		"allowed_tools_json": arr(str()), "auto_approve_tools_json": arr(str()), "require_approval_default": boolean(),
		"enabled": boolean(), "created_at": dateTime(), "updated_at": dateTime()})
	Component[mcptools.Approval]("Approval", func(s Schema) {
		SetEnum(s, "subject_type", "conversation", "call")
		SetProp(s, "arguments", FreeForm("the tool call's arguments, as the model gave them"))
		SetEnum(s, "status", mcptools.Statuses...)
	})
}

// decider names who decided an approval: the key's user, else the key.
func decider(p *tenancy.Principal) string {
	if p.UserID != "" {
		return p.UserID
	}
	return p.KeyID
}

func (s *Server) mcpIntegrationRoutes() []*Route {
	in, apr := ref("MCPIntegration"), ref("Approval")
	tools := arr(str())
	body := func(req ...string) Schema {
		return strict(obj(req, map[string]Schema{"name": strN(1, 120), "transport": enum(mcptools.TransportStreamable, mcptools.TransportSSE, "stdio"),
			"url": str(), "auth": strict(obj([]string{"type"}, map[string]Schema{"type": enum(mcptools.AuthNone, mcptools.AuthBearer, mcptools.AuthHeader),
				"value": str(), "header": str()})),
			"allowed_tools_json": tools, "auto_approve_tools_json": tools, "require_approval_default": boolIn(), "enabled": boolIn()}))
	}
	testTool := obj([]string{"name", "model_name", "allowed", "auto_approve"}, map[string]Schema{"name": str(), "description": str(),
		"input_schema": nullable(freeForm("the tool's JSON Schema, as the server gave it")), "model_name": str(), "allowed": boolean(), "auto_approve": boolean()})
	return []*Route{
		{Method: "GET", Path: "/api/mcp-integrations", OpID: "listMCPIntegrations", Summary: "Customer MCP tool servers (never their secrets)",
			Tag: "MCP integrations", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(in)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := mcptools.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/mcp-integrations", OpID: "createMCPIntegration", Summary: "Add an MCP tool server",
			Tag: "MCP integrations", Auth: AdminUp, RequestSchema: body("name", "url", "allowed_tools_json"), Schemas: map[int]Schema{201: in},
			Handle: func(c *Call) error {
				i, err := mcptools.Create(s.deps.Store, c.Principal.OrgID, c.Body(), s.deps.MCPTools.Policy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, i)
			}},
		{Method: "GET", Path: "/api/mcp-integrations/{id}", OpID: "getMCPIntegration", Summary: "One MCP integration", Tag: "MCP integrations",
			Auth: ViewerUp, Schemas: map[int]Schema{200: in}, Handle: func(c *Call) error {
				i, err := mcptools.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, i)
			}},
		{Method: "PATCH", Path: "/api/mcp-integrations/{id}", OpID: "updateMCPIntegration",
			Summary: "Edit an MCP integration (auth without value keeps the secret)", Tag: "MCP integrations", Auth: AdminUp,
			RequestSchema: body(), Schemas: map[int]Schema{200: in}, Handle: func(c *Call) error {
				i, err := mcptools.Patch(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.deps.MCPTools.Policy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, i)
			}},
		{Method: "DELETE", Path: "/api/mcp-integrations/{id}", OpID: "deleteMCPIntegration", Summary: "Delete an MCP integration and detach it",
			Tag: "MCP integrations", Auth: AdminUp, Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := mcptools.Delete(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "POST", Path: "/api/mcp-integrations/{id}/test", OpID: "testMCPIntegration", Summary: "Connect, run tools/list, answer the tools",
			Tag: "MCP integrations", Auth: AdminUp, Schemas: map[int]Schema{200: obj([]string{"ok", "tools", "duration_ms"}, map[string]Schema{
				"ok": boolean(), "tools": arr(testTool), "duration_ms": integer(), "error": str()})},
			Handle: func(c *Call) error {
				ctx, cancel := context.WithTimeout(context.Background(), mcpToolTimeout)
				defer cancel()
				res, err := s.deps.MCPTools.Test(ctx, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, res)
			}},
		{Method: "GET", Path: "/api/approvals", OpID: "listApprovals", Summary: "MCP tool calls waiting for (or after) a decision, newest first; ?status=, ?subject_id=, ?integration_id=",
			Tag: "MCP integrations", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(apr)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := mcptools.ListApprovals(s.deps.Store, c.Principal.OrgID, mcptools.Filter{Status: c.Query("status"),
					SubjectID: c.Query("subject_id"), IntegrationID: c.Query("integration_id")}, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "GET", Path: "/api/approvals/{id}", OpID: "getApproval", Summary: "One approval", Tag: "MCP integrations", Auth: ViewerUp,
			Schemas: map[int]Schema{200: apr}, Handle: func(c *Call) error {
				a, err := mcptools.GetApproval(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, a)
			}},
		{Method: "POST", Path: "/api/approvals/{id}/approve", OpID: "approveToolCall", Summary: "Approve: runs the tool once and answers the approval with its result",
			Tag: "MCP integrations", Auth: OperatorUp, Schemas: map[int]Schema{200: apr}, Handle: func(c *Call) error {
				ctx, cancel := context.WithTimeout(context.Background(), mcpToolTimeout)
				defer cancel()
				a, err := s.deps.MCPTools.Approve(ctx, c.Principal.OrgID, c.Param("id"), decider(c.Principal))
				if err != nil {
					return err
				}
				return c.JSON(200, a)
			}},
		{Method: "POST", Path: "/api/approvals/{id}/deny", OpID: "denyToolCall", Summary: "Deny: nothing runs", Tag: "MCP integrations",
			Auth: OperatorUp, RequestSchema: strict(obj(nil, map[string]Schema{"reason": strN(0, 500)})), Schemas: map[int]Schema{200: apr},
			Handle: func(c *Call) error {
				a, err := s.deps.MCPTools.Deny(c.Principal.OrgID, c.Param("id"), decider(c.Principal), c.Body())
				if err != nil {
					return err
				}
				return c.JSON(200, a)
			}},
	}
}
