package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/tenancy"
)

// principals of the harness's org at each role, for driving the service
// without HTTP.
func rolePrincipals(s *apptest.Server) (viewer, operator, admin *tenancy.Principal) {
	org := s.OrgID()
	return &tenancy.Principal{OrgID: org, Role: tenancy.Viewer, KeyID: "key_viewer"},
		&tenancy.Principal{OrgID: org, Role: tenancy.Operator, KeyID: "key_operator"},
		&tenancy.Principal{OrgID: org, Role: tenancy.Admin, KeyID: "key_admin"}
}

func wantForbidden(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("%s = %v; want forbidden", what, err)
	}
}

// TestServiceFlows drives the flows area through a.Svc: roles, the wire
// field names of validation errors, and one happy path per family (flows,
// HTTP tools, knowledge, a flow's MCP integrations).
func TestServiceFlows(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	svc, ctx := s.App.Svc, context.Background()
	viewer, _, admin := rolePrincipals(s)

	_, err := svc.CreateFlow(ctx, viewer, flowInput("Front desk"))
	wantForbidden(t, "viewer CreateFlow", err)
	bad := flowInput("x")
	bad.Channel = storage.Some("fax")
	_, err = svc.CreateFlow(ctx, admin, bad)
	wantField(t, "CreateFlow channel fax", err, "channel")

	f, err := svc.CreateFlow(ctx, admin, flowInput("Front desk"))
	if err != nil {
		t.Fatal(err)
	}
	patch := flowInputEmpty()
	patch.Greeting = storage.Some("Hello")
	if got, err := svc.UpdateFlow(ctx, admin, f.ID, patch); err != nil || got.Greeting != "Hello" || got.Name != "Front desk" {
		t.Errorf("UpdateFlow = %+v, %v", got, err)
	}
	if got, err := svc.GetFlow(ctx, viewer, f.ID); err != nil || got.Greeting != "Hello" {
		t.Errorf("viewer GetFlow = %+v, %v", got, err)
	}
	if list, _, err := svc.ListFlows(ctx, viewer, flowsvc.ListFlowsQuery{Channel: "voice"}); err != nil || len(list) == 0 {
		t.Errorf("ListFlows = %v, %v", list, err)
	}
	_, _, err = svc.ListFlows(ctx, viewer, flowsvc.ListFlowsQuery{Kind: "sideways"})
	wantField(t, "ListFlows kind", err, "kind")

	// HTTP tools: a flow's binding, its secret answered once.
	name, mode, url := "lookup", flowtools.InCall, "https://example.com/lookup"
	_, err = svc.CreateFlowTool(ctx, viewer, f.ID, flowtools.Input{Name: &name, Mode: &mode, URL: &url})
	wantForbidden(t, "viewer CreateFlowTool", err)
	badName := ""
	_, err = svc.CreateFlowTool(ctx, admin, f.ID, flowtools.Input{Name: &badName, Mode: &mode, URL: &url})
	wantField(t, "CreateFlowTool empty name", err, "name")
	if _, err := svc.CreateFlowTool(ctx, admin, "flow_nope", flowtools.Input{Name: &name, Mode: &mode, URL: &url}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CreateFlowTool on a missing flow = %v; want not found", err)
	}

	// Knowledge: create, search, edit.
	title, text := "Hours", "We open at nine.\n\nWe close at five."
	_, err = svc.CreateKnowledge(ctx, viewer, knowledge.Input{Title: &title, Text: &text})
	wantForbidden(t, "viewer CreateKnowledge", err)
	empty := ""
	_, err = svc.CreateKnowledge(ctx, admin, knowledge.Input{Title: &empty, Text: &text})
	wantField(t, "CreateKnowledge empty title", err, "title")
	doc, err := svc.CreateKnowledge(ctx, admin, knowledge.Input{Title: &title, Text: &text})
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := svc.SearchKnowledge(ctx, viewer, flowsvc.SearchKnowledgeQuery{Q: "close"}); err != nil || len(ps) == 0 {
		t.Errorf("SearchKnowledge = %v, %v", ps, err)
	}
	_, err = svc.SearchKnowledge(ctx, viewer, flowsvc.SearchKnowledgeQuery{})
	wantField(t, "SearchKnowledge without q", err, "q")
	newTitle := "Opening hours"
	if d, err := svc.UpdateKnowledge(ctx, admin, doc.ID, knowledge.Input{Title: &newTitle}); err != nil || d.Title != newTitle || d.Text != text {
		t.Errorf("UpdateKnowledge = %+v, %v", d, err)
	}

	// A flow's MCP integrations: [] detaches all, nil is refused.
	_, err = svc.SetFlowMCPIntegrations(ctx, viewer, f.ID, flowsvc.SetFlowMCPIntegrationsInput{IntegrationIDs: []string{}})
	wantForbidden(t, "viewer SetFlowMCPIntegrations", err)
	_, err = svc.SetFlowMCPIntegrations(ctx, admin, f.ID, flowsvc.SetFlowMCPIntegrationsInput{})
	wantField(t, "SetFlowMCPIntegrations without ids", err, "integration_ids")
	_, err = svc.SetFlowMCPIntegrations(ctx, admin, f.ID, flowsvc.SetFlowMCPIntegrationsInput{IntegrationIDs: []string{"mcp_nope"}})
	wantField(t, "SetFlowMCPIntegrations unknown id", err, "integration_ids")
	if fi, err := svc.GetFlowMCPIntegrations(ctx, viewer, f.ID); err != nil || fi.FlowID != f.ID || fi.IntegrationIDs == nil {
		t.Errorf("GetFlowMCPIntegrations = %+v, %v", fi, err)
	}

	if err := svc.DeleteFlow(ctx, viewer, f.ID); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer DeleteFlow = %v; want forbidden", err)
	}
	cp, err := svc.DuplicateFlow(ctx, admin, f.ID)
	if err != nil || cp.Name != "Front desk (copy)" {
		t.Fatalf("DuplicateFlow = %+v, %v", cp, err)
	}
	if err := svc.DeleteFlow(ctx, admin, cp.ID); err != nil {
		t.Errorf("DeleteFlow = %v", err)
	}
}

func flowInput(name string) flows.Input { return flows.Input{Name: storage.Some(name)} }

func flowInputEmpty() flows.Input { return flows.Input{} }
