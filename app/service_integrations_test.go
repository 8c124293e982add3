package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/storage/webhooks"
)

// TestServiceIntegrations drives the integrations area through a.Svc:
// roles, the wire field names of validation errors, and one happy path per
// family (events, webhooks, CRM connectors, triggers and their fire, MCP
// integrations and approvals).
func TestServiceIntegrations(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	svc, ctx := s.App.Svc, context.Background()
	viewer, operator, admin := rolePrincipals(s)

	// Webhooks.
	_, err := svc.CreateWebhook(ctx, viewer, webhooks.Input{URL: storage.Some("https://example.com/hook"), Events: storage.Some([]string{"*"})})
	wantForbidden(t, "viewer CreateWebhook", err)
	_, err = svc.CreateWebhook(ctx, admin, webhooks.Input{URL: storage.Some("https://example.com/hook"), Events: storage.Some([]string{})})
	wantField(t, "CreateWebhook without events", err, "events")
	_, err = svc.CreateWebhook(ctx, admin, webhooks.Input{Events: storage.Some([]string{"*"})})
	wantField(t, "CreateWebhook without url", err, "url")
	if list, _, err := svc.ListWebhooks(ctx, viewer, storage.PageRequest{}); err != nil || len(list) != 0 {
		t.Errorf("ListWebhooks = %v, %v", list, err)
	}

	// CRM connectors.
	name, base := "CRM", "https://crm.example.com"
	_, err = svc.CreateCRMConnector(ctx, viewer, crm.Input{Name: &name, BaseURL: &base})
	wantForbidden(t, "viewer CreateCRMConnector", err)
	empty := ""
	_, err = svc.CreateCRMConnector(ctx, admin, crm.Input{Name: &empty, BaseURL: &base})
	wantField(t, "CreateCRMConnector empty name", err, "name")
	if _, err := svc.GetCRMConnector(ctx, viewer, "crm_nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetCRMConnector = %v; want not found", err)
	}

	// MCP integrations and approvals.
	mname, murl := "Shop", "https://mcp.example.com/mcp"
	_, err = svc.CreateMCPIntegration(ctx, viewer, mcptools.Input{Name: &mname, URL: &murl, AllowedTools: &[]string{}})
	wantForbidden(t, "viewer CreateMCPIntegration", err)
	_, err = svc.CreateMCPIntegration(ctx, admin, mcptools.Input{Name: &mname, URL: &murl})
	wantField(t, "CreateMCPIntegration without allowed tools", err, "allowed_tools_json")
	_, err = svc.DenyToolCall(ctx, viewer, "apr_nope", integrationsvc.DenyToolCallInput{})
	wantForbidden(t, "viewer DenyToolCall", err)
	_, err = svc.DenyToolCall(ctx, operator, "apr_nope", integrationsvc.DenyToolCallInput{Reason: strings.Repeat("r", 501)})
	wantField(t, "DenyToolCall long reason", err, "reason")
	if _, err := svc.DenyToolCall(ctx, operator, "apr_nope", integrationsvc.DenyToolCallInput{}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DenyToolCall of a missing approval = %v; want not found", err)
	}
	if list, _, err := svc.ListApprovals(ctx, viewer, integrationsvc.ListApprovalsQuery{}); err != nil || len(list) != 0 {
		t.Errorf("ListApprovals = %v, %v", list, err)
	}

	// Triggers: create, fire with the token, the event in the log.
	ev := flowInput("On order")
	ev.TriggerType, ev.TriggerEvents = storage.Some("event"), storage.Some([]string{"external.order_paid"})
	flow, err := svc.CreateFlow(ctx, admin, ev)
	if err != nil {
		t.Fatal(err)
	}
	tname, event := "Orders", "external.order_paid"
	_, err = svc.CreateTrigger(ctx, viewer, triggers.Input{Name: &tname, EventName: &event})
	wantForbidden(t, "viewer CreateTrigger", err)
	badEvent := "order_paid"
	_, err = svc.CreateTrigger(ctx, admin, triggers.Input{Name: &tname, EventName: &badEvent})
	wantField(t, "CreateTrigger bad event_name", err, "event_name")
	_, err = svc.CreateTrigger(ctx, admin, triggers.Input{Name: &tname, EventName: &event, FlowID: storage.Some("flow_nope")})
	wantField(t, "CreateTrigger unknown flow", err, "flow_id")
	tr, err := svc.CreateTrigger(ctx, admin, triggers.Input{Name: &tname, EventName: &event, FlowID: storage.Some(flow.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tr.URL, "/api/triggers/in/"+tr.Token) || tr.FlowID == nil || *tr.FlowID != flow.ID {
		t.Errorf("CreateTrigger = %+v", tr)
	}
	if _, err := svc.FireTrigger(ctx, "trg_nope", json.RawMessage(`{}`)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FireTrigger with an unknown token = %v; want not found", err)
	}
	fired, err := svc.FireTrigger(ctx, tr.Token, json.RawMessage(`{"order":42}`))
	if err != nil {
		t.Fatal(err)
	}
	// The flow runs but skips: the payload names no one to reach.
	if len(fired.Runs) != 1 || fired.Runs[0].FlowID != flow.ID || fired.Runs[0].Action != "skipped" {
		t.Errorf("FireTrigger runs = %+v", fired.Runs)
	}
	evs, _, err := svc.ListEvents(ctx, viewer, integrationsvc.ListEventsQuery{Type: event})
	if err != nil || len(evs) != 1 || evs[0].ID != fired.EventID {
		t.Errorf("ListEvents = %v, %v; want the fired event %s", evs, err, fired.EventID)
	}
	// A detached flow: null flow_id.
	if got, err := svc.UpdateTrigger(ctx, admin, tr.ID, triggers.Input{FlowID: storage.Opt[string]{Set: true, Null: true}}); err != nil || got.FlowID != nil {
		t.Errorf("UpdateTrigger flow_id null = %+v, %v", got, err)
	}
	// The fire limit: bursts of TriggerFireBurst, then 429 with a wait.
	var limited *integrationsvc.RateLimitedError
	for i := 0; i < integrationsvc.TriggerFireBurst+1 && limited == nil; i++ {
		_, err = svc.FireTrigger(ctx, tr.Token, json.RawMessage(`{}`))
		errors.As(err, &limited)
	}
	if limited == nil || !errors.Is(err, storage.ErrRateLimited) || limited.Wait <= 0 {
		t.Errorf("after a burst of fires: %v; want rate limited with a wait", err)
	}
	if err := svc.DeleteTrigger(ctx, operator, tr.ID); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("operator DeleteTrigger = %v; want forbidden", err)
	}
}
