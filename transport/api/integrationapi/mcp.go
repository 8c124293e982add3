package integrationapi

import (
	"bytes"

	mcptoolsactor "github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

func init() {
	httpapi.Component[mcptools.Integration]("MCPIntegration", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "transport", mcptools.TransportStreamable, mcptools.TransportSSE)
		httpapi.SetEnum(httpapi.Prop(s, "auth"), "type", mcptools.AuthNone, mcptools.AuthBearer, mcptools.AuthHeader)
	})
	httpapi.Component[mcptools.Approval]("Approval", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "subject_type", "conversation", "call")
		httpapi.SetProp(s, "arguments", httpapi.FreeForm("the tool call's arguments, as the model gave them"))
		httpapi.SetEnum(s, "status", mcptools.Statuses...)
	})
	httpapi.Extend[mcptoolsactor.TestTool](func(s httpapi.Schema) {
		httpapi.SetProp(s, "input_schema", httpapi.Nullable(httpapi.FreeForm("the tool's JSON Schema, as the server gave it")))
	})
}

type (
	createIntegrationRequest struct {
		Name         string   `json:"name" jsonschema:"minLength=1,maxLength=120"`
		URL          string   `json:"url"`
		AllowedTools []string `json:"allowed_tools_json"`
		integrationFields
	}
	patchIntegrationRequest struct {
		Name         string   `json:"name,omitempty" jsonschema:"minLength=1,maxLength=120"`
		URL          string   `json:"url,omitempty"`
		AllowedTools []string `json:"allowed_tools_json,omitempty"`
		integrationFields
	}
	integrationFields struct {
		Transport              string       `json:"transport,omitempty"`
		Auth                   *authRequest `json:"auth,omitempty"`
		AutoApproveTools       []string     `json:"auto_approve_tools_json,omitempty"`
		RequireApprovalDefault storage.Bool `json:"require_approval_default,omitempty"`
		Enabled                storage.Bool `json:"enabled,omitempty"`
	}
	authRequest struct {
		Type   string `json:"type"`
		Value  string `json:"value,omitempty"`
		Header string `json:"header,omitempty"`
	}
)

func (createIntegrationRequest) JSONSchemaExtend(s httpapi.Schema) { integrationEnums(s) }
func (patchIntegrationRequest) JSONSchemaExtend(s httpapi.Schema)  { integrationEnums(s) }

func integrationEnums(s httpapi.Schema) {
	// stdio is named so that a create with it is refused with a reason
	// rather than as an unknown value.
	httpapi.SetEnum(s, "transport", mcptools.TransportStreamable, mcptools.TransportSSE, "stdio")
	httpapi.SetEnum(httpapi.Prop(s, "auth"), "type", mcptools.AuthNone, mcptools.AuthBearer, mcptools.AuthHeader)
}

func (a *API) mcpRoutes() []*httpapi.Route {
	in, apr := httpapi.Answer[mcptools.Integration](200), httpapi.Answer[mcptools.Approval](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/mcp-integrations", OpID: "listMCPIntegrations", Summary: "Customer MCP tool servers (never their secrets)",
			Tag: "MCP integrations", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*mcptools.Integration]](200), Handle: a.listIntegrations},
		{Method: "POST", Path: "/api/mcp-integrations", OpID: "createMCPIntegration", Summary: "Add an MCP tool server",
			Tag: "MCP integrations", Auth: httpapi.AdminUp, Request: httpapi.Type[createIntegrationRequest](),
			Responses: httpapi.Answer[mcptools.Integration](201), Handle: a.createIntegration},
		{Method: "GET", Path: "/api/mcp-integrations/{id}", OpID: "getMCPIntegration", Summary: "One MCP integration", Tag: "MCP integrations",
			Auth: httpapi.ViewerUp, Responses: in, Handle: a.getIntegration},
		{Method: "PATCH", Path: "/api/mcp-integrations/{id}", OpID: "updateMCPIntegration",
			Summary: "Edit an MCP integration (auth without value keeps the secret)", Tag: "MCP integrations", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchIntegrationRequest](), Responses: in, Handle: a.updateIntegration},
		{Method: "DELETE", Path: "/api/mcp-integrations/{id}", OpID: "deleteMCPIntegration", Summary: "Delete an MCP integration and detach it",
			Tag: "MCP integrations", Auth: httpapi.AdminUp, Responses: httpapi.NoBody(204), Handle: a.deleteIntegration},
		{Method: "POST", Path: "/api/mcp-integrations/{id}/test", OpID: "testMCPIntegration", Summary: "Connect, run tools/list, answer the tools",
			Tag: "MCP integrations", Auth: httpapi.AdminUp, Responses: httpapi.Answer[mcptoolsactor.TestResult](200), Handle: a.testIntegration},
		{Method: "GET", Path: "/api/approvals", OpID: "listApprovals", Summary: "MCP tool calls waiting for (or after) a decision, newest first; ?status=, ?subject_id=, ?integration_id=",
			Tag: "MCP integrations", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*mcptools.Approval]](200), Handle: a.listApprovals},
		{Method: "GET", Path: "/api/approvals/{id}", OpID: "getApproval", Summary: "One approval", Tag: "MCP integrations", Auth: httpapi.ViewerUp,
			Responses: apr, Handle: a.getApproval},
		{Method: "POST", Path: "/api/approvals/{id}/approve", OpID: "approveToolCall", Summary: "Approve: runs the tool once and answers the approval with its result",
			Tag: "MCP integrations", Auth: httpapi.OperatorUp, Responses: apr, Handle: a.approve},
		{Method: "POST", Path: "/api/approvals/{id}/deny", OpID: "denyToolCall", Summary: "Deny: nothing runs", Tag: "MCP integrations",
			Auth: httpapi.OperatorUp, Request: httpapi.Type[integrationsvc.DenyToolCallInput](), Responses: apr, Handle: a.deny},
	}
}

func (a *API) listIntegrations(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListMCPIntegrations(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createIntegration(c *httpapi.Call) error {
	var in mcptools.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	i, err := a.d.Svc.CreateMCPIntegration(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, i)
}

func (a *API) getIntegration(c *httpapi.Call) error {
	i, err := a.d.Svc.GetMCPIntegration(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, i)
}

func (a *API) updateIntegration(c *httpapi.Call) error {
	var in mcptools.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	i, err := a.d.Svc.UpdateMCPIntegration(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, i)
}

func (a *API) deleteIntegration(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteMCPIntegration(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) testIntegration(c *httpapi.Call) error {
	res, err := a.d.Svc.TestMCPIntegration(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (a *API) listApprovals(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListApprovals(c.Ctx, c.Principal, integrationsvc.ListApprovalsQuery{Status: c.Query("status"),
		SubjectID: c.Query("subject_id"), IntegrationID: c.Query("integration_id"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) getApproval(c *httpapi.Call) error {
	ap, err := a.d.Svc.GetApproval(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, ap)
}

func (a *API) approve(c *httpapi.Call) error {
	ap, err := a.d.Svc.ApproveToolCall(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, ap)
}

// deny takes an empty body or {"reason": "..."}.
func (a *API) deny(c *httpapi.Call) error {
	var in integrationsvc.DenyToolCallInput
	if body := c.Body(); len(bytes.TrimSpace(body)) > 0 {
		var b struct {
			Reason *string `json:"reason"`
		}
		if err := wire.DecodeStrict(body, &b); err != nil {
			return err
		}
		if b.Reason != nil {
			in.Reason = *b.Reason
		}
	}
	ap, err := a.d.Svc.DenyToolCall(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, ap)
}
