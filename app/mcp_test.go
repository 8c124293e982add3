package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/mcpserver/mcptest"
)

// keyed adds an API key to every request, as an MCP host configured with a
// humd key does.
type keyed struct {
	key    string
	header string
}

func (k keyed) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if k.header == "x-api-key" {
		r.Header.Set("x-api-key", k.key)
	} else {
		r.Header.Set("Authorization", "Bearer "+k.key)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// mcpSession connects the SDK's own client to /mcp with key.
func mcpSession(t *testing.T, s *apptest.Server, key, header string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "humd-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp", DisableStandaloneSSE: true, MaxRetries: -1,
		HTTPClient: &http.Client{Transport: keyed{key: key, header: header}, Timeout: 10 * time.Second}}, nil)
	if err != nil {
		t.Fatalf("connect to /mcp: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// call runs a tool and decodes its structured answer into a map.
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): %v", tool, args, err)
	}
	out := map[string]any{}
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: structured content %s: %v", tool, raw, err)
		}
	}
	return res, out
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func flowCount(t *testing.T, s *apptest.Server) int {
	t.Helper()
	return len(s.JSON("GET", "/api/flows", adminKey, nil, 200)["data"].([]any))
}

func TestMCPServer(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	cs := mcpSession(t, s, adminKey, "authorization")

	ctx := context.Background()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	if strings.Join(names, ",") != "execute_operation,search_operations" && strings.Join(names, ",") != "search_operations,execute_operation" {
		t.Fatalf("tools = %v", names)
	}

	// search_operations finds the flow operations in humd's OpenAPI document.
	_, found := call(t, cs, "search_operations", map[string]any{"query": "flows"})
	ops := map[string]map[string]any{}
	for _, o := range found["operations"].([]any) {
		op := o.(map[string]any)
		ops[op["operation_id"].(string)] = op
		if !strings.Contains(strings.ToLower(op["path"].(string)+" "+op["operation_id"].(string)+" "+op["summary"].(string)+" "+op["tag"].(string)), "flows") {
			t.Errorf("search for flows answered %v", op)
		}
	}
	list, create := ops["listFlows"], ops["createFlow"]
	if list == nil || create == nil || list["method"] != "GET" || list["path"] != "/api/flows" || list["consequential"] != false ||
		create["method"] != "POST" || create["consequential"] != true || create["role"] != "admin" || create["request_body"] == nil {
		t.Fatalf("search for flows: listFlows %v, createFlow %v", list, create)
	}
	if _, none := call(t, cs, "search_operations", map[string]any{"query": "flows", "tag": "Webhooks"}); len(none["operations"].([]any)) != 0 {
		t.Errorf("flows tagged Webhooks = %v", none["operations"])
	}
	_, all := call(t, cs, "search_operations", map[string]any{"query": ""})
	for _, o := range all["operations"].([]any) {
		if p := o.(map[string]any)["path"].(string); p == "/mcp" || strings.HasPrefix(p, "/twilio/") || strings.HasPrefix(p, "/api/triggers/in/") {
			t.Errorf("search offers %s", p)
		}
	}

	// A GET runs without confirm.
	res, out := call(t, cs, "execute_operation", map[string]any{"operation_id": "listFlows", "query": map[string]any{"limit": 10}})
	if res.IsError || out["status"] != 200.0 || len(out["body"].(map[string]any)["data"].([]any)) != 0 {
		t.Fatalf("listFlows = %v %v", res.IsError, out)
	}

	// A POST without confirm is refused and runs nothing.
	create1 := map[string]any{"operation_id": "createFlow", "body": map[string]any{"name": "Made by a model"}}
	res, _ = call(t, cs, "execute_operation", create1)
	if !res.IsError || !strings.Contains(text(res), "confirmation_required") || !strings.Contains(text(res), "confirm: true") {
		t.Errorf("createFlow without confirm = error %v, %q", res.IsError, text(res))
	}
	if n := flowCount(t, s); n != 0 {
		t.Fatalf("an unconfirmed create made %d flows", n)
	}
	// confirm: false is no confirmation either.
	create1["confirm"] = false
	if res, _ = call(t, cs, "execute_operation", create1); !res.IsError {
		t.Errorf("confirm:false ran")
	}

	// With confirm it runs, as REST would.
	create1["confirm"] = true
	res, out = call(t, cs, "execute_operation", create1)
	if res.IsError || out["status"] != 201.0 || out["body"].(map[string]any)["name"] != "Made by a model" {
		t.Fatalf("confirmed createFlow = %v %v", res.IsError, out)
	}
	id := out["body"].(map[string]any)["id"].(string)
	if n := flowCount(t, s); n != 1 {
		t.Fatalf("flows after a confirmed create = %d", n)
	}

	// Path parameters, and REST's errors come back as they are.
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "getFlow", "path_params": map[string]any{"id": id}})
	if res.IsError || out["status"] != 200.0 || out["body"].(map[string]any)["id"] != id {
		t.Errorf("getFlow = %v %v", res.IsError, out)
	}
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "getFlow", "path_params": map[string]any{"id": "flow_nope"}})
	if !res.IsError || out["status"] != 404.0 {
		t.Errorf("getFlow of a missing flow = %v %v", res.IsError, out)
	}
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "createFlow", "confirm": true, "body": map[string]any{"name": ""}})
	if !res.IsError || out["status"] != 422.0 {
		t.Errorf("invalid createFlow = %v %v", res.IsError, out)
	}
	if res, _ = call(t, cs, "execute_operation", map[string]any{"operation_id": "getFlow"}); !res.IsError || !strings.Contains(text(res), "id") {
		t.Errorf("getFlow without its id = %v %q", res.IsError, text(res))
	}
	if res, _ = call(t, cs, "execute_operation", map[string]any{"operation_id": "mcp", "confirm": true}); !res.IsError {
		t.Errorf("execute_operation ran /mcp itself")
	}
	if n := flowCount(t, s); n != 1 {
		t.Errorf("flows = %d; want 1", n)
	}
}

// TestMCPUsesTheCallersRole: the tools run with the caller's key, so a
// viewer's confirmed write gets REST's 403, in the viewer's own org.
func TestMCPUsesTheCallersRole(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	cs := mcpSession(t, s, viewer, "x-api-key")
	res, out := call(t, cs, "execute_operation", map[string]any{"operation_id": "createFlow", "confirm": true,
		"body": map[string]any{"name": "Not allowed"}})
	body, _ := out["body"].(map[string]any)
	if !res.IsError || out["status"] != 403.0 || body["error"].(map[string]any)["code"] != "insufficient_scope" {
		t.Errorf("viewer createFlow = %v %v", res.IsError, out)
	}
	if n := flowCount(t, s); n != 0 {
		t.Errorf("a viewer made %d flows", n)
	}
	if res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "listFlows"}); res.IsError || out["status"] != 200.0 {
		t.Errorf("viewer listFlows = %v %v", res.IsError, out)
	}

	// Org B's admin sees only org B through MCP, as through REST.
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Org A's"}, 201)["id"].(string)
	_, keyB := provision(t, s, "Org B", "bob@example.com")
	csB := mcpSession(t, s, keyB, "authorization")
	if res, out = call(t, csB, "execute_operation", map[string]any{"operation_id": "getFlow", "path_params": map[string]any{"id": flow}}); out["status"] != 404.0 {
		t.Errorf("org B getFlow of org A's flow = %v %v", res.IsError, out)
	}
	if _, out = call(t, csB, "execute_operation", map[string]any{"operation_id": "deleteFlow", "confirm": true,
		"path_params": map[string]any{"id": flow}}); out["status"] != 404.0 {
		t.Errorf("org B deleteFlow of org A's flow = %v", out)
	}
	s.JSON("GET", "/api/flows/"+flow, adminKey, nil, 200)
}

func TestMCPEdge(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, key := range []string{"", "hum_live_wrong"} {
		st, body := s.Do("POST", "/mcp", key, initialize)
		var e map[string]any
		if st != 401 || json.Unmarshal(body, &e) != nil || e["error"].(map[string]any)["code"] != "api_key_required" {
			t.Errorf("POST /mcp with key %q = %d %s; want 401 api_key_required", key, st, body)
		}
	}
	// The SDK's transport errors answer in the D-10 envelope, never a 500.
	for _, body := range []string{"{", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`} {
		st, raw := s.Do("POST", "/mcp", adminKey, body) // no Accept: text/event-stream
		var e map[string]any
		if st != 400 || json.Unmarshal(raw, &e) != nil || e["error"].(map[string]any)["code"] != "bad_request" {
			t.Errorf("POST /mcp %s = %d %s; want 400 bad_request", body, st, raw)
		}
	}
	if st, _ := s.Do("GET", "/mcp", adminKey, nil); st != 405 {
		t.Errorf("GET /mcp = %d; want 405 (stateless: no event stream)", st)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "humd-test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp", MaxRetries: -1}, nil); err == nil {
		_ = cs.Close()
		t.Errorf("an MCP client without a key connected")
	}
}

// TestMCPAnswersMatchTheSchema validates humd's /mcp answers, with the real
// operations behind the tools, against the published MCP schema of each
// version go-sdk negotiates, and each structuredContent against its tool's
// outputSchema (what the TypeScript SDK and the Inspector enforce).
func TestMCPAnswersMatchTheSchema(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	for _, version := range mcptest.Versions {
		sch, err := mcptest.Load(version)
		if err != nil {
			t.Fatal(err)
		}
		hdr := map[string]string{"Accept": "application/json, text/event-stream", "Mcp-Protocol-Version": version}
		rpc := func(id int, method, params string) map[string]any {
			t.Helper()
			status, _, raw := s.DoHeader("POST", "/mcp", adminKey, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, id, method, params), hdr)
			if status != 200 {
				t.Fatalf("%s %s: HTTP %d %s", version, method, status, raw)
			}
			if err := sch.Response(method, raw); err != nil {
				t.Errorf("%s answer does not match the MCP %s schema: %v", method, version, err)
			}
			out := map[string]any{}
			_ = json.Unmarshal(raw, &out)
			return out
		}
		rpc(1, "initialize", `{"protocolVersion":"`+version+`","capabilities":{},"clientInfo":{"name":"x","version":"1"}}`)
		outputs := map[string]any{}
		for _, tool := range rpc(2, "tools/list", `{}`)["result"].(map[string]any)["tools"].([]any) {
			outputs[tool.(map[string]any)["name"].(string)] = tool.(map[string]any)["outputSchema"]
		}
		for i, args := range []string{
			`{"name":"search_operations","arguments":{"query":"flows"}}`,
			`{"name":"execute_operation","arguments":{"operation_id":"listFlows"}}`,
			`{"name":"execute_operation","arguments":{"operation_id":"getFlow","path_params":{"id":"flow_nope"}}}`,
			`{"name":"execute_operation","arguments":{"operation_id":"createFlow","body":{"name":"x"}}}`,
		} {
			res := rpc(3+i, "tools/call", args)["result"].(map[string]any)
			var name struct{ Name string }
			_ = json.Unmarshal([]byte(args), &name)
			if sc, ok := res["structuredContent"]; ok {
				raw, _ := json.Marshal(sc)
				if err := mcptest.Conforms(outputs[name.Name], raw); err != nil {
					t.Errorf("%s: structuredContent does not match the outputSchema: %v", args, err)
				}
			}
		}
		if e, _ := rpc(9, "nope/nope", `{}`)["error"].(map[string]any); e == nil || e["code"] != -32601.0 {
			t.Errorf("an unknown method = %v; want JSON-RPC error -32601", e)
		}
	}
}
