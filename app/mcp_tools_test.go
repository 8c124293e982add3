package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
)

const shopToken = "shop-secret-token-0042"

// shopServer is a customer's MCP server on loopback, built with the same
// SDK: get_order, refund_order and secret_tool, behind a bearer token. It
// records every call that reaches a tool.
type shopServer struct {
	URL   string
	mu    sync.Mutex
	calls []string // "tool args"
}

type orderArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number"`
}

func startShop(t *testing.T) *shopServer {
	t.Helper()
	sh := &shopServer{}
	srv := mcp.NewServer(&mcp.Implementation{Name: "shop", Version: "1"}, nil)
	tool := func(name, desc string, answer func(orderArgs) string) {
		mcp.AddTool(srv, &mcp.Tool{Name: name, Description: desc},
			func(_ context.Context, _ *mcp.CallToolRequest, in orderArgs) (*mcp.CallToolResult, any, error) {
				raw, _ := json.Marshal(in)
				sh.mu.Lock()
				sh.calls = append(sh.calls, name+" "+string(raw))
				sh.mu.Unlock()
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: answer(in)}}}, nil, nil
			})
	}
	tool("get_order", "Look up an order's status.", func(in orderArgs) string { return "order " + in.OrderID + " shipped on Monday" })
	tool("refund_order", "Refund an order in full.", func(in orderArgs) string { return "order " + in.OrderID + " refunded" })
	tool("secret_tool", "Something flows must never see.", func(orderArgs) string { return "leaked" })
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+shopToken {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	sh.URL = ts.URL
	return sh
}

// called answers the calls that reached tool, as their JSON arguments.
func (sh *shopServer) called(tool string) []string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var out []string
	for _, c := range sh.calls {
		if tool == "" {
			out = append(out, c)
		} else if args, ok := strings.CutPrefix(c, tool+" "); ok {
			out = append(out, args)
		}
	}
	return out
}

// addShop registers the shop server: get_order runs at once, refund_order
// needs approval, secret_tool is not allowed.
func addShop(t *testing.T, s *apptest.Server, sh *shopServer) string {
	t.Helper()
	status, raw := s.Do("POST", "/api/mcp-integrations", adminKey, map[string]any{"name": "Shop Tools", "url": sh.URL,
		"auth": map[string]any{"type": "bearer", "value": shopToken}, "allowed_tools_json": []string{"refund_order", "get_order"},
		"auto_approve_tools_json": []string{"get_order"}})
	if status != 201 {
		t.Fatalf("create integration = %d %s", status, raw)
	}
	if strings.Contains(string(raw), shopToken) {
		t.Errorf("create answered the secret: %s", raw)
	}
	storedInClear(t, s, "mcp/", shopToken)
	var in map[string]any
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	auth := in["auth"].(map[string]any)
	if in["slug"] != "shop_tools" || auth["type"] != "bearer" || auth["hint"] != "****0042" || in["require_approval_default"] != true ||
		in["transport"] != "streamable_http" || fmt.Sprint(in["allowed_tools_json"]) != "[get_order refund_order]" {
		t.Errorf("integration = %v", in)
	}
	return in["id"].(string)
}

func toolNames(req llmtest.Request) []string {
	var out []string
	for _, t := range req.Tools {
		out = append(out, t.Name)
	}
	return out
}

func lastOutput(t *testing.T, req llmtest.Request) string {
	t.Helper()
	last := req.Input[len(req.Input)-1]
	if last.Type != "function_call_output" {
		t.Fatalf("request ends with %+v; want a function_call_output", last)
	}
	return last.Output
}

const (
	getOrder  = "mcp_shop_tools__get_order"
	refund    = "mcp_shop_tools__refund_order"
	secretMCP = "mcp_shop_tools__secret_tool"
)

// TestMCPIntegrationsAPI covers the integration resource: validation, the
// secret never answered, test listing the tools, attaching to flows.
func TestMCPIntegrationsAPI(t *testing.T) {
	sh := startShop(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true}})
	id := addShop(t, s, sh)

	for _, bad := range []map[string]any{
		{"name": "X", "url": sh.URL},
		{"name": "X", "url": sh.URL, "allowed_tools_json": []string{"a"}, "auto_approve_tools_json": []string{"b"}},
		{"name": "X", "url": sh.URL, "allowed_tools_json": []string{}, "transport": "stdio"},
		{"name": "X", "url": sh.URL, "allowed_tools_json": []string{}, "auth": map[string]any{"type": "bearer"}},
		{"name": "X", "url": sh.URL, "allowed_tools_json": []string{}, "auth": map[string]any{"type": "header", "value": "v", "header": "Host"}},
		{"name": "X", "url": "ftp://example.com", "allowed_tools_json": []string{}},
		{"name": "!!!", "url": sh.URL, "allowed_tools_json": []string{}},
	} {
		if code := errCode(t, s, "POST", "/api/mcp-integrations", bad, 422); code != "validation_failed" {
			t.Errorf("create %v = %s; want validation_failed", bad, code)
		}
	}
	if code := errCode(t, s, "POST", "/api/mcp-integrations", map[string]any{"name": "shop tools!", "url": sh.URL,
		"allowed_tools_json": []string{}}, 409); code != "name_taken" {
		t.Errorf("same slug = %s; want name_taken", code)
	}

	got := s.JSON("GET", "/api/mcp-integrations/"+id, adminKey, nil, 200)
	if raw, _ := json.Marshal(got); strings.Contains(string(raw), shopToken) {
		t.Errorf("get answered the secret: %s", raw)
	}
	res := s.JSON("POST", "/api/mcp-integrations/"+id+"/test", adminKey, nil, 200)
	if res["ok"] != true {
		t.Fatalf("test = %v", res)
	}
	listed := map[string]map[string]any{}
	for _, tl := range res["tools"].([]any) {
		m := tl.(map[string]any)
		listed[m["name"].(string)] = m
	}
	if len(listed) != 3 || listed["get_order"]["allowed"] != true || listed["get_order"]["auto_approve"] != true ||
		listed["refund_order"]["auto_approve"] != false || listed["secret_tool"]["allowed"] != false ||
		listed["refund_order"]["model_name"] != refund || listed["get_order"]["input_schema"] == nil {
		t.Errorf("tested tools = %v", listed)
	}

	// A wrong token is a failed test, not an error answer.
	s.JSON("PATCH", "/api/mcp-integrations/"+id, adminKey, map[string]any{"auth": map[string]any{"type": "bearer", "value": "wrong-token-1234"}}, 200)
	if res := s.JSON("POST", "/api/mcp-integrations/"+id+"/test", adminKey, nil, 200); res["ok"] != false || res["error"] == "" {
		t.Errorf("test with a wrong token = %v", res)
	}
	// auth with only its type keeps the secret.
	s.JSON("PATCH", "/api/mcp-integrations/"+id, adminKey, map[string]any{"auth": map[string]any{"type": "bearer", "value": shopToken}}, 200)
	p := s.JSON("PATCH", "/api/mcp-integrations/"+id, adminKey, map[string]any{"auth": map[string]any{"type": "bearer"}, "enabled": 0}, 200)
	if p["auth"].(map[string]any)["hint"] != "****0042" || p["enabled"] != false {
		t.Errorf("patched = %v", p)
	}
	if res := s.JSON("POST", "/api/mcp-integrations/"+id+"/test", adminKey, nil, 200); res["ok"] != true {
		t.Errorf("test after keeping the secret = %v", res)
	}

	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Shop", "channel": "sms", "trigger_type": "message"}, 201)["id"].(string)
	if ids := s.JSON("GET", "/api/flows/"+flow+"/mcp-integrations", adminKey, nil, 200)["integration_ids"].([]any); len(ids) != 0 {
		t.Errorf("new flow has %v", ids)
	}
	errCode(t, s, "PUT", "/api/flows/"+flow+"/mcp-integrations", map[string]any{"integration_ids": []string{"mcp_nope"}}, 422)
	errCode(t, s, "PUT", "/api/flows/flow_nope/mcp-integrations", map[string]any{"integration_ids": []string{id}}, 404)
	s.JSON("PUT", "/api/flows/"+flow+"/mcp-integrations", adminKey, map[string]any{"integration_ids": []string{id, id}}, 200)
	if ids := s.JSON("GET", "/api/flows/"+flow+"/mcp-integrations", adminKey, nil, 200)["integration_ids"].([]any); len(ids) != 1 || ids[0] != id {
		t.Errorf("attached = %v", ids)
	}
	if ids, ok := s.JSON("PUT", "/api/flows/"+flow+"/mcp-integrations", adminKey, map[string]any{"integration_ids": []string{}}, 200)["integration_ids"].([]any); !ok || len(ids) != 0 {
		t.Errorf("detach all answers integration_ids %v; want []", ids)
	}
	s.JSON("PUT", "/api/flows/"+flow+"/mcp-integrations", adminKey, map[string]any{"integration_ids": []string{id}}, 200)
	errCode(t, s, "GET", "/api/approvals?status=maybe", nil, 422)
	if st, _ := s.Do("DELETE", "/api/mcp-integrations/"+id, adminKey, nil); st != 204 {
		t.Errorf("delete = %d", st)
	}
	if ids := s.JSON("GET", "/api/flows/"+flow+"/mcp-integrations", adminKey, nil, 200)["integration_ids"].([]any); len(ids) != 0 {
		t.Errorf("after delete, attached = %v", ids)
	}
}

// TestMCPToolsInSMSRuns drives an SMS flow with an attached MCP server
// through openai-go and the fake Responses server: only allowed tools are
// offered, an auto-approved call reaches the server and its output goes back
// to the model, a call needing approval runs nothing until approved (then
// once), a denied one never runs, and a tool that is not allowed is refused.
func TestMCPToolsInSMSRuns(t *testing.T) {
	sh := startShop(t)
	fake := llmtest.Start(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true},
		Model: llm.NewOpenAI(llm.Config{APIKey: "test", BaseURL: fake.BaseURL(), MaxRetries: -1})})
	num := s.AddNumber(ourNumber, 1)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Shop", "channel": "sms", "trigger_type": "message",
		"system_prompt": "Help with orders.", "sms_config_json": map[string]any{"debounce_ms": 2000}}, 201)["id"].(string)
	s.JSON("PATCH", "/api/numbers/"+num.ID, adminKey, map[string]any{"sms_flow_id": flow}, 200)
	id := addShop(t, s, sh)
	s.JSON("PUT", "/api/flows/"+flow+"/mcp-integrations", adminKey, map[string]any{"integration_ids": []string{id}}, 200)

	fake.ReplyToolCall(getOrder, `{"order_id":"A1"}`)
	fake.ReplyToolCall(refund, `{"order_id":"A1"}`)
	fake.ReplyToolCall(secretMCP, `{"order_id":"A1"}`)
	fake.ReplyText("Order A1 shipped Monday; your refund is waiting for review.")
	conv := textAI(t, s, "SM00000000000000000000000000000901", "where is my order A1? refund it please",
		"Order A1 shipped Monday; your refund is waiting for review.")

	reqs := fake.Requests()
	if len(reqs) != 4 {
		t.Fatalf("model requests = %d; want 4", len(reqs))
	}
	names := toolNames(reqs[0])
	if !slices.Contains(names, getOrder) || !slices.Contains(names, refund) || slices.Contains(names, secretMCP) ||
		!slices.Contains(names, "lookup_knowledge") {
		t.Errorf("offered tools = %v; want the built-ins plus get_order and refund_order only", names)
	}
	for _, tl := range reqs[0].Tools {
		if tl.Name == refund && !strings.Contains(tl.Description, "approval") {
			t.Errorf("refund_order description %q does not say it needs approval", tl.Description)
		}
		if tl.Name == getOrder && tl.Parameters["properties"].(map[string]any)["order_id"] == nil {
			t.Errorf("get_order parameters = %v; want the server's input schema", tl.Parameters)
		}
	}
	if out := lastOutput(t, reqs[1]); !strings.Contains(out, "order A1 shipped on Monday") {
		t.Errorf("get_order output to the model = %q", out)
	}
	var pending map[string]any
	if err := json.Unmarshal([]byte(lastOutput(t, reqs[2])), &pending); err != nil || pending["status"] != "approval_required" {
		t.Errorf("refund_order output to the model = %q; want approval_required", lastOutput(t, reqs[2]))
	}
	if out := lastOutput(t, reqs[3]); !strings.Contains(out, "not available") {
		t.Errorf("secret_tool output to the model = %q; want a refusal", out)
	}
	if got := sh.called("get_order"); len(got) != 1 || got[0] != `{"order_id":"A1"}` {
		t.Errorf("get_order reached the server %v", got)
	}
	if n := len(sh.called("refund_order")) + len(sh.called("secret_tool")); n != 0 {
		t.Fatalf("refund_order or secret_tool reached the server %d times before any approval", n)
	}

	// The run record lists the MCP calls with the built-in ones.
	// (The reply is stored just before the run record.)
	var recorded []string
	for _, tc := range onlyRun(t, s, conv)["tool_calls"].([]any) {
		recorded = append(recorded, tc.(map[string]any)["name"].(string))
	}
	if fmt.Sprint(recorded) != fmt.Sprint([]string{getOrder, refund, secretMCP}) {
		t.Errorf("run tool_calls = %v", recorded)
	}

	// The approval queue holds the refund, attached to the conversation.
	list := s.JSON("GET", "/api/approvals?status=pending", adminKey, nil, 200)["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("pending approvals = %v", list)
	}
	a := list[0].(map[string]any)
	if a["id"] != pending["approval_id"] || a["tool"] != "refund_order" || a["subject_type"] != "conversation" || a["subject_id"] != conv ||
		a["flow_id"] != flow || a["integration_id"] != id || a["arguments"].(map[string]any)["order_id"] != "A1" {
		t.Errorf("approval = %v", a)
	}
	apr := a["id"].(string)
	done := s.JSON("POST", "/api/approvals/"+apr+"/approve", adminKey, nil, 200)
	if done["status"] != "executed" || done["result"] != "order A1 refunded" || done["decided_by"] == "" || done["executed_at"] == nil {
		t.Errorf("approved = %v", done)
	}
	if got := sh.called("refund_order"); len(got) != 1 {
		t.Errorf("refund_order ran %d times after approval; want once", len(got))
	}
	if code := errCode(t, s, "POST", "/api/approvals/"+apr+"/approve", nil, 409); code != "approval_decided" {
		t.Errorf("second approve = %s", code)
	}
	if got := sh.called("refund_order"); len(got) != 1 {
		t.Errorf("refund_order ran %d times after a second approve; want once", len(got))
	}

	// A second refund request, denied: nothing runs.
	fake.ReplyToolCall(refund, `{"order_id":"B2"}`)
	fake.ReplyText("Your refund for B2 is waiting for review.")
	inbound(t, s, "SM00000000000000000000000000000902", contact, "and refund B2 too")
	s.Clock.Advance(2 * time.Second)
	var second string
	s.WaitFor("the second approval", func() error {
		list := s.JSON("GET", "/api/approvals?status=pending&subject_id="+conv, adminKey, nil, 200)["data"].([]any)
		if len(list) != 1 {
			return fmt.Errorf("pending = %v", list)
		}
		second = list[0].(map[string]any)["id"].(string)
		return nil
	})
	denied := s.JSON("POST", "/api/approvals/"+second+"/deny", adminKey, map[string]any{"reason": "not eligible"}, 200)
	if denied["status"] != "denied" || denied["reason"] != "not eligible" {
		t.Errorf("denied = %v", denied)
	}
	errCode(t, s, "POST", "/api/approvals/"+second+"/approve", nil, 409)
	s.Holds("only the approved refund runs", func() error {
		if got := sh.called("refund_order"); len(got) != 1 {
			return fmt.Errorf("refund_order calls = %v; want only the approved A1", got)
		}
		return nil
	})
	if all := s.JSON("GET", "/api/approvals", adminKey, nil, 200)["data"].([]any); len(all) != 2 || all[0].(map[string]any)["id"] != second {
		t.Errorf("approvals newest first = %v", all)
	}

	// The org's event log ties it all to the conversation.
	counts := map[string]int{}
	for _, ev := range s.Events() {
		var data map[string]any
		_ = json.Unmarshal(ev.Data, &data)
		switch ev.Type {
		case "approval.requested", "approval.decided", "mcp.tool_executed":
			counts[ev.Type]++
			if data["conversation_id"] != conv || data["subject_type"] != "conversation" {
				t.Errorf("%s event = %v; want it on the conversation", ev.Type, data)
			}
		}
	}
	if counts["approval.requested"] != 2 || counts["approval.decided"] != 2 || counts["mcp.tool_executed"] != 2 {
		t.Errorf("events = %v; want 2 requested, 2 decided, 2 executed (auto get_order, approved refund)", counts)
	}
}

// TestMCPToolsInVoiceCalls: on a live call the same rules hold; the refund
// answers approval_required at once and runs only when approved.
func TestMCPToolsInVoiceCalls(t *testing.T) {
	sh := startShop(t)
	fake := llmtest.Start(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true},
		Model: llm.NewOpenAI(llm.Config{APIKey: "test", BaseURL: fake.BaseURL(), MaxRetries: -1})})
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Front line", "channel": "voice", "greeting": "Hi, this is Acme.",
		"system_prompt": "You answer calls for Acme."}, 201)["id"].(string)
	n := s.AddNumber(ourNumber, 1)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": flow}, 200)
	id := addShop(t, s, sh)
	s.JSON("PUT", "/api/flows/"+flow+"/mcp-integrations", adminKey, map[string]any{"integration_ids": []string{id}}, 200)

	c := dial(t, s, contact, "CA00000000000000000000000000000901")
	callID := c.TwiML.Parameters["call_id"]
	fake.ReplyToolCall(getOrder, `{"order_id":"C3"}`)
	fake.ReplyToolCall(refund, `{"order_id":"C3"}`)
	fake.ReplyText("Order C3 shipped Monday, and I've asked for your refund.")
	if err := c.Conn.Prompt("Where is order C3? Please refund it."); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Order C3 shipped Monday, and I've asked for your refund." {
		t.Errorf("reply = %q", text)
	}
	reqs := fake.Requests()
	if len(reqs) != 3 || slices.Contains(toolNames(reqs[0]), secretMCP) || !slices.Contains(toolNames(reqs[0]), refund) ||
		!slices.Contains(toolNames(reqs[0]), "end_call") {
		t.Fatalf("requests = %d, tools %v", len(reqs), toolNames(reqs[0]))
	}
	if out := lastOutput(t, reqs[1]); !strings.Contains(out, "order C3 shipped") {
		t.Errorf("get_order output = %q", out)
	}
	if out := lastOutput(t, reqs[2]); !strings.Contains(out, `"status":"approval_required"`) {
		t.Errorf("refund_order output = %q", out)
	}
	if len(sh.called("get_order")) != 1 || len(sh.called("refund_order")) != 0 {
		t.Fatalf("server calls = %v", sh.called(""))
	}
	s.WaitFor("the call's tool activity", func() error {
		tools, err := calls.Tools(s.App.Store, s.OrgID(), callID)
		if err != nil {
			return err
		}
		var names []string
		for _, tl := range tools {
			names = append(names, tl.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint([]string{getOrder, refund}) {
			return fmt.Errorf("tool activity = %v", names)
		}
		return nil
	})
	list := s.JSON("GET", "/api/approvals?subject_id="+callID, adminKey, nil, 200)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["subject_type"] != "call" || list[0].(map[string]any)["status"] != "pending" {
		t.Fatalf("approvals of the call = %v", list)
	}
	done := s.JSON("POST", "/api/approvals/"+list[0].(map[string]any)["id"].(string)+"/approve", adminKey, nil, 200)
	if done["status"] != "executed" || done["result"] != "order C3 refunded" || len(sh.called("refund_order")) != 1 {
		t.Errorf("approved = %v; server calls %v", done, sh.called("refund_order"))
	}
	found := false
	for _, ev := range s.Events() {
		var data map[string]any
		_ = json.Unmarshal(ev.Data, &data)
		if ev.Type == "mcp.tool_executed" && data["call_id"] == callID && data["auto_approved"] == false {
			found = true
		}
	}
	if !found {
		t.Errorf("no mcp.tool_executed event for the approved refund on call %s", callID)
	}
	// The call's review shows the approved call with its result.
	apr := s.JSON("GET", "/api/calls/"+callID, adminKey, nil, 200)["approvals"].([]any)
	if len(apr) != 1 || apr[0].(map[string]any)["result"] != "order C3 refunded" {
		t.Errorf("call approvals = %v", apr)
	}
}

// matrixMCP makes an org-A integration and a pending approval of it for
// TestOtherOrgGets404 (no server is reached: org B never gets that far).
func matrixMCP(t *testing.T, s *apptest.Server) (integration, approval string) {
	t.Helper()
	integration = s.JSON("POST", "/api/mcp-integrations", adminKey, map[string]any{"name": "Tools", "url": "https://93.184.215.14/mcp",
		"allowed_tools_json": []string{"t"}}, 201)["id"].(string)
	a := &mcptools.Approval{ID: storage.NewID("apr"), OrgID: s.OrgID(), IntegrationID: integration, SubjectType: "call", SubjectID: "call_x",
		Tool: "t", Arguments: json.RawMessage(`{}`), Status: mcptools.Pending, RequestedAt: s.Clock.Now()}
	b := s.App.Store.NewBatch()
	mcptools.PutApproval(b, a)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return integration, a.ID
}
