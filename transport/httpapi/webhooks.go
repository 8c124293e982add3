package httpapi

import (
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/webhooks"
)

func init() {
	componentSchemas["Webhook"] = obj([]string{"id", "url", "events", "headers", "enabled", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "url": str(), "description": str(), "events": arr(str()), "headers": maskedHeaders(),
		"enabled": boolean(), "disabled_reason": str(), "failing_since": dateTime(), "signing_secret": str(),
		"created_at": dateTime(), "updated_at": dateTime()})
	attempt := obj([]string{"at", "response_status", "response_ms"}, map[string]Schema{"at": dateTime(), "response_status": integer(),
		"response_ms": integer(), "response_body_excerpt": str(), "error": str()})
	componentSchemas["Delivery"] = obj([]string{"id", "event_id", "event_type", "status", "attempts", "created_at"}, map[string]Schema{
		"id": str(), "org_id": str(), "endpoint_id": str(), "event_id": str(), "event_type": str(), "seq": integer(), "payload": str(),
		"status": enum(webhooks.Pending, webhooks.Retrying, webhooks.Succeeded, webhooks.Failed), "attempts": arr(attempt),
		"next_retry_at": nullable(dateTime()), "error": str(), "created_at": dateTime()})
}

// withSecret answers an endpoint with its signing secret, the one time it is shown.
func withSecret(e *webhooks.Endpoint, secret string) map[string]any {
	return map[string]any{"id": e.ID, "org_id": e.OrgID, "url": e.URL, "description": e.Description, "events": e.Events,
		"headers": e.Headers, "enabled": e.Enabled, "created_at": e.CreatedAt, "updated_at": e.UpdatedAt, "signing_secret": secret}
}

func (s *Server) webhookRoutes() []*Route {
	wh := ref("Webhook")
	body := func(req ...string) Schema {
		return strict(obj(req, map[string]Schema{"url": str(), "events": arr(str()), "headers": httpHeaders,
			"description": strN(0, 500), "enabled": boolean()}))
	}
	changed := func(c *Call, e *webhooks.Endpoint) error {
		if s.deps.Webhooks == nil {
			return nil
		}
		return s.deps.Webhooks.Changed(c.Principal.OrgID, e.ID)
	}
	return []*Route{
		{Method: "GET", Path: "/api/webhooks", OpID: "listWebhooks", Summary: "Webhook endpoints", Tag: "Webhooks", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(wh)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := webhooks.List(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/webhooks", OpID: "createWebhook", Summary: "Add an endpoint (signing_secret shown once)", Tag: "Webhooks", Auth: AdminUp,
			Request: body("url", "events"), Responses: map[int]Schema{201: wh}, Handle: func(c *Call) error {
				last, err := events.LastSeq(s.deps.Store, c.Principal.OrgID)
				if err != nil {
					return err
				}
				e, secret, err := webhooks.Create(s.deps.Store, c.Principal.OrgID, c.Body(), s.webhookPolicy(), last, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, e); err != nil {
					return err
				}
				return c.JSON(201, withSecret(e, secret))
			}},
		{Method: "GET", Path: "/api/webhooks/{id}", OpID: "getWebhook", Summary: "One endpoint (header values masked)", Tag: "Webhooks", Auth: ViewerUp,
			Responses: map[int]Schema{200: wh}, Handle: func(c *Call) error {
				e, err := webhooks.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, e)
			}},
		{Method: "PATCH", Path: "/api/webhooks/{id}", OpID: "updateWebhook", Summary: "Edit an endpoint (enabled:true re-enables)", Tag: "Webhooks", Auth: AdminUp,
			Request: body(), Responses: map[int]Schema{200: wh}, Handle: func(c *Call) error {
				e, err := webhooks.Patch(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.webhookPolicy(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, e); err != nil {
					return err
				}
				return c.JSON(200, e)
			}},
		{Method: "DELETE", Path: "/api/webhooks/{id}", OpID: "deleteWebhook", Summary: "Delete an endpoint and its history", Tag: "Webhooks", Auth: AdminUp,
			Responses: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				id := c.Param("id")
				if err := webhooks.Delete(s.deps.Store, c.Principal.OrgID, id); err != nil {
					return err
				}
				if err := changed(c, &webhooks.Endpoint{ID: id}); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "POST", Path: "/api/webhooks/{id}/rotate-secret", OpID: "rotateWebhookSecret", Summary: "New secret (shown once); the old one also signs for 24 h", Tag: "Webhooks", Auth: AdminUp,
			Responses: map[int]Schema{200: wh}, Handle: func(c *Call) error {
				e, secret, err := webhooks.Rotate(s.deps.Store, c.Principal.OrgID, c.Param("id"), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if err := changed(c, e); err != nil {
					return err
				}
				return c.JSON(200, withSecret(e, secret))
			}},
		{Method: "POST", Path: "/api/webhooks/{id}/test", OpID: "testWebhook", Summary: "Send a webhook.test event now", Tag: "Webhooks", Auth: AdminUp,
			Responses: map[int]Schema{200: obj([]string{"delivery_id", "response_status", "duration_ms"}, map[string]Schema{
				"delivery_id": str(), "response_status": integer(), "duration_ms": integer(), "error": str()})}, Handle: func(c *Call) error {
				e, err := webhooks.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				if !e.Enabled {
					return storage.Conflict("endpoint_disabled", "enable the endpoint first")
				}
				res, err := s.deps.Webhooks.SendTest(c.Principal.OrgID, e.ID)
				if err != nil {
					return err
				}
				return c.JSON(200, res)
			}},
		{Method: "GET", Path: "/api/webhooks/{id}/deliveries", OpID: "listWebhookDeliveries", Summary: "Delivery history, newest first", Tag: "Webhooks", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(ref("Delivery"))}, Handle: func(c *Call) error {
				if _, err := webhooks.Get(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := webhooks.Deliveries(s.deps.Store, c.Principal.OrgID, c.Param("id"), page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", OpID: "redeliverWebhook", Summary: "Send a delivery again (same webhook-id and body)", Tag: "Webhooks", Auth: AdminUp,
			Responses: map[int]Schema{200: ref("Delivery")}, Handle: func(c *Call) error {
				e, err := webhooks.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				if !e.Enabled {
					return storage.Conflict("endpoint_disabled", "enable the endpoint first")
				}
				if d, err := webhooks.GetDelivery(s.deps.Store, c.Principal.OrgID, e.ID, c.Param("deliveryId")); err != nil {
					return err
				} else if d.Unsendable() {
					return storage.Conflict("event_unreadable", "this delivery's event could not be read; there is nothing to send")
				}
				d, err := s.deps.Webhooks.Redeliver(c.Principal.OrgID, e.ID, c.Param("deliveryId"))
				if err != nil {
					return err
				}
				return c.JSON(200, d)
			}},
	}
}

func (s *Server) webhookPolicy() egresspolicy.Policy {
	if s.deps.Webhooks == nil {
		return egresspolicy.Policy{}
	}
	return s.deps.Webhooks.Policy()
}
