package integrationapi

import (
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// WebhookWithSecret answers a create or a rotation: the endpoint with its
// signing secret, the one time it is shown.
type WebhookWithSecret = integrationsvc.WebhookWithSecret

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

func (a *API) listWebhooks(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListWebhooks(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createWebhook(c *httpapi.Call) error {
	var in webhooks.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	e, err := a.d.Svc.CreateWebhook(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, e)
}

func (a *API) getWebhook(c *httpapi.Call) error {
	e, err := a.d.Svc.GetWebhook(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, e)
}

func (a *API) updateWebhook(c *httpapi.Call) error {
	var in webhooks.Input
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	e, err := a.d.Svc.UpdateWebhook(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, e)
}

func (a *API) deleteWebhook(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteWebhook(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) rotateWebhookSecret(c *httpapi.Call) error {
	e, err := a.d.Svc.RotateWebhookSecret(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, e)
}

func (a *API) testWebhook(c *httpapi.Call) error {
	res, err := a.d.Svc.TestWebhook(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (a *API) listDeliveries(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListWebhookDeliveries(c.Ctx, c.Principal, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) redeliver(c *httpapi.Call) error {
	d, err := a.d.Svc.RedeliverWebhook(c.Ctx, c.Principal, c.Param("id"), c.Param("deliveryId"))
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}
