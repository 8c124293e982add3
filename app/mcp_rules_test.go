package app_test

import (
	"encoding/json"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/mcptools"
)

// TestMCPApproveAfterIntegrationChanged: a refund filed for approval is not
// run once the integration is disabled, refund_order is no longer allowed,
// or the integration is deleted: approving answers 409 with the reason, the
// shop server is never called, and the request can still be denied.
func TestMCPApproveAfterIntegrationChanged(t *testing.T) {
	sh := startShop(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true}})
	id := addShop(t, s, sh)
	// Three requests as a flow's model files them (see TestMCPToolsInSMSRuns).
	pending := make([]string, 3)
	for i := range pending {
		a := &mcptools.Approval{ID: storage.NewID("apr"), OrgID: s.OrgID(), IntegrationID: id, IntegrationName: "Shop Tools",
			FlowID: "flow_x", SubjectType: "conversation", SubjectID: "conv_x", Tool: "refund_order", ModelTool: refund,
			Arguments: json.RawMessage(`{"order_id":"A1"}`), Status: mcptools.Pending, RequestedAt: s.Clock.Now()}
		b := s.App.Store.NewBatch()
		mcptools.PutApproval(b, a)
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		pending[i] = a.ID
	}
	refuse := func(apr, want string) {
		t.Helper()
		if code := errCode(t, s, "POST", "/api/approvals/"+apr+"/approve", nil, 409); code != want {
			t.Errorf("approve = %s; want %s", code, want)
		}
	}

	s.JSON("PATCH", "/api/mcp-integrations/"+id, adminKey, map[string]any{"enabled": false}, 200)
	refuse(pending[0], "integration_disabled")
	s.JSON("PATCH", "/api/mcp-integrations/"+id, adminKey, map[string]any{"enabled": true, "allowed_tools_json": []string{"get_order"}}, 200)
	refuse(pending[1], "tool_not_allowed")
	if st, raw := s.Do("DELETE", "/api/mcp-integrations/"+id, adminKey, nil); st != 204 {
		t.Fatalf("delete = %d %s", st, raw)
	}
	refuse(pending[2], "integration_gone")

	if got := sh.called(""); len(got) != 0 {
		t.Errorf("the shop server was called %v; want never", got)
	}
	for _, apr := range pending {
		if a := s.JSON("POST", "/api/approvals/"+apr+"/deny", adminKey, nil, 200); a["status"] != "denied" {
			t.Errorf("deny after a refused approve = %v", a)
		}
	}
}
