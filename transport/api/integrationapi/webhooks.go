package integrationapi

import (
	"github.com/humd/humd/storage/events"

	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/httpapi"
)

// WebhookWithSecret answers a create or a rotation: the endpoint with its
// signing secret, the one time it is shown.
type WebhookWithSecret struct {
	*webhooks.Endpoint
	SigningSecret string `json:"signing_secret"`
}

func init() {
	httpapi.Component[webhooks.Endpoint]("Webhook", nil)
	httpapi.Component[WebhookWithSecret]("WebhookWithSecret", nil)
	httpapi.Component[webhooks.Delivery]("Delivery", func(s httpapi.Schema) {
		httpapi.SetEnum(s, "status", webhooks.Pending, webhooks.Retrying, webhooks.Succeeded, webhooks.Failed)
	})
}

type (
	createWebhookRequest struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		webhookFields
	}
	patchWebhookRequest struct {
		URL    string   `json:"url,omitempty"`
		Events []string `json:"events,omitempty"`
		webhookFields
	}
	webhookFields struct {
		Headers     map[string]string `json:"headers,omitempty"`
		Description string            `json:"description,omitempty" jsonschema:"minLength=0,maxLength=500"`
		Enabled     bool              `json:"enabled,omitempty"`
	}
)

func (a *API) webhookRoutes() []*httpapi.Route {
	wh := httpapi.Answer[webhooks.Endpoint](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/webhooks", OpID: "listWebhooks", Summary: "Webhook endpoints", Tag: "Webhooks", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*webhooks.Endpoint]](200), Handle: a.listWebhooks},
		{Method: "POST", Path: "/api/webhooks", OpID: "createWebhook", Summary: "Add an endpoint (signing_secret shown once)", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Request: httpapi.Type[createWebhookRequest](), Responses: httpapi.Answer[WebhookWithSecret](201), Handle: a.createWebhook},
		{Method: "GET", Path: "/api/webhooks/{id}", OpID: "getWebhook", Summary: "One endpoint (header values masked)", Tag: "Webhooks", Auth: httpapi.ViewerUp,
			Responses: wh, Handle: a.getWebhook},
		{Method: "PATCH", Path: "/api/webhooks/{id}", OpID: "updateWebhook", Summary: "Edit an endpoint (enabled:true re-enables)", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Request: httpapi.Type[patchWebhookRequest](), Responses: wh, Handle: a.updateWebhook},
		{Method: "DELETE", Path: "/api/webhooks/{id}", OpID: "deleteWebhook", Summary: "Delete an endpoint and its history", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteWebhook},
		{Method: "POST", Path: "/api/webhooks/{id}/rotate-secret", OpID: "rotateWebhookSecret", Summary: "New secret (shown once); the old one also signs for 24 h", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[WebhookWithSecret](200), Handle: a.rotateWebhookSecret},
		{Method: "POST", Path: "/api/webhooks/{id}/test", OpID: "testWebhook", Summary: "Send a webhook.test event now", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Idempotent: true, Responses: httpapi.Answer[webhook.TestResult](200), Handle: a.testWebhook},
		{Method: "GET", Path: "/api/webhooks/{id}/deliveries", OpID: "listWebhookDeliveries", Summary: "Delivery history, newest first", Tag: "Webhooks", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*webhooks.Delivery]](200), Handle: a.listDeliveries},
		{Method: "POST", Path: "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", OpID: "redeliverWebhook", Summary: "Send a delivery again (same webhook-id and body)", Tag: "Webhooks", Auth: httpapi.AdminUp,
			Idempotent: true, Responses: httpapi.Answer[webhooks.Delivery](200), Handle: a.redeliver},
	}
}

func (a *API) webhookPolicy() egresspolicy.Policy {
	if a.d.Webhooks == nil {
		return egresspolicy.Policy{}
	}
	return a.d.Webhooks.Policy()
}

// webhookChanged tells the endpoint's delivery actor to reload it.
func (a *API) webhookChanged(c *httpapi.Call, id string) error {
	if a.d.Webhooks == nil {
		return nil
	}
	return a.d.Webhooks.Changed(c.Principal.OrgID, id)
}

func (a *API) listWebhooks(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := webhooks.List(a.d.Store, c.Principal.OrgID, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createWebhook(c *httpapi.Call) error {
	last, err := events.LastSeq(a.d.Store, c.Principal.OrgID)
	if err != nil {
		return err
	}
	e, secret, err := webhooks.Create(a.d.Store, c.Principal.OrgID, c.Body(), a.webhookPolicy(), last, a.d.Clock.Now())
	if err != nil {
		return err
	}
	if err := a.webhookChanged(c, e.ID); err != nil {
		return err
	}
	return c.JSON(201, &WebhookWithSecret{Endpoint: e, SigningSecret: secret})
}

func (a *API) getWebhook(c *httpapi.Call) error {
	e, err := webhooks.Get(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, e)
}

func (a *API) updateWebhook(c *httpapi.Call) error {
	e, err := webhooks.Patch(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Body(), a.webhookPolicy(), a.d.Clock.Now())
	if err != nil {
		return err
	}
	if err := a.webhookChanged(c, e.ID); err != nil {
		return err
	}
	return c.JSON(200, e)
}

func (a *API) deleteWebhook(c *httpapi.Call) error {
	id := c.Param("id")
	if err := webhooks.Delete(a.d.Store, c.Principal.OrgID, id); err != nil {
		return err
	}
	if err := a.webhookChanged(c, id); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) rotateWebhookSecret(c *httpapi.Call) error {
	e, secret, err := webhooks.Rotate(a.d.Store, c.Principal.OrgID, c.Param("id"), a.d.Clock.Now())
	if err != nil {
		return err
	}
	if err := a.webhookChanged(c, e.ID); err != nil {
		return err
	}
	return c.JSON(200, &WebhookWithSecret{Endpoint: e, SigningSecret: secret})
}

func (a *API) testWebhook(c *httpapi.Call) error {
	e, err := webhooks.Get(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	if !e.Enabled {
		return storage.Conflict("endpoint_disabled", "enable the endpoint first")
	}
	res, err := a.d.Webhooks.SendTest(c.Principal.OrgID, e.ID)
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (a *API) listDeliveries(c *httpapi.Call) error {
	if _, err := webhooks.Get(a.d.Store, c.Principal.OrgID, c.Param("id")); err != nil {
		return err
	}
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := webhooks.Deliveries(a.d.Store, c.Principal.OrgID, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) redeliver(c *httpapi.Call) error {
	e, err := webhooks.Get(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	if !e.Enabled {
		return storage.Conflict("endpoint_disabled", "enable the endpoint first")
	}
	if d, err := webhooks.GetDelivery(a.d.Store, c.Principal.OrgID, e.ID, c.Param("deliveryId")); err != nil {
		return err
	} else if d.Unsendable() {
		return storage.Conflict("event_unreadable", "this delivery's event could not be read; there is nothing to send")
	}
	d, err := a.d.Webhooks.Redeliver(c.Principal.OrgID, e.ID, c.Param("deliveryId"))
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}
