package flowapi

import (
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// FlowIntegrations are the MCP integrations a flow's AI may use.
type FlowIntegrations = flowsvc.FlowIntegrations

func (a *API) integrationRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/flows/{id}/mcp-integrations", OpID: "getFlowMCPIntegrations", Summary: "The MCP integrations attached to a flow",
			Tag: "MCP integrations", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[FlowIntegrations](200), Handle: a.getIntegrations},
		{Method: "PUT", Path: "/api/flows/{id}/mcp-integrations", OpID: "setFlowMCPIntegrations", Summary: "Attach MCP integrations to a flow (replaces the list)",
			Tag: "MCP integrations", Auth: httpapi.AdminUp, Request: httpapi.Type[flowsvc.SetFlowMCPIntegrationsInput](),
			Responses: httpapi.Answer[FlowIntegrations](200), Handle: a.setIntegrations},
	}
}

func (a *API) getIntegrations(c *httpapi.Call) error {
	fi, err := a.d.Svc.GetFlowMCPIntegrations(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, fi)
}

func (a *API) setIntegrations(c *httpapi.Call) error {
	var in flowsvc.SetFlowMCPIntegrationsInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	fi, err := a.d.Svc.SetFlowMCPIntegrations(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, fi)
}
