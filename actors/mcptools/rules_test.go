package mcptools

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/storagetest"
)

func (f *fakeRemote) counts() (lists int, called []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists, append([]string(nil), f.called...)
}

// TestDisabledIntegrationHidden (SPEC 2.12 rule 1): a disabled integration's
// tools are neither offered to its flows nor run when a model names one, and
// its server is not even asked for its list; enabled again, they are back.
func TestDisabledIntegrationHidden(t *testing.T) {
	s, r, clk, id := setup(t)
	ctx := context.Background()
	sub := ai.Subject{Type: ai.SubjectConversation, ID: "conv_1"}
	if _, err := mcptools.Patch(s.cfg.Store, "org_1", id, storagetest.Typed[mcptools.Input](t, []byte(`{"enabled":0}`)), egresspolicy.Policy{AllowPrivate: true}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if tools, err := s.Tools(ctx, "org_1", "flow_1"); err != nil || len(tools) != 0 {
		t.Errorf("tools of a disabled integration = %v, %v; want none", tools, err)
	}
	out, handled, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__a", Arguments: "{}"})
	if !handled || err == nil || strings.Contains(out, "approval_required") {
		t.Errorf("calling a disabled integration's tool = %q, handled %v, err %v; want a refusal", out, handled, err)
	}
	if lists, called := r.counts(); lists != 0 || len(called) != 0 {
		t.Errorf("the disabled integration's server was asked %d lists and %v calls; want none", lists, called)
	}
	if _, err := mcptools.Patch(s.cfg.Store, "org_1", id, storagetest.Typed[mcptools.Input](t, []byte(`{"enabled":true}`)), egresspolicy.Policy{AllowPrivate: true}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if tools, err := s.Tools(ctx, "org_1", "flow_1"); err != nil || len(tools) != 1 || tools[0].Name != "mcp_shop__a" {
		t.Errorf("tools once enabled again = %v, %v; want mcp_shop__a", tools, err)
	}
}

// TestNoApprovalDefaultRunsAllowedTools (SPEC 2.12 rule 2): with
// require_approval_default false every allowed tool runs at once, with no
// approval filed, auto-approve list or not; a tool that is not allowed is
// still refused.
func TestNoApprovalDefaultRunsAllowedTools(t *testing.T) {
	s, r, clk, _ := setup(t)
	st := s.cfg.Store
	in, err := mcptools.Create(st, "org_1", storagetest.Typed[mcptools.Input](t, []byte(`{"name":"Desk","url":"http://127.0.0.1:1/mcp","allowed_tools_json":["a","b"],`+
		`"require_approval_default":0}`)), egresspolicy.Policy{AllowPrivate: true}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mcptools.SetFlowIntegrations(st, "org_1", "flow_2", []string{in.ID}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tools, err := s.Tools(ctx, "org_1", "flow_2")
	if err != nil || len(tools) != 2 {
		t.Fatalf("tools = %v, %v; want a and b", tools, err)
	}
	for _, tl := range tools {
		if strings.Contains(tl.Description, "approval") {
			t.Errorf("%s is described as needing approval: %q", tl.Name, tl.Description)
		}
	}
	sub := ai.Subject{Type: ai.SubjectCall, ID: "call_1"}
	for _, name := range []string{"mcp_desk__a", "mcp_desk__b"} {
		out, handled, err := s.Call(ctx, "org_1", "flow_2", sub, ai.ToolCall{Name: name, Arguments: `{"x":1}`})
		if !handled || err != nil || !strings.HasPrefix(out, "done ") {
			t.Errorf("%s = %q, handled %v, err %v; want it run at once", name, out, handled, err)
		}
	}
	if _, called := r.counts(); strings.Join(called, ",") != "a,b" {
		t.Errorf("server calls = %v; want a then b", called)
	}
	if pending, _, err := mcptools.ListApprovals(st, "org_1", mcptools.Filter{}, storage.PageRequest{Limit: 10}); err != nil || len(pending) != 0 {
		t.Errorf("approvals = %v, %v; want none filed", pending, err)
	}
	// The first integration (approval by default) still asks for one.
	out, _, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__a", Arguments: "{}"})
	if err != nil || !strings.Contains(out, "approval_required") {
		t.Errorf("a tool of the approval-by-default integration = %q, %v; want approval_required", out, err)
	}
	if _, handled, err := s.Call(ctx, "org_1", "flow_2", sub, ai.ToolCall{Name: "mcp_desk__c", Arguments: "{}"}); !handled || err == nil {
		t.Errorf("a tool that is not allowed: handled %v, err %v; want a refusal", handled, err)
	}
	if _, called := r.counts(); len(called) != 2 {
		t.Errorf("server calls = %v; want only a and b", called)
	}
}

// TestApproveRefusedOnceIntegrationChanged: a request filed while its tool
// was allowed is not run once the integration is disabled, the tool is no
// longer allowed, or the integration is deleted; each is a conflict (409)
// that leaves the request pending, to be denied.
func TestApproveRefusedOnceIntegrationChanged(t *testing.T) {
	ctx := context.Background()
	sub := ai.Subject{Type: ai.SubjectConversation, ID: "conv_1"}
	p := egresspolicy.Policy{AllowPrivate: true}
	cases := []struct {
		name, code string
		change     func(s *Service, id string) error
	}{
		{"disabled", "integration_disabled", func(s *Service, id string) error {
			_, err := mcptools.Patch(s.cfg.Store, "org_1", id, storagetest.Typed[mcptools.Input](t, []byte(`{"enabled":false}`)), p, s.cfg.Clock.Now())
			return err
		}},
		{"tool disallowed", "tool_not_allowed", func(s *Service, id string) error {
			_, err := mcptools.Patch(s.cfg.Store, "org_1", id, storagetest.Typed[mcptools.Input](t, []byte(`{"allowed_tools_json":["b"]}`)), p, s.cfg.Clock.Now())
			return err
		}},
		{"deleted", "integration_gone", func(s *Service, id string) error { return mcptools.Delete(s.cfg.Store, "org_1", id) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, r, _, id := setup(t)
			out, _, err := s.Call(ctx, "org_1", "flow_1", sub, ai.ToolCall{Name: "mcp_shop__a", Arguments: "{}"})
			if err != nil || !strings.Contains(out, "approval_required") {
				t.Fatalf("call = %q, %v", out, err)
			}
			list, _, err := mcptools.ListApprovals(s.cfg.Store, "org_1", mcptools.Filter{Status: mcptools.Pending}, storage.PageRequest{Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("pending = %v, %v", list, err)
			}
			apr := list[0].ID
			if err := c.change(s, id); err != nil {
				t.Fatal(err)
			}
			_, err = s.Approve(ctx, "org_1", apr, "usr_1")
			var ce *storage.ConflictError
			if !errors.As(err, &ce) || ce.Code != c.code {
				t.Errorf("approve = %v; want a %s conflict", err, c.code)
			}
			if _, called := r.counts(); len(called) != 0 {
				t.Errorf("server calls = %v; want none", called)
			}
			if a, err := mcptools.GetApproval(s.cfg.Store, "org_1", apr); err != nil || a.Status != mcptools.Pending {
				t.Errorf("approval after the refusal = %+v, %v; want still pending", a, err)
			}
			if a, err := s.Deny("org_1", apr, "usr_1", ""); err != nil || a.Status != mcptools.Denied {
				t.Errorf("deny = %+v, %v", a, err)
			}
		})
	}
}
