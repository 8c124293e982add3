package httpapi

import (
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/flowtools"
)

func init() {
	componentSchemas["FlowTool"] = obj([]string{"id", "flow_id", "name", "mode", "parameters", "method", "url", "headers",
		"timeout_ms", "secret_header", "enabled", "model_name", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "flow_id": str(), "name": str(), "description": str(),
		"mode": enum(flowtools.PreCall, flowtools.InCall), "parameters": toolParameters, "method": enum(flowtools.Methods...),
		"url": str(), "headers": maskedHeaders(), "body_template": str(), "timeout_ms": integer(), "output_template": str(),
		"fallback_template": str(), "secret_header": str(), "secret_hint": str(), "secret": str(), "enabled": boolean(),
		"model_name": str(), "created_at": dateTime(), "updated_at": dateTime()})
	componentSchemas["FlowToolExecution"] = obj([]string{"id", "tool_id", "flow_id", "subject_type", "subject_id", "mode", "status",
		"http_status", "ms", "at"}, map[string]Schema{
		"id": str(), "tool_id": str(), "flow_id": str(), "name": str(), "subject_type": enum("call", "conversation"),
		"subject_id": str(), "mode": enum(flowtools.PreCall, flowtools.InCall),
		"status": enum(flowtools.StatusOK, flowtools.StatusError, flowtools.StatusTimeout), "http_status": integer(),
		"ms": integer(), "request_excerpt": str(), "response_excerpt": str(), "output": str(), "error": str(), "at": dateTime()})
}

// toolWithSecret answers a binding with the secret its create set, the one
// time it is shown.
func toolWithSecret(t *flowtools.Tool, secret string) map[string]any {
	out := map[string]any{"id": t.ID, "org_id": t.OrgID, "flow_id": t.FlowID, "name": t.Name, "description": t.Description,
		"mode": t.Mode, "parameters": t.Parameters, "method": t.Method, "url": t.URL, "headers": t.Headers,
		"body_template": t.BodyTemplate, "timeout_ms": t.TimeoutMS, "output_template": t.OutputTemplate,
		"fallback_template": t.FallbackTemplate, "secret_header": t.SecretHeader, "enabled": t.Enabled, "model_name": t.ModelName,
		"created_at": t.CreatedAt, "updated_at": t.UpdatedAt}
	if t.SecretHint != "" {
		out["secret_hint"] = t.SecretHint
	}
	if secret != "" {
		out["secret"] = secret
	}
	return out
}

// flowToolRoutes serve a flow's HTTP tool bindings (SPEC 1.4 "tool bindings
// (flow hooks)"): admins write, viewers read; a flow of another org is 404.
func (s *Server) flowToolRoutes() []*Route {
	tool := ref("FlowTool")
	body := func(req ...string) Schema {
		return strict(obj(req, map[string]Schema{"name": strN(1, 64), "description": strN(0, 1000),
			"mode": enum(flowtools.PreCall, flowtools.InCall), "parameters": toolParameters, "method": enum(flowtools.Methods...),
			"url": strN(1, 2048), "headers": httpHeaders, "body_template": str(), "timeout_ms": integer(), "output_template": str(),
			"fallback_template": str(), "secret": str(), "secret_header": str(), "enabled": boolIn()}))
	}
	flowOf := func(c *Call) (string, error) {
		f, err := s.deps.Flows.Get(c.Principal.OrgID, c.Param("id"))
		if err != nil {
			return "", err
		}
		return f.ID, nil
	}
	policy := func() egresspolicy.Policy {
		if s.deps.HTTPTools == nil {
			return egresspolicy.Policy{}
		}
		return s.deps.HTTPTools.Policy()
	}
	return []*Route{
		{Method: "GET", Path: "/api/flows/{id}/tools", OpID: "listFlowTools", Summary: "A flow's HTTP tools: pre-call hooks and in-call tools (never their secrets; header values masked)",
			Tag: "Flows", Auth: ViewerUp, Schemas: map[int]Schema{200: listOf(tool)}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := flowtools.List(s.deps.Store, c.Principal.OrgID, flow, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
		{Method: "POST", Path: "/api/flows/{id}/tools", OpID: "createFlowTool", Summary: "Add an HTTP tool to a flow (its secret is answered once)",
			Tag: "Flows", Auth: AdminUp, RequestSchema: body("name", "mode", "url"), Schemas: map[int]Schema{201: tool}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				t, secret, err := flowtools.Create(s.deps.Store, c.Principal.OrgID, flow, c.Body(), policy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, toolWithSecret(t, secret))
			}},
		{Method: "GET", Path: "/api/flows/{id}/tools/{toolId}", OpID: "getFlowTool", Summary: "One HTTP tool of a flow", Tag: "Flows",
			Auth: ViewerUp, Schemas: map[int]Schema{200: tool}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				t, err := flowtools.Get(s.deps.Store, c.Principal.OrgID, flow, c.Param("toolId"))
				if err != nil {
					return err
				}
				return c.JSON(200, t)
			}},
		{Method: "PATCH", Path: "/api/flows/{id}/tools/{toolId}", OpID: "updateFlowTool",
			Summary: "Edit an HTTP tool (\"secret\": \"\" removes the secret)", Tag: "Flows", Auth: AdminUp, RequestSchema: body(),
			Schemas: map[int]Schema{200: tool}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				t, err := flowtools.Patch(s.deps.Store, c.Principal.OrgID, flow, c.Param("toolId"), c.Body(), policy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, t)
			}},
		{Method: "DELETE", Path: "/api/flows/{id}/tools/{toolId}", OpID: "deleteFlowTool", Summary: "Delete an HTTP tool and its execution log",
			Tag: "Flows", Auth: AdminUp, Schemas: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				if err := flowtools.Delete(s.deps.Store, c.Principal.OrgID, flow, c.Param("toolId")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/flows/{id}/tools/{toolId}/executions", OpID: "listFlowToolExecutions",
			Summary: "An HTTP tool's executions, newest first", Tag: "Flows", Auth: ViewerUp,
			Schemas: map[int]Schema{200: listOf(ref("FlowToolExecution"))}, Handle: func(c *Call) error {
				flow, err := flowOf(c)
				if err != nil {
					return err
				}
				t, err := flowtools.Get(s.deps.Store, c.Principal.OrgID, flow, c.Param("toolId"))
				if err != nil {
					return err
				}
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := flowtools.Executions(s.deps.Store, c.Principal.OrgID, t.ID, page)
				if err != nil {
					return err
				}
				return List(c, items, next)
			}},
	}
}
