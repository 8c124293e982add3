package integrationapi

import (
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// ConnectorWithSecret answers a create or a rotation: the connector with
// its secret, the one time it is shown.
type ConnectorWithSecret = integrationsvc.ConnectorWithSecret

func init() {
	httpapi.Component[crm.Connector]("CRMConnector", nil)
	httpapi.Component[ConnectorWithSecret]("CRMConnectorWithSecret", nil)
	httpapi.Component[crm.LogEntry]("CRMLog", nil)
}

type (
	createConnectorRequest struct {
		Name    string `json:"name" jsonschema:"minLength=1,maxLength=120"`
		BaseURL string `json:"base_url"`
		connectorFields
	}
	patchConnectorRequest struct {
		Name    string `json:"name,omitempty" jsonschema:"minLength=1,maxLength=120"`
		BaseURL string `json:"base_url,omitempty"`
		connectorFields
	}
	connectorFields struct {
		TimeoutMS    int          `json:"timeout_ms,omitempty"`
		CreateOnMiss storage.Bool `json:"create_on_miss,omitempty"`
		SyncCalls    storage.Bool `json:"sync_calls,omitempty"`
		Enabled      storage.Bool `json:"enabled,omitempty"`
	}
)

func (a *API) crmRoutes() []*httpapi.Route {
	conn := httpapi.Answer[crm.Connector](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/crm-connectors", OpID: "listCRMConnectors", Summary: "CRM connectors", Tag: "CRM", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*crm.Connector]](200), Handle: a.listConnectors},
		{Method: "POST", Path: "/api/crm-connectors", OpID: "createCRMConnector", Summary: "Add a connector (secret shown once; one enabled per org)", Tag: "CRM", Auth: httpapi.AdminUp,
			Request: httpapi.Type[createConnectorRequest](), Responses: httpapi.Answer[ConnectorWithSecret](201), Handle: a.createConnector},
		{Method: "GET", Path: "/api/crm-connectors/{id}", OpID: "getCRMConnector", Summary: "One connector", Tag: "CRM", Auth: httpapi.ViewerUp,
			Responses: conn, Handle: a.getConnector},
		{Method: "PATCH", Path: "/api/crm-connectors/{id}", OpID: "updateCRMConnector", Summary: "Edit a connector", Tag: "CRM", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchConnectorRequest](), Responses: conn, Handle: a.updateConnector},
		{Method: "DELETE", Path: "/api/crm-connectors/{id}", OpID: "deleteCRMConnector", Summary: "Delete a connector and its log", Tag: "CRM", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteConnector},
		{Method: "POST", Path: "/api/crm-connectors/{id}/rotate-secret", OpID: "rotateCRMSecret", Summary: "New secret, shown once", Tag: "CRM", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[ConnectorWithSecret](200), Handle: a.rotateConnectorSecret},
		{Method: "POST", Path: "/api/crm-connectors/{id}/ping", OpID: "pingCRMConnector", Summary: "Call {base_url}/ping", Tag: "CRM", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[crmactor.PingResult](200), Handle: a.pingConnector},
		{Method: "GET", Path: "/api/crm-connectors/{id}/logs", OpID: "listCRMLogs", Summary: "Requests humd made to the CRM, newest first", Tag: "CRM", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*crm.LogEntry]](200), Handle: a.listCRMLogs},
	}
}

func (a *API) listConnectors(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListCRMConnectors(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createConnector(c *httpapi.Call) error {
	var in crm.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	cn, err := a.d.Svc.CreateCRMConnector(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, cn)
}

func (a *API) getConnector(c *httpapi.Call) error {
	cn, err := a.d.Svc.GetCRMConnector(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, cn)
}

func (a *API) updateConnector(c *httpapi.Call) error {
	var in crm.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	cn, err := a.d.Svc.UpdateCRMConnector(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, cn)
}

func (a *API) deleteConnector(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteCRMConnector(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) rotateConnectorSecret(c *httpapi.Call) error {
	cn, err := a.d.Svc.RotateCRMSecret(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, cn)
}

func (a *API) pingConnector(c *httpapi.Call) error {
	res, err := a.d.Svc.PingCRMConnector(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (a *API) listCRMLogs(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListCRMLogs(c.Ctx, c.Principal, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}
