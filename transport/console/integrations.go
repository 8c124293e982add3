package console

import (
	"strconv"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/httpapi"
)

// The integrations page (/integrations): webhook endpoints, CRM
// connectors, triggers, MCP integrations and brands, each over the
// integrations and admin areas of the service. Admins change them; the
// rest of the team reads what the service lets them. A secret (signing
// secret, connector secret, trigger URL) is shown only in the answer to
// the post that made or rotated it. Webhook endpoints have a page of their
// own with the delivery log (integrations_webhook.go).

type integrationsView struct {
	formState
	Admin    bool
	Webhooks []*webhooks.Endpoint
	CRM      []*crm.Connector
	Triggers []*triggers.Trigger
	MCP      []*mcptools.Integration
	Brands   []*brands.Brand
	Flows    map[string]string
	// Results of the last ping or test, by record id.
	Results map[string]string
}

// integrations shows the page.
func (a *API) integrations(c *httpapi.Call, s *session) error {
	return a.showIntegrations(c, s, &integrationsView{})
}

// showIntegrations fills v's lists and renders it; a list the role may not
// read is left empty.
func (a *API) showIntegrations(c *httpapi.Call, s *session, v *integrationsView) error {
	page := storage.PageRequest{Limit: 100, Skips: c.Skips()}
	v.Admin = s.can(tenancy.Admin)
	var err error
	if v.Webhooks, _, err = a.d.Svc.ListWebhooks(c.Ctx, s.P, page); err != nil && !refused(err) {
		return err
	}
	if v.CRM, _, err = a.d.Svc.ListCRMConnectors(c.Ctx, s.P, page); err != nil && !refused(err) {
		return err
	}
	if v.Triggers, _, err = a.d.Svc.ListTriggers(c.Ctx, s.P, page); err != nil && !refused(err) {
		return err
	}
	if v.MCP, _, err = a.d.Svc.ListMCPIntegrations(c.Ctx, s.P, page); err != nil && !refused(err) {
		return err
	}
	if v.Brands, _, err = a.d.Svc.ListBrands(c.Ctx, s.P, page); err != nil && !refused(err) {
		return err
	}
	v.Flows = a.flowNames(c, s)
	return a.render(c, v.status(), s, "integrations", "Integrations", "integrations", v)
}

// refused is the service's role refusal, which a page answers by showing
// less rather than failing.
func refused(err error) bool { return httpapi.ClassifyPage(err).Status == 403 }

// createWebhook adds an endpoint and shows its signing secret, once.
func (a *API) createWebhook(c *httpapi.Call, s *session) error {
	desc := form(c, "description")
	in := webhooks.Input{URL: storage.Some(form(c, "url")), Events: storage.Some(splitList(c.Form("events"))), Description: &desc}
	v := &integrationsView{}
	res, err := a.d.Svc.CreateWebhook(c.Ctx, s.P, in)
	if err != nil {
		if v.invalid(c, "webhook", err, "url", "events", "description") {
			return a.showIntegrations(c, s, v)
		}
		return err
	}
	v.Notice = "Webhook endpoint added. Copy its signing secret now: humd will not show it again."
	v.Secret = &secretShown{What: "Signing secret of " + res.URL, Label: "Signing secret", Value: res.SigningSecret,
		Note: "Check each delivery's webhook-signature with it (Standard Webhooks)."}
	return a.showIntegrations(c, s, v)
}

// createCRM adds a CRM connector and shows its secret, once.
func (a *API) createCRM(c *httpapi.Call, s *session) error {
	name, base := form(c, "name"), form(c, "base_url")
	in := crm.Input{Name: &name, BaseURL: &base}
	if checked(c, "create_on_miss") {
		t := storage.Bool(true)
		in.CreateOnMiss = &t
	}
	if checked(c, "sync_calls") {
		t := storage.Bool(true)
		in.SyncCalls = &t
	}
	v := &integrationsView{}
	res, err := a.d.Svc.CreateCRMConnector(c.Ctx, s.P, in)
	if err != nil {
		if v.invalid(c, "crm", err, "name", "base_url") {
			return a.showIntegrations(c, s, v)
		}
		return err
	}
	v.Notice = "CRM connector added. Copy its secret now: humd will not show it again."
	v.Secret = &secretShown{What: "Secret of the connector " + res.Name, Label: "Connector secret", Value: res.Secret,
		Note: "Your CRM bridge checks the signature humd puts on each request with it."}
	return a.showIntegrations(c, s, v)
}

// crmAction pings, enables, disables, rotates or deletes a connector.
func (a *API) crmAction(c *httpapi.Call, s *session) error {
	id, v := c.Param("id"), &integrationsView{}
	switch act := form(c, "action"); act {
	case "ping":
		res, err := a.d.Svc.PingCRMConnector(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		v.Results = map[string]string{id: pingText(res.OK, res.Status, res.DurationMS, res.Error)}
	case "enable", "disable":
		on := storage.Bool(act == "enable")
		if _, err := a.d.Svc.UpdateCRMConnector(c.Ctx, s.P, id, crm.Input{Enabled: &on}); err != nil {
			return err
		}
		v.Notice = "Connector " + act + "d."
	case "rotate":
		res, err := a.d.Svc.RotateCRMSecret(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		v.Notice = "New secret made; the old one no longer signs. Copy it now: humd will not show it again."
		v.Secret = &secretShown{What: "New secret of the connector " + res.Name, Label: "Connector secret", Value: res.Secret}
	case "delete":
		if err := a.d.Svc.DeleteCRMConnector(c.Ctx, s.P, id); err != nil {
			return err
		}
		v.Notice = "Connector deleted."
	default:
		return errField("action", "must be ping, enable, disable, rotate or delete")
	}
	return a.showIntegrations(c, s, v)
}

func pingText(ok bool, status int, ms int64, errText string) string {
	if ok {
		return "Reached it: HTTP " + itoa(int64(status)) + " in " + itoa(ms) + " ms."
	}
	if errText != "" {
		return "Failed: " + errText
	}
	return "Failed: HTTP " + itoa(int64(status)) + "."
}

// createTrigger adds a trigger and shows the URL it is fired at, once.
func (a *API) createTrigger(c *httpapi.Call, s *session) error {
	name, ev := form(c, "name"), form(c, "event_name")
	in := triggers.Input{Name: &name, EventName: &ev}
	if f := form(c, "flow_id"); f != "" {
		in.FlowID = storage.Some(f)
	}
	v := &integrationsView{}
	res, err := a.d.Svc.CreateTrigger(c.Ctx, s.P, in)
	if err != nil {
		if v.invalid(c, "trigger", err, "name", "event_name", "flow_id") {
			return a.showIntegrations(c, s, v)
		}
		return err
	}
	v.Notice = "Trigger added. Copy its URL now: it holds the trigger's token, which humd will not show again."
	v.Secret = &secretShown{What: "URL of the trigger " + res.Name, Label: "Trigger URL", Value: res.URL,
		Note: "POST JSON to it to append an " + res.EventName + " event."}
	return a.showIntegrations(c, s, v)
}

// triggerAction rotates a trigger's token or deletes it.
func (a *API) triggerAction(c *httpapi.Call, s *session) error {
	id, v := c.Param("id"), &integrationsView{}
	switch form(c, "action") {
	case "rotate":
		res, err := a.d.Svc.RotateTriggerToken(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		v.Notice = "New URL made; the old one stops working now. Copy it: humd will not show it again."
		v.Secret = &secretShown{What: "New URL of the trigger " + res.Name, Label: "Trigger URL", Value: res.URL}
	case "delete":
		if err := a.d.Svc.DeleteTrigger(c.Ctx, s.P, id); err != nil {
			return err
		}
		v.Notice = "Trigger deleted."
	default:
		return errField("action", "must be rotate or delete")
	}
	return a.showIntegrations(c, s, v)
}

// mcpInput reads the MCP form's policy fields (the allowed tools, which of
// them run without review, and the default for the rest).
func mcpInput(c *httpapi.Call) mcptools.Input {
	allowed, auto := splitList(c.Form("allowed_tools")), splitList(c.Form("auto_approve_tools"))
	req := storage.Bool(checked(c, "require_approval_default"))
	return mcptools.Input{AllowedTools: &allowed, AutoApproveTools: &auto, RequireApprovalDefault: &req}
}

// createMCP adds an MCP integration.
func (a *API) createMCP(c *httpapi.Call, s *session) error {
	in := mcpInput(c)
	name, url := form(c, "name"), form(c, "url")
	in.Name, in.URL = &name, &url
	if tok := form(c, "bearer_token"); tok != "" {
		in.Auth = &mcptools.AuthInput{Type: "bearer", Value: &tok}
	}
	v := &integrationsView{}
	res, err := a.d.Svc.CreateMCPIntegration(c.Ctx, s.P, in)
	if err != nil {
		if v.invalid(c, "mcp", err, "name", "url", "allowed_tools", "auto_approve_tools") {
			return a.showIntegrations(c, s, v)
		}
		return err
	}
	v.Notice = "MCP integration " + res.Name + " added. Test it to list its tools."
	return a.showIntegrations(c, s, v)
}

// mcpAction tests an MCP integration, saves its tool policy, enables,
// disables or deletes it.
func (a *API) mcpAction(c *httpapi.Call, s *session) error {
	id, v := c.Param("id"), &integrationsView{}
	switch act := form(c, "action"); act {
	case "test":
		res, err := a.d.Svc.TestMCPIntegration(c.Ctx, s.P, id)
		if err != nil {
			return err
		}
		if res.OK {
			names := make([]string, len(res.Tools))
			for i, t := range res.Tools {
				names[i] = t.Name
			}
			v.Results = map[string]string{id: "Reached it in " + itoa(res.DurationMS) + " ms; its tools: " + strings.Join(names, ", ") + "."}
		} else {
			v.Results = map[string]string{id: "Failed: " + res.Error}
		}
	case "save":
		in := mcpInput(c)
		on := storage.Bool(checked(c, "enabled"))
		in.Enabled = &on
		if _, err := a.d.Svc.UpdateMCPIntegration(c.Ctx, s.P, id, in); err != nil {
			if v.invalid(c, "mcp-"+id, err) {
				return a.showIntegrations(c, s, v)
			}
			return err
		}
		v.Notice = "Tool policy saved."
	case "delete":
		if err := a.d.Svc.DeleteMCPIntegration(c.Ctx, s.P, id); err != nil {
			return err
		}
		v.Notice = "MCP integration deleted."
	default:
		return errField("action", "must be test, save or delete")
	}
	return a.showIntegrations(c, s, v)
}

// createBrand registers a brand and its campaign with the carrier.
func (a *API) createBrand(c *httpapi.Call, s *session) error {
	req := &brands.Request{Name: form(c, "name"), BrandType: form(c, "brand_type"), CustomerProfileBundleSID: form(c, "customer_profile_bundle_sid"),
		A2PProfileBundleSID: form(c, "a2p_profile_bundle_sid"), MessagingServiceSID: form(c, "messaging_service_sid"), UseCase: form(c, "use_case"),
		Description: form(c, "description"), MessageFlow: form(c, "message_flow"), SampleMessages: splitLines(c.Form("sample_messages")),
		HasEmbeddedLinks: checked(c, "has_embedded_links"), HasEmbeddedPhone: checked(c, "has_embedded_phone")}
	v := &integrationsView{}
	res, err := a.d.Svc.CreateBrand(c.Ctx, s.P, req)
	if err != nil {
		if v.invalid(c, "brand", err, "name", "brand_type", "customer_profile_bundle_sid", "a2p_profile_bundle_sid", "messaging_service_sid",
			"use_case", "description", "message_flow", "sample_messages") {
			return a.showIntegrations(c, s, v)
		}
		return err
	}
	v.Notice = "Brand " + res.Name + " sent for registration: " + res.Status + "."
	return a.showIntegrations(c, s, v)
}

// refreshBrand asks the carrier for a brand's status.
func (a *API) refreshBrand(c *httpapi.Call, s *session) error {
	res, err := a.d.Svc.RefreshBrand(c.Ctx, s.P, c.Param("id"))
	if err != nil {
		return err
	}
	return a.showIntegrations(c, s, &integrationsView{formState: formState{Notice: "Brand " + res.Name + ": " + res.Status + "."}})
}

// splitLines reads a textarea of one item a line.
func splitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
