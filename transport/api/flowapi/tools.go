package flowapi

import (
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// ToolWithSecret answers a create: the binding with the secret the create
// set, the one time it is shown.
type ToolWithSecret = flowsvc.ToolWithSecret

func init() {
	httpapi.Component[flowtools.Tool]("FlowTool", toolSchema)
	httpapi.Component[ToolWithSecret]("FlowToolWithSecret", toolSchema)
	httpapi.Component[flowtools.Execution]("FlowToolExecution", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "subject_type", "call", "conversation")
		httpapi.SetEnum(s, "mode", flowtools.PreCall, flowtools.InCall)
		httpapi.SetEnum(s, "status", flowtools.StatusOK, flowtools.StatusError, flowtools.StatusTimeout)
	})
}

func toolSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "mode", flowtools.PreCall, flowtools.InCall)
	httpapi.SetEnum(s, "method", flowtools.Methods...)
	httpapi.SetProp(s, "parameters", toolParameters())
}

// toolParameters is the JSON Schema of a tool's arguments, as given.
func toolParameters() httpapi.Schema { return httpapi.FreeForm("JSON Schema of the tool's arguments") }

// toolFields are what flowtools decodes for a create or a patch, beside
// name, mode and url.
type toolFields struct {
	Description      string            `json:"description,omitempty" jsonschema:"minLength=0,maxLength=1000"`
	Parameters       map[string]any    `json:"parameters,omitempty"`
	Method           string            `json:"method,omitempty"`
	Headers          map[string]string `json:"headers,omitempty"`
	BodyTemplate     string            `json:"body_template,omitempty"`
	TimeoutMS        int               `json:"timeout_ms,omitempty"`
	OutputTemplate   string            `json:"output_template,omitempty"`
	FallbackTemplate string            `json:"fallback_template,omitempty"`
	Secret           string            `json:"secret,omitempty"`
	SecretHeader     string            `json:"secret_header,omitempty"`
	Enabled          storage.Bool      `json:"enabled,omitempty"`
}

type createToolRequest struct {
	Name string `json:"name" jsonschema:"minLength=1,maxLength=64"`
	Mode string `json:"mode"`
	URL  string `json:"url" jsonschema:"minLength=1,maxLength=2048"`
	toolFields
}

type patchToolRequest struct {
	Name string `json:"name,omitempty" jsonschema:"minLength=1,maxLength=64"`
	Mode string `json:"mode,omitempty"`
	URL  string `json:"url,omitempty" jsonschema:"minLength=1,maxLength=2048"`
	toolFields
}

func (createToolRequest) JSONSchemaExtend(s httpapi.Schema) { toolRequestSchema(s) }
func (patchToolRequest) JSONSchemaExtend(s httpapi.Schema)  { toolRequestSchema(s) }

func toolRequestSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "mode", flowtools.PreCall, flowtools.InCall)
	httpapi.SetEnum(s, "method", flowtools.Methods...)
	httpapi.SetProp(s, "parameters", toolParameters())
}

// toolRoutes serve a flow's HTTP tool bindings (SPEC 1.4 "tool bindings
// (flow hooks)"): admins write, viewers read; a flow of another org is 404.
func (a *API) toolRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/flows/{id}/tools", OpID: "listFlowTools", Summary: "A flow's HTTP tools: pre-call hooks and in-call tools (never their secrets; header values masked)",
			Tag: "Flows", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*flowtools.Tool]](200), Handle: a.listTools},
		{Method: "POST", Path: "/api/flows/{id}/tools", OpID: "createFlowTool", Summary: "Add an HTTP tool to a flow (its secret is answered once)",
			Tag: "Flows", Auth: httpapi.AdminUp, Request: httpapi.Type[createToolRequest](), Responses: httpapi.Answer[ToolWithSecret](201),
			Handle: a.createTool},
		{Method: "GET", Path: "/api/flows/{id}/tools/{toolId}", OpID: "getFlowTool", Summary: "One HTTP tool of a flow", Tag: "Flows",
			Auth: httpapi.ViewerUp, Responses: httpapi.Answer[flowtools.Tool](200), Handle: a.getTool},
		{Method: "PATCH", Path: "/api/flows/{id}/tools/{toolId}", OpID: "updateFlowTool",
			Summary: "Edit an HTTP tool (\"secret\": \"\" removes the secret)", Tag: "Flows", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchToolRequest](), Responses: httpapi.Answer[flowtools.Tool](200), Handle: a.updateTool},
		{Method: "DELETE", Path: "/api/flows/{id}/tools/{toolId}", OpID: "deleteFlowTool", Summary: "Delete an HTTP tool and its execution log",
			Tag: "Flows", Auth: httpapi.AdminUp, Responses: httpapi.NoBody(204), Handle: a.deleteTool},
		{Method: "GET", Path: "/api/flows/{id}/tools/{toolId}/executions", OpID: "listFlowToolExecutions",
			Summary: "An HTTP tool's executions, newest first", Tag: "Flows", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*flowtools.Execution]](200), Handle: a.listExecutions},
	}
}

func (a *API) listTools(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListFlowTools(c.Ctx, c.Principal, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createTool(c *httpapi.Call) error {
	var in flowtools.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	t, err := a.d.Svc.CreateFlowTool(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(201, t)
}

func (a *API) getTool(c *httpapi.Call) error {
	t, err := a.d.Svc.GetFlowTool(c.Ctx, c.Principal, c.Param("id"), c.Param("toolId"))
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) updateTool(c *httpapi.Call) error {
	var in flowtools.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	t, err := a.d.Svc.UpdateFlowTool(c.Ctx, c.Principal, c.Param("id"), c.Param("toolId"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) deleteTool(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteFlowTool(c.Ctx, c.Principal, c.Param("id"), c.Param("toolId")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listExecutions(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListFlowToolExecutions(c.Ctx, c.Principal, c.Param("id"), c.Param("toolId"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}
