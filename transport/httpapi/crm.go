package httpapi

import (
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/events"
)

func init() {
	componentSchemas["CRMConnector"] = obj([]string{"id", "name", "base_url", "timeout_ms", "create_on_miss", "sync_calls", "enabled"},
		map[string]Schema{"id": str(), "org_id": str(), "name": str(), "base_url": str(), "timeout_ms": integer(),
			"create_on_miss": boolean(), "sync_calls": boolean(), "enabled": boolean(), "secret": str(),
			"created_at": dateTime(), "updated_at": dateTime()})
	componentSchemas["CRMLog"] = obj([]string{"id", "at", "event", "status", "ms"}, map[string]Schema{"id": str(), "at": dateTime(),
		"event": str(), "status": integer(), "ms": integer(), "error": str(), "phone": str()})
}

func connectorWithSecret(c *crm.Connector, secret string) map[string]any {
	return map[string]any{"id": c.ID, "org_id": c.OrgID, "name": c.Name, "base_url": c.BaseURL, "timeout_ms": c.TimeoutMS,
		"create_on_miss": c.CreateOnMiss, "sync_calls": c.SyncCalls, "enabled": c.Enabled, "secret": secret,
		"created_at": c.CreatedAt, "updated_at": c.UpdatedAt}
}

func (s *Server) crmRoutes() []*Route {
	conn := ref("CRMConnector")
	flag := boolIn() // true/false or 0/1 (SPEC 1.0)
	body := func(req ...string) Schema {
		return strict(obj(req, map[string]Schema{"name": strN(1, 120), "base_url": str(), "timeout_ms": integer(),
			"create_on_miss": flag, "sync_calls": flag, "enabled": flag}))
	}
	changed := func(c *Call, id string) error {
		if s.deps.CRM == nil {
			return nil
		}
		return s.deps.CRM.Changed(c.Principal.OrgID, id)
	}
	policy := func() egresspolicy.Policy {
		if s.deps.CRM == nil {
			return egresspolicy.Policy{}
		}
		return s.deps.CRM.Policy()
	}
	return []*Route{
		{Method: "GET", Path: "/api/crm-connectors", OpID: "listCRMConnectors", Summary: "CRM connectors", Tag: "CRM", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(conn)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := crm.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/crm-connectors", OpID: "createCRMConnector", Summary: "Add a connector (secret shown once; one enabled per org)", Tag: "CRM", Auth: AdminUp,
			Request: body("name", "base_url"), Responses: map[int]Schema{201: conn}, Handle: func(c *Call) error {
				last, err := events.LastSeq(s.deps.Store, c.Principal.OrgID)
				if err != nil {
					return err
				}
				cn, secret, err := crm.Create(s.deps.Store, c.Principal.OrgID, c.Body(), policy(), last, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, cn.ID); err != nil {
					return err
				}
				return c.JSON(201, connectorWithSecret(cn, secret))
			}},
		{Method: "GET", Path: "/api/crm-connectors/{id}", OpID: "getCRMConnector", Summary: "One connector", Tag: "CRM", Auth: ViewerUp,
			Responses: map[int]Schema{200: conn}, Handle: func(c *Call) error {
				cn, err := crm.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, cn)
			}},
		{Method: "PATCH", Path: "/api/crm-connectors/{id}", OpID: "updateCRMConnector", Summary: "Edit a connector", Tag: "CRM", Auth: AdminUp,
			Request: body(), Responses: map[int]Schema{200: conn}, Handle: func(c *Call) error {
				cn, err := crm.Patch(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), policy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, cn.ID); err != nil {
					return err
				}
				return c.JSON(200, cn)
			}},
		{Method: "DELETE", Path: "/api/crm-connectors/{id}", OpID: "deleteCRMConnector", Summary: "Delete a connector and its log", Tag: "CRM", Auth: AdminUp,
			Responses: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := crm.Delete(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				if err := changed(c, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "POST", Path: "/api/crm-connectors/{id}/rotate-secret", OpID: "rotateCRMSecret", Summary: "New secret, shown once", Tag: "CRM", Auth: AdminUp,
			Responses: map[int]Schema{200: conn}, Handle: func(c *Call) error {
				cn, secret, err := crm.Rotate(s.deps.Store, c.Principal.OrgID, c.Param("id"), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, cn.ID); err != nil {
					return err
				}
				return c.JSON(200, connectorWithSecret(cn, secret))
			}},
		{Method: "POST", Path: "/api/crm-connectors/{id}/ping", OpID: "pingCRMConnector", Summary: "Call {base_url}/ping", Tag: "CRM", Auth: AdminUp,
			Responses: map[int]Schema{200: obj([]string{"ok", "status", "duration_ms"}, map[string]Schema{"ok": boolean(), "status": integer(),
				"duration_ms": integer(), "error": str()})}, Handle: func(c *Call) error {
				res, err := s.deps.CRM.Ping(c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, res)
			}},
		{Method: "GET", Path: "/api/crm-connectors/{id}/logs", OpID: "listCRMLogs", Summary: "Requests humd made to the CRM, newest first", Tag: "CRM", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(ref("CRMLog"))}, Handle: func(c *Call) error {
				if _, err := crm.Get(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := crm.Logs(s.deps.Store, c.Principal.OrgID, c.Param("id"), page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
	}
}
