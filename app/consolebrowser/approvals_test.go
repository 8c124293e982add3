package consolebrowser_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/mcptools"
)

// shop is a customer's MCP server on loopback with one tool, refund_order;
// it counts the calls that reach it.
type shop struct {
	URL   string
	mu    sync.Mutex
	calls []string
}

func startShop(t *testing.T) *shop {
	t.Helper()
	sh := &shop{}
	srv := mcp.NewServer(&mcp.Implementation{Name: "shop", Version: "1"}, nil)
	type orderArgs struct {
		OrderID string `json:"order_id" jsonschema:"the order number"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "refund_order", Description: "Refund an order in full."},
		func(_ context.Context, _ *mcp.CallToolRequest, in orderArgs) (*mcp.CallToolResult, any, error) {
			sh.mu.Lock()
			sh.calls = append(sh.calls, in.OrderID)
			sh.mu.Unlock()
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "order " + in.OrderID + " refunded"}}}, nil, nil
		})
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(ts.Close)
	sh.URL = ts.URL
	return sh
}

func (sh *shop) called() []string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return append([]string(nil), sh.calls...)
}

// A pending tool call shows what it will do (tool, integration, arguments);
// approving it from the page runs the tool once and shows the result.
func TestBrowserApproveToolCall(t *testing.T) {
	sh := startShop(t)
	s := serve(t, app.Config{AllowPrivateWebhooks: true})
	integ := s.JSON("POST", "/api/mcp-integrations", adminKey, map[string]any{"name": "Shop Tools", "url": sh.URL,
		"allowed_tools_json": []string{"refund_order"}}, 201)["id"].(string)
	// The approval an AI run would have requested (TestMCPToolsInSMSRuns
	// covers the request itself).
	a := &mcptools.Approval{ID: storage.NewID("apr"), OrgID: s.OrgID(), IntegrationID: integ, IntegrationName: "Shop Tools",
		SubjectType: "conversation", SubjectID: "conv_x", Tool: "refund_order", ModelTool: "mcp_shop_tools__refund_order",
		Arguments: json.RawMessage(`{"order_id":"A1"}`), Status: mcptools.Pending, RequestedAt: s.Clock.Now()}
	b := s.App.Store.NewBatch()
	mcptools.PutApproval(b, a)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}

	u := newUser(t, s)
	u.open("/approvals")
	u.signIn(adminEmail, adminPassword)
	u.waitText(`//article`, "refund_order")
	u.waitText(`//article`, "Shop Tools")
	u.waitText(`//article//pre`, `"order_id": "A1"`)
	if n := len(sh.called()); n != 0 {
		t.Fatalf("the tool ran %d times before approval", n)
	}
	u.screenshot("approvals")
	u.click(button, "Approve")
	u.waitText(`//*[@id="approvals"]`, "Nothing waits for approval.")
	u.waitText(`//table[@aria-label="Decided approvals"]`, "order A1 refunded")
	if got := sh.called(); len(got) != 1 || got[0] != "A1" {
		t.Fatalf("refund_order calls = %v; want one, for A1", got)
	}
	if st := s.JSON("GET", "/api/approvals/"+a.ID, adminKey, nil, 200)["status"]; st != "executed" {
		t.Fatalf("approval status = %v; want executed", st)
	}
}
