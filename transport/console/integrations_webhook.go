package console

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/httpapi"
)

// A webhook endpoint's page (/integrations/webhooks/{id}): its event
// filter and description, rotate, send a test, enable or disable, delete,
// and the delivery log with every attempt and a redeliver button.

type webhookView struct {
	formState
	Admin      bool
	Endpoint   *webhooks.Endpoint
	Deliveries []*webhooks.Delivery
	Next       string
	Events     string // the filter as typed: comma separated
}

func (a *API) webhook(c *httpapi.Call, s *session) error {
	return a.showWebhook(c, s, c.Param("id"), &webhookView{})
}

func (a *API) showWebhook(c *httpapi.Call, s *session, id string, v *webhookView) error {
	e, err := a.d.Svc.GetWebhook(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	list, next, err := a.d.Svc.ListWebhookDeliveries(c.Ctx, s.P, id,
		storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()})
	if err != nil {
		return err
	}
	v.Admin, v.Endpoint, v.Deliveries, v.Next = s.can(tenancy.Admin), e, list, next
	v.Events = joinComma(e.Events)
	if ev := v.Val("webhook", "events"); ev != "" {
		v.Events = ev
	}
	return a.render(c, v.status(), s, "webhook", "Webhook "+e.URL, "integrations", v)
}

// webhookAction saves the filter, rotates the secret (shown once), sends a
// test, enables, disables or deletes the endpoint.
func (a *API) webhookAction(c *httpapi.Call, s *session) error {
	id, v := c.Param("id"), &webhookView{}
	switch act := form(c, "action"); act {
	case "save":
		desc := form(c, "description")
		in := webhooks.Input{Events: storage.Some(splitList(c.Form("events"))), Description: &desc}
		if u := form(c, "url"); u != "" {
			in.URL = storage.Some(u)
		}
		if _, err := a.d.Svc.UpdateWebhook(c.Ctx, s.P, id, in); err != nil {
			if v.invalid(c, "webhook", err, "url", "events", "description") {
				return a.showWebhook(c, s, id, v)
			}
			return err
		}
		v.Notice = "Saved."
	case "enable", "disable":
		on := act == "enable"
		if _, err := a.d.Svc.UpdateWebhook(c.Ctx, s.P, id, webhooks.Input{Enabled: &on}); err != nil {
			return err
		}
		v.Notice = "Endpoint " + act + "d."
	case "rotate":
		res, err := a.d.Svc.RotateWebhookSecret(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		v.Notice = "New signing secret made. For a while deliveries carry signatures of both the old and the new secret. Copy it now: humd will not show it again."
		v.Secret = &secretShown{What: "New signing secret of " + res.URL, Label: "Signing secret", Value: res.SigningSecret}
	case "test":
		res, err := a.d.Svc.TestWebhook(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		v.Notice = "Test sent: " + testText(res.ResponseStatus, res.DurationMS, res.Error)
	case "delete":
		if err := a.d.Svc.DeleteWebhook(c.Ctx, s.P, id); err != nil {
			return err
		}
		return redirect(c, "/integrations")
	default:
		return errField("action", "must be save, enable, disable, rotate, test or delete")
	}
	return a.showWebhook(c, s, id, v)
}

func testText(status int, ms int64, errText string) string {
	if errText != "" {
		return "it failed: " + errText
	}
	return "the endpoint answered HTTP " + itoa(int64(status)) + " in " + itoa(ms) + " ms."
}

// redeliver sends a delivery again, with the same webhook-id and body.
func (a *API) redeliver(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	d, err := a.d.Svc.RedeliverWebhook(c.Ctx, s.P, id, c.Param("delivery"))
	if err != nil {
		return err
	}
	return a.showWebhook(c, s, id, &webhookView{formState: formState{Notice: "Redelivered " + d.EventType + ": " + d.Status + "."}})
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
