package flowapi

import (
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/transport/httpapi"
)

// FlowIntegrations are the MCP integrations a flow's AI may use.
type FlowIntegrations struct {
	FlowID         string   `json:"flow_id"`
	IntegrationIDs []string `json:"integration_ids"`
}

type setIntegrationsRequest struct {
	IntegrationIDs []string `json:"integration_ids"`
}

func (a *API) integrationRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/flows/{id}/mcp-integrations", OpID: "getFlowMCPIntegrations", Summary: "The MCP integrations attached to a flow",
			Tag: "MCP integrations", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[FlowIntegrations](200), Handle: a.getIntegrations},
		{Method: "PUT", Path: "/api/flows/{id}/mcp-integrations", OpID: "setFlowMCPIntegrations", Summary: "Attach MCP integrations to a flow (replaces the list)",
			Tag: "MCP integrations", Auth: httpapi.AdminUp, Request: httpapi.Type[setIntegrationsRequest](),
			Responses: httpapi.Answer[FlowIntegrations](200), Handle: a.setIntegrations},
	}
}

func (a *API) getIntegrations(c *httpapi.Call) error {
	flow, err := a.flowOf(c)
	if err != nil {
		return err
	}
	ids, err := mcptools.FlowIntegrations(a.d.Store, c.Principal.OrgID, flow)
	if err != nil {
		return err
	}
	return c.JSON(200, flowIntegrations(flow, ids))
}

func (a *API) setIntegrations(c *httpapi.Call) error {
	flow, err := a.flowOf(c)
	if err != nil {
		return err
	}
	ids, err := mcptools.SetFlowIntegrations(a.d.Store, c.Principal.OrgID, flow, c.Body())
	if err != nil {
		return err
	}
	return c.JSON(200, flowIntegrations(flow, ids))
}

func flowIntegrations(flow string, ids []string) *FlowIntegrations {
	if ids == nil {
		ids = []string{}
	}
	return &FlowIntegrations{FlowID: flow, IntegrationIDs: ids}
}
